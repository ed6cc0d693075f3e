// WhatsApp's customer service window: free-form messages only within 24 hours of the
// customer's last message; after that, Meta takes approved templates only.
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

export const outsideWhatsAppWindow = (c: { channel: string; lastInboundAt: Date | null }) =>
  c.channel === 'whatsapp' && (!c.lastInboundAt || Date.now() - c.lastInboundAt.getTime() > WHATSAPP_WINDOW_MS);
