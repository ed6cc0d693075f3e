// Twilio SMS webhooks. Twilio signs the public URL it called plus every form field,
// so the body is parsed flat (extended: false) and passed whole to the check before
// the payload schema sees it: these routes are bespoke.
import express, { type Request, type RequestHandler } from 'express';
import {
  EMPTY_TWIML,
  formToPairs,
  normalizeSms,
  normalizeSmsStatus,
  TWIML_CONTENT_TYPE,
  TwilioInbound,
  TwilioStatus,
  verifyTwilioSignature,
} from '../../channels/sms/index.ts';
import { applyStatuses } from '../../conversations/applyStatuses.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import { applyOptOuts } from '../../conversations/optOut.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { requireContentType } from '../middleware/requireContentType.ts';
import { route, type ErrorDoc, type RouteDef } from '../route.ts';
import { ingestDeps } from './whatsappRoutes.ts';

const form = (): RequestHandler[] => [requireContentType('application/x-www-form-urlencoded'), express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 200 })];

function verified(rt: Runtime, req: Request, path: string) {
  const body = (req.body ?? {}) as Record<string, string | string[]>;
  const ok = verifyTwilioSignature({
    authTokens: rt.config.twilio.authTokens,
    url: rt.config.publicBaseUrl + path,
    params: formToPairs(body),
    header: req.get('x-twilio-signature'),
  });
  if (!ok) throw new ClientError(403, 'invalid_signature', 'X-Twilio-Signature does not match PUBLIC_BASE_URL + path and the form');
  return body;
}

const badSignature: ErrorDoc = {
  description: 'The signature does not match.',
  example: { error: 'invalid_signature', message: 'X-Twilio-Signature does not match PUBLIC_BASE_URL + path and the form' },
};
const twiml = (description: string) => ({ description, type: TWIML_CONTENT_TYPE, example: EMPTY_TWIML });

export const smsRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/webhooks/sms',
    operationId: 'receiveSmsWebhook',
    tag: 'Webhooks',
    summary: 'Twilio inbound SMS',
    description:
      'A repeated `MessageSid` changes nothing. Unknown form fields are accepted (and signed over) but ignored. ' +
      'STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT (or `OptOutType=STOP`) opts the number out: no reply, nothing sent to it until START, YES or UNSTOP. HELP is answered with the pack\'s help text. ' +
      '`From: whatsapp:+…` (Twilio WhatsApp) is answered on WhatsApp through Twilio.',
    auth: 'public',
    extraParameters: [
      {
        name: 'X-Twilio-Signature',
        in: 'header',
        required: true,
        description: 'base64 HMAC-SHA1 of PUBLIC_BASE_URL + "/webhooks/sms" followed by every form param sorted by name (name then value), keyed with TWILIO_AUTH_TOKEN',
        schema: { type: 'string' },
      },
    ],
    body: {
      schema: TwilioInbound,
      name: 'TwilioInbound',
      type: 'application/x-www-form-urlencoded',
      example: { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+919812345678', To: '+15005550006', Body: 'Where is my order ORD-1001?', NumMedia: '0' },
    },
    responses: { 200: twiml('Stored; empty TwiML (Baton replies through the REST API).') },
    customErrors: {
      400: { description: 'Signed correctly but not an inbound message.', example: { error: 'invalid_payload', message: 'not a Twilio inbound message (MessageSid, From, To and Body are required)' } },
      403: badSignature,
    },
    bespoke: (rt) => [
      ...form(),
      async (req, res) => {
        const parsed = TwilioInbound.safeParse(verified(rt, req, '/webhooks/sms'));
        if (!parsed.success) throw new ClientError(400, 'invalid_payload', 'not a Twilio inbound message (MessageSid, From, To and Body are required)');
        const message = normalizeSms(parsed.data, new Date());
        const [stored] = await ingestInbound(ingestDeps(rt), [message]);
        // Before the 200: once Twilio hears back, nothing more may go to a number that said STOP.
        if (stored && !stored.duplicate) await applyOptOuts(rt.db, [message]);
        res.status(200).type(TWIML_CONTENT_TYPE).send(EMPTY_TWIML);
      },
    ],
  }),
  route({
    method: 'post',
    path: '/webhooks/sms/status',
    operationId: 'receiveSmsStatus',
    tag: 'Webhooks',
    summary: 'Twilio delivery status callback',
    description: 'Signed over PUBLIC_BASE_URL + "/webhooks/sms/status". A status value Baton does not know is acknowledged and ignored.',
    auth: 'public',
    extraParameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, description: 'as for POST /webhooks/sms, over this URL', schema: { type: 'string' } }],
    body: {
      schema: TwilioStatus,
      name: 'TwilioStatus',
      type: 'application/x-www-form-urlencoded',
      example: { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', MessageStatus: 'delivered', To: '+919812345678', From: '+15005550006' },
    },
    responses: { 200: twiml('Applied (or ignored).') },
    customErrors: { 403: badSignature },
    bespoke: (rt) => [
      ...form(),
      async (req, res) => {
        const parsed = TwilioStatus.safeParse(verified(rt, req, '/webhooks/sms/status'));
        // A status Twilio added after this code was written is acknowledged, not refused:
        // refusing only makes Twilio retry something we will never understand.
        const update = parsed.success ? normalizeSmsStatus(parsed.data, new Date()) : null;
        if (update) await applyStatuses(rt.db, [update]);
        res.status(200).type(TWIML_CONTENT_TYPE).send(EMPTY_TWIML);
      },
    ],
  }),
];
