// pino with redaction: tokens, signatures, phone numbers, emails and message text
// never reach the logs at any level.
import { pino } from 'pino';

export type Logger = pino.Logger;

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-twilio-signature"]',
  'req.query.token',
  'req.query["hub.verify_token"]',
  'req.url',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'text',
  '*.text',
  'body',
  '*.body',
  'phone',
  '*.phone',
  'email',
  '*.email',
  'from',
  '*.from',
  'to',
  '*.to',
  'externalId',
  '*.externalId',
  'envelope',
  '*.envelope',
];

/** `destination` defaults to stdout; tests pass their own stream to read what is logged. */
export function createLogger(level: string, name = 'baton', destination?: pino.DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}
