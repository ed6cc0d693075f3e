// A WhatsApp Cloud API webhook body as Meta sends it, for the tools that play a
// customer (simulator, bench) and for tests: one change carrying messages or statuses.
export type WebhookMessage = { from: string; id: string; timestamp?: string } & Record<string, unknown>;

export function whatsappWebhookBody(opts: {
  phoneNumberId: string;
  contact?: { waId: string; name: string };
  messages?: WebhookMessage[];
  statuses?: Array<Record<string, unknown>>;
}): string {
  const now = String(Math.floor(Date.now() / 1000));
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: opts.phoneNumberId },
              ...(opts.contact ? { contacts: [{ profile: { name: opts.contact.name }, wa_id: opts.contact.waId }] } : {}),
              ...(opts.messages ? { messages: opts.messages.map((m) => ({ timestamp: now, ...m })) } : {}),
              ...(opts.statuses ? { statuses: opts.statuses.map((s) => ({ timestamp: now, ...s })) } : {}),
            },
          },
        ],
      },
    ],
  });
}
