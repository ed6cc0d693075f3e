// Sends one reply through the Cloud API's /messages endpoint. Translates only: retries
// and persistence belong to the outbound worker, which reads ProviderError.retryable.
import { z } from 'zod';
import type { ChannelSender, OutboundRequest, SendResult } from '../channel.ts';
import { ProviderError } from '../../shared/errors.ts';
import { acceptedStatus, httpExchange, type HttpAnswer } from '../../shared/httpExchange.ts';

export type WhatsAppSenderOptions = {
  /** Graph API base including the version, e.g. https://graph.facebook.com/v21.0 */
  apiBase: string;
  phoneNumberId: string;
  accessToken: string;
  timeoutMs?: number;
  /** The list message's button label in the customer's language (Meta requires one, at most 20 characters). */
  listButton?: (locale: string | undefined) => string;
};

/** Meta's limits for reply-button messages: 3 buttons, 20-character titles, 1024-character body. */
const MAX_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;
const MAX_INTERACTIVE_BODY = 1024;
/** List messages: 10 rows, 24-character row titles, 72-character descriptions, 4096-character body. */
const MAX_ROWS = 10;
const MAX_ROW_TITLE = 24;
const MAX_ROW_DESCRIPTION = 72;
const MAX_LIST_BODY = 4096;

/**
 * Graph error codes that mean "later", though Meta returns them with HTTP 400:
 * 4 / 80007 app and account rate limits, 130429 throughput, 131056 pair rate limit
 * (see fixtures/delivery_semantics.md).
 */
const RATE_LIMIT_CODES: ReadonlySet<string> = new Set(['4', '80007', '130429', '131056']);

const SendResponse = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });

const GraphErrorBody = z.object({
  error: z.object({
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    is_transient: z.boolean().optional(),
  }),
});

export class WhatsAppSender implements ChannelSender {
  readonly channel = 'whatsapp' as const;
  readonly #url: string;
  readonly #accessToken: string;
  readonly #timeoutMs: number;
  readonly #listButton: (locale: string | undefined) => string;

  constructor(options: WhatsAppSenderOptions) {
    this.#listButton = options.listButton ?? (() => 'Choose');
    this.#url = `${options.apiBase.replace(/\/+$/, '')}/${encodeURIComponent(options.phoneNumberId)}/messages`;
    this.#accessToken = options.accessToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(request: OutboundRequest): Promise<SendResult> {
    let response: HttpAnswer;
    try {
      response = await httpExchange(this.#url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': request.idempotencyKey,
        },
        body: JSON.stringify(whatsAppSendBody(request, this.#listButton(request.locale))),
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      // The Graph API does not deduplicate by the Idempotency-Key header: a 2xx whose
      // body was cut short means the reply is on its way, and a retry would send it twice.
      const status = acceptedStatus(error);
      if (status !== undefined) {
        throw new ProviderError(`WhatsApp accepted the message (HTTP ${status}) but its response could not be read`, 'whatsapp', false, status);
      }
      // Timeouts and connection failures: nothing says Meta saw the request, so retry.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ProviderError(`WhatsApp send failed before a response: ${reason}`, 'whatsapp', true);
    }

    const { status, text } = response;
    if (status < 200 || status > 299) throw errorFromResponse(response);

    const parsed = SendResponse.safeParse(parseJson(text));
    const id = parsed.success ? parsed.data.messages[0]?.id : undefined;
    if (!id) {
      // Meta accepted the request; retrying could deliver the reply twice.
      throw new ProviderError(`WhatsApp answered ${response.status} without a message id`, 'whatsapp', false, response.status);
    }
    return { providerMessageId: id };
  }

  /**
   * Marks the customer's message read (blue ticks) and shows the typing indicator until
   * the reply arrives or 25 seconds pass. Throws on any failure: callers treat it as best effort.
   */
  async markRead(messageId: string): Promise<void> {
    const response = await httpExchange(this.#url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: messageId, typing_indicator: { type: 'text' } }),
      timeoutMs: Math.min(this.#timeoutMs, 5000),
    });
    if (response.status < 200 || response.status > 299) throw new ProviderError(`WhatsApp read receipt answered ${response.status}`, 'whatsapp', false, response.status);
  }
}

/**
 * Meta's send body for a request: a template; options as reply buttons (up to 3), a list
 * message (4 to 10) or numbered lines (more); or plain text.
 */
export function whatsAppSendBody(request: OutboundRequest, listButton = 'Choose'): Record<string, unknown> {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: request.to,
    ...(request.replyTo && { context: { message_id: request.replyTo } }),
  };
  const { template, options = [] } = request;

  if (template) {
    const components =
      template.params.length > 0
        ? [{ type: 'body', parameters: template.params.map((param) => ({ type: 'text', text: param })) }]
        : [];
    return {
      ...base,
      type: 'template',
      template: { name: template.name, language: { code: template.language }, ...(components.length > 0 && { components }) },
    };
  }

  if (request.media) return { ...base, ...mediaBody(request.media, request.text) };

  // Meta rejects an interactive message with an empty or over-long body; such options go
  // out as text rather than lose the reply to a non-retryable 400.
  const length = Array.from(request.text).length;
  const hasBody = request.text.trim() !== '';
  if (options.length > 0 && options.length <= MAX_BUTTONS && hasBody && length <= MAX_INTERACTIVE_BODY) {
    return {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: request.text },
        action: {
          buttons: options.map((option) => ({
            type: 'reply',
            reply: { id: option.id, title: truncate(option.title, MAX_BUTTON_TITLE) },
          })),
        },
      },
    };
  }

  if (options.length > MAX_BUTTONS && options.length <= MAX_ROWS && hasBody && length <= MAX_LIST_BODY) {
    const rows = options.map((option) => {
      const title = truncate(option.title, MAX_ROW_TITLE).trimEnd();
      // A title cut short is shown whole underneath.
      return { id: option.id, title, ...(title !== option.title && { description: truncate(option.title, MAX_ROW_DESCRIPTION) }) };
    });
    return {
      ...base,
      type: 'interactive',
      interactive: { type: 'list', body: { text: request.text }, action: { button: truncate(listButton, MAX_BUTTON_TITLE), sections: [{ rows }] } },
    };
  }

  // More options than a list holds: numbered lines read fine in every locale, and the
  // customer answers with the number or the words (see conversations/choices.ts).
  const lines = options.map((option, i) => `${i + 1}. ${option.title}`);
  const body = lines.length > 0 ? [request.text, ...lines].filter((line) => line !== '').join('\n') : request.text;
  return { ...base, type: 'text', text: { body, preview_url: false } };
}

/**
 * A file by `link` (Meta fetches it from Baton's public URL). Stickers and voice notes go as
 * images and audio; audio takes no caption, so the caption is dropped there.
 */
function mediaBody(media: NonNullable<OutboundRequest['media']>, caption: string): Record<string, unknown> {
  const type = media.kind === 'image' || media.kind === 'sticker' ? 'image' : media.kind === 'video' ? 'video' : media.kind === 'audio' || media.kind === 'voice' ? 'audio' : 'document';
  const object = {
    link: media.url,
    ...(caption !== '' && type !== 'audio' && { caption }),
    ...(type === 'document' && media.filename && { filename: media.filename }),
  };
  return { type, [type]: object };
}

function errorFromResponse(response: HttpAnswer): ProviderError {
  const { text } = response;
  const graph = GraphErrorBody.safeParse(parseJson(text));
  const providerCode = graph.success && graph.data.error.code !== undefined ? String(graph.data.error.code) : undefined;
  const detail = graph.success ? graph.data.error.message : undefined;
  const status = response.status;
  const retryable =
    status >= 500 ||
    status === 429 ||
    (providerCode !== undefined && RATE_LIMIT_CODES.has(providerCode)) ||
    (graph.success && graph.data.error.is_transient === true);
  return new ProviderError(
    `WhatsApp answered ${status}${providerCode ? ` (code ${providerCode})` : ''}${detail ? `: ${detail}` : ''}`,
    'whatsapp',
    retryable,
    status,
    parseRetryAfter(response.header('retry-after')),
    providerCode,
  );
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Cuts by code point so an emoji is never split into half a surrogate pair. */
function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : chars.slice(0, max).join('');
}
