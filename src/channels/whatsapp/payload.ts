// Meta's webhook body as we accept it. Unknown keys are stripped, and anything Meta
// may add later (a new message type, a new status value, a new change field) stays
// parseable: a 400 makes Meta redeliver the same body for 7 days, so only a body that
// is not a WhatsApp payload at all should fail here.
import { z } from 'zod';

/** Unix seconds. Meta sends strings; numbers are accepted so a future switch is harmless. */
const UnixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

export const WhatsAppError = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WhatsAppError = z.infer<typeof WhatsAppError>;

export const WhatsAppContact = z.object({
  wa_id: z.string(),
  profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
});
export type WhatsAppContact = z.infer<typeof WhatsAppContact>;

const Context = z.object({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

export const WhatsAppMedia = z.object({
  // Optional because the media object of an unsupported or malformed message may
  // arrive empty; normalize falls back to 'unsupported' without an id.
  id: z.string().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  url: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type WhatsAppMedia = z.infer<typeof WhatsAppMedia>;

const Reply = z.object({ id: z.string(), title: z.string(), description: z.string().optional() });

const Interactive = z.object({
  type: z.string(),
  button_reply: Reply.optional(),
  list_reply: Reply.optional(),
  // WhatsApp Flows completion; only the human-readable body is used.
  nfm_reply: z.object({ body: z.string().optional(), name: z.string().optional(), response_json: z.string().optional() }).optional(),
});

const SharedContactCard = z.object({
  name: z
    .object({
      formatted_name: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      middle_name: z.string().optional(),
    })
    .optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
  emails: z.array(z.object({ email: z.string().optional(), type: z.string().optional() })).optional(),
});

const Order = z.object({
  catalog_id: z.string().optional(),
  text: z.string().optional(),
  product_items: z
    .array(
      z.object({
        product_retailer_id: z.string(),
        quantity: z.number(),
        item_price: z.number(),
        currency: z.string(),
      }),
    )
    .optional(),
});

export const WhatsAppInboundMessage = z.object({
  id: z.string().min(1),
  /** The sender's wa_id. Optional because username-only senders are announced to carry only `from_user_id`. */
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: UnixSeconds,
  /** Kept as a plain string: new types must reach normalize and become 'unsupported'. */
  type: z.string(),
  context: Context.optional(),
  text: z.object({ body: z.string() }).optional(),
  interactive: Interactive.optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  image: WhatsAppMedia.optional(),
  audio: WhatsAppMedia.optional(),
  video: WhatsAppMedia.optional(),
  document: WhatsAppMedia.optional(),
  sticker: WhatsAppMedia.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z.array(SharedContactCard).optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  order: Order.optional(),
  system: z
    .object({
      body: z.string().optional(),
      type: z.string().optional(),
      wa_id: z.string().optional(),
      new_wa_id: z.string().optional(),
      identity: z.string().optional(),
      customer: z.string().optional(),
    })
    .optional(),
  identity: z
    .object({ acknowledged: z.boolean().optional(), created_timestamp: z.union([z.string(), z.number()]).optional(), hash: z.string().optional() })
    .optional(),
  referral: z
    .object({
      source_url: z.string().optional(),
      source_id: z.string().optional(),
      source_type: z.string().optional(),
      headline: z.string().optional(),
      body: z.string().optional(),
      media_type: z.string().optional(),
      image_url: z.string().optional(),
      video_url: z.string().optional(),
      thumbnail_url: z.string().optional(),
      ctwa_clid: z.string().optional(),
    })
    .optional(),
  unsupported: z.object({ type: z.string().optional() }).optional(),
  errors: z.array(WhatsAppError).optional(),
});
export type WhatsAppInboundMessage = z.infer<typeof WhatsAppInboundMessage>;

export const WhatsAppStatus = z.object({
  id: z.string().min(1),
  /** Plain string: an unknown status value is skipped by normalize, not rejected here. */
  status: z.string(),
  timestamp: UnixSeconds,
  recipient_id: z.string().optional(),
  recipient_type: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z
    .object({
      id: z.string().optional(),
      expiration_timestamp: z.union([z.string(), z.number()]).optional(),
      origin: z.object({ type: z.string().optional() }).optional(),
    })
    .optional(),
  pricing: z
    .object({
      billable: z.boolean().optional(),
      pricing_model: z.string().optional(),
      category: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
  errors: z.array(WhatsAppError).optional(),
});
export type WhatsAppStatus = z.infer<typeof WhatsAppStatus>;

export const WhatsAppMessagesValue = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().optional() }).optional(),
  contacts: z.array(WhatsAppContact).optional(),
  messages: z.array(WhatsAppInboundMessage).optional(),
  statuses: z.array(WhatsAppStatus).optional(),
  errors: z.array(WhatsAppError).optional(),
});
export type WhatsAppMessagesValue = z.infer<typeof WhatsAppMessagesValue>;

export const WhatsAppMessagesChange = z.object({ field: z.literal('messages'), value: WhatsAppMessagesValue });
export type WhatsAppMessagesChange = z.infer<typeof WhatsAppMessagesChange>;

/**
 * Any other subscribed field (template status, quality updates, ...): accepted and ignored.
 * 'messages' is excluded so a malformed messages change fails instead of slipping through here.
 */
export const WhatsAppOtherChange = z.object({
  field: z.string().refine((field) => field !== 'messages'),
  value: z.unknown(),
});
export type WhatsAppOtherChange = z.infer<typeof WhatsAppOtherChange>;

export const WhatsAppWebhook = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(z.union([WhatsAppMessagesChange, WhatsAppOtherChange])),
    }),
  ),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhook>;

export function isMessagesChange(change: WhatsAppMessagesChange | WhatsAppOtherChange): change is WhatsAppMessagesChange {
  return change.field === 'messages';
}
