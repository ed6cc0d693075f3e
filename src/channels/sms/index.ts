export { computeTwilioSignature, verifyTwilioSignature, urlCandidates } from './signature.ts';
export type { FormPairs, VerifyTwilioSignatureOptions } from './signature.ts';
export { TwilioInbound, TwilioMessageStatus, TwilioStatus } from './payload.ts';
export { attachmentKind, formToPairs, normalizeSms, normalizeSmsStatus } from './normalize.ts';
export { TwilioSender, parseRetryAfter, smsBody, smsParts } from './sender.ts';
export type { TwilioSenderOptions } from './sender.ts';
export { EMPTY_TWIML, TWIML_CONTENT_TYPE } from './twiml.ts';
