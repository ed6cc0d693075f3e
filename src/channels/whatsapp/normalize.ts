// Meta's webhook body → the channel contract. Pure: no I/O, no clock.
import type {
  Attachment,
  AttachmentKind,
  DeliveryStatus,
  InboundBatch,
  InboundMessage,
  SharedContact,
  StatusUpdate,
} from '../channel.ts';
import {
  isMessagesChange,
  type WhatsAppContact,
  type WhatsAppInboundMessage,
  type WhatsAppMedia,
  type WhatsAppStatus,
  type WhatsAppWebhook,
} from './payload.ts';

/** The fields every message shares; the per-type part is added by `content`. */
type Envelope = Pick<InboundMessage, 'channel' | 'providerMessageId' | 'from' | 'receivedAt' | 'providerType' | 'inReplyTo'>;
type Content = Omit<InboundMessage, keyof Envelope> & { inReplyTo?: string };

// A Map, not an object literal: a status named "constructor" must not find a prototype member.
const STATUS: ReadonlyMap<string, DeliveryStatus> = new Map<string, DeliveryStatus>([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['played', 'played'],
  ['failed', 'failed'],
  ['deleted', 'deleted'],
]);

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

export function normalizeWhatsApp(body: WhatsAppWebhook): InboundBatch {
  const messages: InboundMessage[] = [];
  const statuses: StatusUpdate[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (!isMessagesChange(change)) continue;
      const { contacts = [], messages: inbound = [], statuses: receipts = [] } = change.value;
      for (const message of inbound) {
        const normalized = normalizeMessage(message, contacts);
        if (normalized) messages.push(normalized);
      }
      for (const receipt of receipts) {
        const normalized = normalizeStatus(receipt);
        if (normalized) statuses.push(normalized);
      }
    }
  }
  return { messages, statuses };
}

function normalizeMessage(message: WhatsAppInboundMessage, contacts: readonly WhatsAppContact[]): InboundMessage | undefined {
  const externalId = message.from ?? message.from_user_id;
  // Nothing to address a reply to or file the conversation under.
  if (!externalId) return undefined;

  const name = message.from ? contacts.find((c) => c.wa_id === message.from)?.profile?.name : undefined;
  const phone = message.from && /^\d+$/.test(message.from) ? `+${message.from}` : undefined;
  const { inReplyTo, ...rest } = content(message);
  const replyTarget = inReplyTo ?? message.context?.id;

  return {
    channel: 'whatsapp',
    providerMessageId: message.id,
    from: { externalId, ...(phone && { phone }), ...(name && { name }) },
    receivedAt: fromUnixSeconds(message.timestamp),
    providerType: message.type,
    ...(replyTarget && { inReplyTo: replyTarget }),
    ...rest,
  };
}

function content(message: WhatsAppInboundMessage): Content {
  switch (message.type) {
    case 'text':
      if (message.text) return { kind: 'text', text: message.text.body };
      break;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (reply) return { kind: 'interactive', text: reply.title, replyId: reply.id };
      const flow = message.interactive?.nfm_reply;
      if (flow) return { kind: 'interactive', text: flow.body ?? '', ...(flow.name && { replyId: flow.name }) };
      break;
    }
    case 'button':
      // A template quick-reply: the payload is the id we set when sending the template.
      if (message.button) {
        const { text, payload } = message.button;
        return { kind: 'interactive', text, ...(payload && { replyId: payload }) };
      }
      break;
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = message[message.type as MediaType];
      if (media?.id || media?.url) {
        const attachment = toAttachment(message.type as MediaType, media);
        return { kind: 'media', text: media.caption ?? '', attachment };
      }
      break;
    }
    case 'location':
      if (message.location) {
        const { latitude, longitude, name, address, url } = message.location;
        return {
          kind: 'location',
          text: '',
          location: { latitude, longitude, ...(name && { name }), ...(address && { address }), ...(url && { url }) },
        };
      }
      break;
    case 'contacts':
      if (message.contacts) return { kind: 'contacts', text: '', contacts: message.contacts.map(toSharedContact) };
      break;
    case 'reaction':
      if (message.reaction) {
        // An empty emoji is WhatsApp's way of saying the reaction was removed.
        return { kind: 'reaction', text: '', reaction: message.reaction.emoji ?? '', inReplyTo: message.reaction.message_id };
      }
      break;
    case 'order':
      if (message.order) return { kind: 'order', text: message.order.text ?? '' };
      break;
    case 'system':
      // The notice text ("User A changed from … to …") is kept for the transcript;
      // consumers must switch on kind before treating text as the customer's words.
      if (message.system) return { kind: 'system', text: message.system.body ?? '' };
      break;
  }
  // 'unsupported', types Meta adds later, and known types whose body is missing
  // (Meta sends those with value-level errors, see pywa__inbound_interactive_missing_body).
  return { kind: 'unsupported', text: '' };
}

function toAttachment(type: MediaType, media: WhatsAppMedia): Attachment {
  // Voice notes arrive as type 'audio' with voice: true.
  const kind: AttachmentKind = type === 'audio' && media.voice === true ? 'voice' : type;
  const { id, url, mime_type, sha256, caption, filename } = media;
  return {
    kind,
    ...(id && { mediaId: id }),
    ...(url && { url }),
    ...(mime_type && { mimeType: mime_type }),
    ...(sha256 && { sha256 }),
    ...(caption && { caption }),
    ...(filename && { filename }),
  };
}

function toSharedContact(card: NonNullable<WhatsAppInboundMessage['contacts']>[number]): SharedContact {
  const parts = [card.name?.first_name, card.name?.middle_name, card.name?.last_name].filter((p): p is string => !!p);
  return {
    name: card.name?.formatted_name ?? parts.join(' '),
    phones: (card.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : '')).filter((p) => p !== ''),
    emails: (card.emails ?? []).map((e) => e.email ?? '').filter((e) => e !== ''),
  };
}

function normalizeStatus(receipt: WhatsAppStatus): StatusUpdate | undefined {
  const status = STATUS.get(receipt.status);
  // Meta adds status values over time; dropping an unknown receipt beats a 400, which
  // would make Meta redeliver the whole body (and its messages) for days.
  if (!status) return undefined;
  const error = receipt.errors?.[0];
  const errorTitle = error?.title ?? error?.message;
  return {
    channel: 'whatsapp',
    providerMessageId: receipt.id,
    status,
    at: fromUnixSeconds(receipt.timestamp),
    ...(error && { errorCode: String(error.code) }),
    ...(errorTitle && { errorTitle }),
  };
}

function fromUnixSeconds(value: string | number): Date {
  const at = new Date(Number(value) * 1000);
  // An absurd timestamp (say, 400 digits) must not cost the customer their message.
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
