// Builders for signed provider requests, as the real providers would send them.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { signWhatsAppBody } from '../../src/channels/whatsapp/index.ts';
import { computeTwilioSignature } from '../../src/channels/sms/index.ts';
import { SECRETS } from './harness.ts';
import { whatsappWebhookBody } from '../../src/dev/whatsappWebhookBody.ts';
import { FIXTURES } from './fixtures.ts';

export function whatsappFixtures(): Array<{ name: string; body: string }> {
  const dir = path.join(FIXTURES, 'whatsapp/webhooks');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, body: readFileSync(path.join(dir, f), 'utf8') }));
}

export function whatsappText(opts: { from: string; id: string; text: string; name?: string; timestamp?: number }) {
  return whatsappWebhookBody({
    phoneNumberId: SECRETS.phoneNumberId,
    contact: { waId: opts.from, name: opts.name ?? 'Test Customer' },
    messages: [{ from: opts.from, id: opts.id, ...(opts.timestamp ? { timestamp: String(opts.timestamp) } : {}), type: 'text', text: { body: opts.text } }],
  });
}

export function whatsappStatus(opts: { id: string; status: string; recipient: string }) {
  return whatsappWebhookBody({ phoneNumberId: SECRETS.phoneNumberId, statuses: [{ id: opts.id, status: opts.status, recipient_id: opts.recipient }] });
}

export const signWhatsApp = (body: string, secret = SECRETS.appSecret) => signWhatsAppBody(body, secret);

export function twilioForm(fields: Record<string, string>, path = '/webhooks/sms', token = SECRETS.twilioToken) {
  const pairs = Object.entries(fields);
  const signature = computeTwilioSignature(token, SECRETS.publicBaseUrl + path, pairs);
  return { body: new URLSearchParams(fields).toString(), signature };
}
