// Twilio webhook params → Baton's channel-neutral shapes. Pure: no I/O, no clock.
import type { Attachment, AttachmentKind, DeliveryStatus, InboundMessage, StatusUpdate } from '../channel.ts';
import type { TwilioInbound, TwilioMessageStatus, TwilioStatus } from './payload.ts';

const WHATSAPP_PREFIX = 'whatsapp:';
const E164 = /^\+[1-9]\d{1,14}$/;

export function normalizeSms(form: TwilioInbound, receivedAt: Date): InboundMessage {
  const viaWhatsApp = form.From.toLowerCase().startsWith(WHATSAPP_PREFIX);
  // The address keeps the prefix, so replies go back over WhatsApp (To: whatsapp:+…);
  // the phone does not, so SMS and WhatsApp-via-Twilio from one phone are one contact.
  const phoneOrSender = viaWhatsApp ? form.From.slice(WHATSAPP_PREFIX.length) : form.From;
  const address = viaWhatsApp ? `${WHATSAPP_PREFIX}${phoneOrSender}` : form.From;
  const hasMedia = form.NumMedia > 0;

  const message: InboundMessage = {
    channel: 'sms',
    providerMessageId: form.MessageSid,
    from: {
      externalId: address,
      // Short codes and alphanumeric senders are addresses but not phones.
      phone: E164.test(phoneOrSender) ? phoneOrSender : undefined,
      name: nonEmpty(form.ProfileName),
    },
    receivedAt,
    kind: 'text',
    text: form.Body,
    inReplyTo: nonEmpty(form.OriginalRepliedMessageSid),
    // Kept so a reply can go back over WhatsApp rather than as a plain SMS.
    providerType: viaWhatsApp ? 'whatsapp' : hasMedia ? 'mms' : 'sms',
  };

  const optOut = optOutOf(form);
  if (optOut !== undefined) return { ...message, optOut };

  const location = parseLocation(form);
  if (location !== undefined) return { ...message, kind: 'location', location };

  const replyId = nonEmpty(form.ButtonPayload);
  if (replyId !== undefined) {
    return { ...message, kind: 'interactive', replyId, text: nonEmpty(form.ButtonText) ?? form.Body };
  }

  if (hasMedia) {
    const attachments = mediaOf(form);
    return { ...message, kind: 'media', attachment: attachments[0] ?? { kind: attachmentKind(form.MediaContentType0) }, ...(attachments.length > 1 && { attachments }) };
  }

  return message;
}

// The keywords carriers and Twilio honour: the whole body, in any case, is the keyword.
const KEYWORDS: ReadonlyMap<string, NonNullable<InboundMessage['optOut']>> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'].map((k) => [k, 'stop'] as const),
  ...['START', 'YES', 'UNSTOP'].map((k) => [k, 'start'] as const),
  ['HELP', 'help'] as const,
]);

/** A compliance keyword, from Twilio's OptOutType when it sends one, else from the body. */
function optOutOf(form: TwilioInbound): InboundMessage['optOut'] {
  const type = nonEmpty(form.OptOutType?.trim().toUpperCase());
  return KEYWORDS.get(type ?? form.Body.trim().replace(/[.!]+$/, '').toUpperCase());
}

/** Every MediaUrlN of a multi-part MMS (up to NumMedia, at most 10). */
function mediaOf(form: TwilioInbound): Attachment[] {
  const list: Attachment[] = [];
  for (let i = 0; i < Math.min(form.NumMedia, 10); i++) {
    const url = nonEmpty(form[`MediaUrl${i}` as 'MediaUrl0']);
    const type = nonEmpty(form[`MediaContentType${i}` as 'MediaContentType0']);
    if (url) list.push({ kind: attachmentKind(type), url, mimeType: type, ...(i === 0 && nonEmpty(form.Body) ? { caption: form.Body } : {}) });
  }
  return list;
}

export function attachmentKind(contentType: string | undefined): AttachmentKind {
  const type = (contentType ?? '').trim().toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'document';
}

function parseLocation(form: TwilioInbound): InboundMessage['location'] {
  // Number('') is 0, so blank coordinates must be ruled out before converting.
  if (!form.Latitude?.trim() || !form.Longitude?.trim()) return undefined;
  const latitude = Number(form.Latitude);
  const longitude = Number(form.Longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  return { latitude, longitude, name: nonEmpty(form.Label), address: nonEmpty(form.Address) };
}

/**
 * `null` = a callback that says nothing about one of our sends: 'receiving'/'received'
 * describe inbound messages, and 'partially_delivered' (multi-recipient) has no
 * single-recipient meaning.
 */
const STATUS_MAP: Readonly<Record<TwilioMessageStatus, DeliveryStatus | null>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  // Only our own scheduled sends can be canceled; for the conversation it never went out.
  canceled: 'failed',
  receiving: null,
  received: null,
  partially_delivered: null,
};

export function normalizeSmsStatus(form: TwilioStatus, at: Date): StatusUpdate | null {
  const status = STATUS_MAP[form.MessageStatus];
  if (status === null) return null;
  return {
    channel: 'sms',
    providerMessageId: form.MessageSid,
    status,
    at,
    errorCode: nonEmpty(form.ErrorCode),
  };
}

/**
 * Flattens an `express.urlencoded({ extended: false })` body back into the pairs Twilio
 * signed, repeats included. (`extended: true` nests `a[b]=c` keys and cannot be
 * signature-checked.)
 */
export function formToPairs(body: Record<string, string | string[]>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      for (const item of value) pairs.push([key, item]);
    } else {
      pairs.push([key, value]);
    }
  }
  return pairs;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
