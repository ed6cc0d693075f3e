// Twilio's form-encoded webhook params as we accept them. Unknown params are stripped,
// not rejected: Twilio "will occasionally add new parameters without advance notice".
// The signature is checked on the raw pairs before this parse, so stripping loses nothing.
import { z } from 'zod';

/**
 * A urlencoded parser turns a repeated key into an array. Twilio never repeats the
 * params read here, so the first value is taken rather than failing the whole webhook.
 */
function firstValue(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

const Param = z.preprocess(firstValue, z.string());
const RequiredParam = z.preprocess(firstValue, z.string().min(1));
const OptionalParam = Param.optional();
const Count = z.preprocess(firstValue, z.string().regex(/^\d+$/).transform(Number));

export const TwilioInbound = z.object({
  MessageSid: RequiredParam,
  AccountSid: OptionalParam,
  From: RequiredParam,
  To: RequiredParam,
  // Required though it may be '' (media-only MMS): status callbacks carry no Body, so
  // one posted to the inbound URL by mistake fails here instead of becoming a message.
  Body: Param,
  NumMedia: Count.default(0),
  MediaUrl0: OptionalParam,
  MediaUrl1: OptionalParam,
  MediaUrl2: OptionalParam,
  MediaUrl3: OptionalParam,
  MediaUrl4: OptionalParam,
  MediaUrl5: OptionalParam,
  MediaUrl6: OptionalParam,
  MediaUrl7: OptionalParam,
  MediaUrl8: OptionalParam,
  MediaUrl9: OptionalParam,
  MediaContentType0: OptionalParam,
  MediaContentType1: OptionalParam,
  MediaContentType2: OptionalParam,
  MediaContentType3: OptionalParam,
  MediaContentType4: OptionalParam,
  MediaContentType5: OptionalParam,
  MediaContentType6: OptionalParam,
  MediaContentType7: OptionalParam,
  MediaContentType8: OptionalParam,
  MediaContentType9: OptionalParam,
  // WhatsApp-via-Twilio only.
  ProfileName: OptionalParam,
  WaId: OptionalParam,
  /** Set when a WhatsApp user taps a quick-reply button. */
  ButtonPayload: OptionalParam,
  ButtonText: OptionalParam,
  /** A shared WhatsApp location. */
  Latitude: OptionalParam,
  Longitude: OptionalParam,
  Address: OptionalParam,
  Label: OptionalParam,
  OriginalRepliedMessageSid: OptionalParam,
  /** Twilio Advanced Opt-Out: STOP, START or HELP when the body matched one of the service's keywords. */
  OptOutType: OptionalParam,
});
export type TwilioInbound = z.infer<typeof TwilioInbound>;

export const TwilioMessageStatus = z.enum([
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'accepted',
  'scheduled',
  'canceled',
  'receiving',
  'received',
  // In Twilio's published Message status enum (OpenAPI) though rare for 1:1 SMS;
  // listed so its callback parses instead of answering 400.
  'partially_delivered',
]);
export type TwilioMessageStatus = z.infer<typeof TwilioMessageStatus>;

export const TwilioStatus = z.object({
  MessageSid: RequiredParam,
  AccountSid: OptionalParam,
  MessageStatus: z.preprocess(firstValue, TwilioMessageStatus),
  ErrorCode: OptionalParam,
  To: OptionalParam,
  From: OptionalParam,
});
export type TwilioStatus = z.infer<typeof TwilioStatus>;
