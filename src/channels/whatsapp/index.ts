export { verifyWhatsAppSignature, signWhatsAppBody } from './signature.ts';
export { verifyHandshake, type HandshakeResult } from './handshake.ts';
export {
  WhatsAppWebhook,
  WhatsAppMessagesValue,
  WhatsAppInboundMessage,
  WhatsAppStatus,
  WhatsAppError,
} from './payload.ts';
export { normalizeWhatsApp } from './normalize.ts';
export { WhatsAppSender, whatsAppSendBody, parseRetryAfter, type WhatsAppSenderOptions } from './sender.ts';
