// Sends one SMS through Twilio's Messages API. Translates only: retries, backoff and
// persistence belong to the outbound worker, which reads ProviderError.retryable.
import { z } from 'zod';
import type { ChannelSender, OutboundRequest, SendResult } from '../channel.ts';
import { ProviderError } from '../../shared/errors.ts';
import { acceptedStatus, httpExchange, type HttpAnswer } from '../../shared/httpExchange.ts';
import { MAX_TEXT, splitText } from '../limits.ts';

export type TwilioSenderOptions = {
  /** e.g. https://api.twilio.com (TWILIO_API_BASE). */
  apiBase: string;
  accountSid: string;
  authToken: string;
  /** Our sending number (E.164); WhatsApp sends go from `whatsapp:` + it. */
  from: string;
  /** A Messaging Service (MG…): when set, Twilio picks the sender and `From` is not sent. */
  messagingServiceSid?: string | undefined;
  /** Where Twilio posts delivery receipts, i.e. PUBLIC_BASE_URL + /webhooks/sms/status. */
  statusCallbackUrl?: string;
  timeoutMs?: number;
};

const PROVIDER = 'sms';
const DEFAULT_TIMEOUT_MS = 10_000;

const MessageCreated = z.object({ sid: z.string().min(1) });
const TwilioErrorBody = z.object({
  code: z.union([z.number(), z.string()]).optional(),
  more_info: z.string().optional(),
});

export class TwilioSender implements ChannelSender {
  readonly channel = 'sms' as const;
  readonly #endpoint: string;
  readonly #authorization: string;
  readonly #from: string;
  readonly #messagingServiceSid: string | undefined;
  readonly #statusCallbackUrl: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: TwilioSenderOptions) {
    const base = options.apiBase.replace(/\/+$/, '');
    this.#endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.#from = options.from;
    this.#messagingServiceSid = options.messagingServiceSid;
    this.#statusCallbackUrl = options.statusCallbackUrl;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(request: OutboundRequest): Promise<SendResult> {
    const body = smsBody(request);
    // Twilio answers 400/21602 anyway; failing here saves a round trip and a retry budget.
    if (body === '' && !request.media) throw new ProviderError('SMS body is empty', PROVIDER, false);

    const form = new URLSearchParams({ To: request.to, ...this.#sender(request.to), ...(body !== '' && { Body: body }) });
    // MMS (and WhatsApp through Twilio): Twilio fetches the file from Baton's public URL.
    if (request.media) form.set('MediaUrl', request.media.url);
    if (this.#statusCallbackUrl !== undefined) form.set('StatusCallback', this.#statusCallbackUrl);

    let response: HttpAnswer;
    try {
      response = await httpExchange(this.#endpoint, {
        method: 'POST',
        headers: {
          authorization: this.#authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          // Twilio's Messages API does not promise to honour either header; they are
          // sent so a retry after a lost response can be deduplicated where it is.
          'i-twilio-idempotency-token': request.idempotencyKey,
          'idempotency-key': request.idempotencyKey,
        },
        body: form.toString(),
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      // A 2xx means Twilio took the message: a retry could text the customer twice.
      const status = acceptedStatus(error);
      if (status !== undefined) {
        throw new ProviderError(`Twilio accepted the message (HTTP ${status}) but its response could not be read`, PROVIDER, false, status);
      }
      throw transportError(error, this.#timeoutMs);
    }

    if (response.status >= 200 && response.status <= 299) return { providerMessageId: parseCreated(response.text, response.status) };
    throw errorFromResponse(response);
  }

  /** A customer who wrote on WhatsApp through Twilio (`whatsapp:+…`) is answered there. */
  #sender(to: string): Record<string, string> {
    if (this.#messagingServiceSid !== undefined) return { MessagingServiceSid: this.#messagingServiceSid };
    return { From: to.toLowerCase().startsWith('whatsapp:') ? `whatsapp:${this.#from}` : this.#from };
  }
}

/** Quick replies cannot be rendered in SMS, so they become numbered lines to type back. */
export function smsBody(request: Pick<OutboundRequest, 'text' | 'options'>): string {
  const lines = (request.options ?? []).map((option, index) => `${index + 1}. ${option.title}`);
  if (lines.length === 0) return request.text;
  const menu = lines.join('\n');
  return request.text === '' ? menu : `${request.text}\n\n${menu}`;
}

/**
 * A reply as the ordered SMS messages it goes out as: text over 1,600 characters in parts,
 * the options on the last part (a part of their own when they would not fit with its text).
 */
export function smsParts<R extends Pick<OutboundRequest, 'text' | 'options'>>(reply: R): R[] {
  const texts = splitText(reply.text, MAX_TEXT.sms);
  const options = reply.options ?? [];
  if (options.length > 0 && Array.from(smsBody({ text: texts.at(-1)!, options })).length > MAX_TEXT.sms) texts.push('');
  return texts.map((text, i) => (i === texts.length - 1 ? { ...reply, text } : { ...reply, text, options: undefined }));
}

function parseCreated(text: string, status: number): string {
  const parsed = MessageCreated.safeParse(parseJson(text));
  if (!parsed.success) {
    // Not retryable for the same reason as an unreadable 2xx: the SMS may be on its way.
    throw new ProviderError(`Twilio answered HTTP ${status} without a message sid`, PROVIDER, false, status);
  }
  return parsed.data.sid;
}

function errorFromResponse(response: HttpAnswer): ProviderError {
  const status = response.status;
  const parsed = TwilioErrorBody.safeParse(parseJson(response.text));
  const code = parsed.success && parsed.data.code !== undefined ? String(parsed.data.code) : undefined;
  const moreInfo = parsed.success ? parsed.data.more_info : undefined;
  const retryable = status >= 500 || status === 429;
  // Twilio's `message` is left out on purpose: it often quotes the recipient's number,
  // and this text ends up in logs and job failure reasons.
  const detail = [code && `code ${code}`, moreInfo].filter(Boolean).join(', ');
  return new ProviderError(
    `Twilio send failed: HTTP ${status}${detail ? ` (${detail})` : ''}`,
    PROVIDER,
    retryable,
    status,
    parseRetryAfter(response.header('retry-after'), Date.now()),
    code,
  );
}

function transportError(error: unknown, timeoutMs: number): ProviderError {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  const reason = timedOut
    ? `timed out after ${timeoutMs} ms`
    : `failed: ${error instanceof Error ? error.message : String(error)}`;
  const providerError = new ProviderError(`Twilio request ${reason}`, PROVIDER, true);
  providerError.cause = error;
  return providerError;
}

/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
