// The adapter contract. The core (use cases, bots, handoff) only ever sees these
// shapes; every provider payload stops at its channel folder.
import { z } from 'zod';

export const ChannelName = z.enum(['whatsapp', 'sms', 'webchat']);
export type ChannelName = z.infer<typeof ChannelName>;

export const AttachmentKind = z.enum(['image', 'audio', 'voice', 'video', 'document', 'sticker']);
export type AttachmentKind = z.infer<typeof AttachmentKind>;

export const Attachment = z.object({
  kind: AttachmentKind,
  /** Provider media id (WhatsApp) — fetched later through the provider's media API. */
  mediaId: z.string().optional(),
  /** Direct URL when the provider gives one (Twilio MediaUrlN, WhatsApp `url`). */
  url: z.string().optional(),
  mimeType: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Location = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});
export type Location = z.infer<typeof Location>;

export const SharedContact = z.object({
  name: z.string(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
});
export type SharedContact = z.infer<typeof SharedContact>;

export const InboundKind = z.enum([
  'text', // plain text
  'interactive', // button / list reply, template quick reply
  'media', // image, audio, voice, video, document, sticker
  'location',
  'contacts',
  'reaction',
  'order',
  'system', // number/identity change notices
  'unsupported',
]);
export type InboundKind = z.infer<typeof InboundKind>;

/**
 * One inbound customer message, normalized. `text` is what a bot reads: the body for
 * text, the title of the chosen button/row for interactive replies, the caption for
 * media, and '' where the customer said nothing in words.
 */
export const InboundMessage = z.object({
  channel: ChannelName,
  /** Unique per channel: WhatsApp wamid, Twilio MessageSid, web chat clientMessageId-derived id. */
  providerMessageId: z.string().min(1),
  from: z.object({
    /** The channel's address for this customer: wa_id, E.164 phone, web chat session id. */
    externalId: z.string().min(1),
    /** E.164 phone (with +) when the channel reveals one; links WhatsApp and SMS to one contact. */
    phone: z.string().optional(),
    name: z.string().optional(),
  }),
  receivedAt: z.date(),
  kind: InboundKind,
  text: z.string(),
  /** Id of the interactive reply option (button id / list row id), when kind = interactive. */
  replyId: z.string().optional(),
  /** Provider id of the message this one replies or reacts to. */
  inReplyTo: z.string().optional(),
  attachment: Attachment.optional(),
  /** Every file the message carries when there can be more than one (Twilio MediaUrl0..9); `attachment` is the first. */
  attachments: z.array(Attachment).optional(),
  location: Location.optional(),
  contacts: z.array(SharedContact).optional(),
  /** Emoji for a reaction; '' when a reaction was removed. */
  reaction: z.string().optional(),
  /** The provider's own type name, kept for the transcript and for debugging. */
  providerType: z.string().optional(),
  /** An SMS compliance keyword: STOP and its synonyms, START and its, or HELP. Never answered by a bot. */
  optOut: z.enum(['stop', 'start', 'help']).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

export const DeliveryStatus = z.enum([
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'undelivered',
  'deleted',
  'received',
]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** A provider's receipt about one of our outbound messages. Never an inbound message. */
export const StatusUpdate = z.object({
  channel: ChannelName,
  providerMessageId: z.string().min(1),
  status: DeliveryStatus,
  at: z.date(),
  errorCode: z.string().optional(),
  errorTitle: z.string().optional(),
});
export type StatusUpdate = z.infer<typeof StatusUpdate>;

/** What a webhook body normalizes to: any number of messages and receipts. */
export const InboundBatch = z.object({
  messages: z.array(InboundMessage),
  statuses: z.array(StatusUpdate),
});
export type InboundBatch = z.infer<typeof InboundBatch>;

/** One reply to deliver. `idempotencyKey` is stable across retries of the same send. */
export const OutboundRequest = z.object({
  to: z.string().min(1),
  text: z.string(),
  idempotencyKey: z.string().min(1),
  /** Optional quick-reply options; adapters that cannot render them append them as text. */
  options: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
  /** WhatsApp template, for sends outside the 24-hour window. */
  template: z.object({ name: z.string(), language: z.string(), params: z.array(z.string()) }).optional(),
  /** The conversation's language, for labels the adapter adds (a list message's button). */
  locale: z.string().optional(),
  /** Provider id of the customer's message this one answers (WhatsApp shows it quoted). */
  replyTo: z.string().optional(),
  /** A file to send, `text` being its caption: `url` is a public, unguessable Baton URL the provider fetches it from. */
  media: z.object({ kind: AttachmentKind, url: z.string(), mimeType: z.string(), filename: z.string().optional() }).optional(),
});
export type OutboundRequest = z.infer<typeof OutboundRequest>;

export type SendResult = { providerMessageId: string };

export interface ChannelSender {
  readonly channel: ChannelName;
  send(request: OutboundRequest): Promise<SendResult>;
}
