// Builders for signed provider requests, as the real providers would send them.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { signWhatsAppBody } from '../../src/channels/whatsapp/index.ts';
import { computeTwilioSignature } from '../../src/channels/sms/index.ts';
import { SECRETS } from './harness.ts';

export const FIXTURES = process.env.BATON_FIXTURES ?? path.resolve(import.meta.dirname, '../../../shared/fixtures');

export function whatsappFixtures(): Array<{ name: string; body: string }> {
  const dir = path.join(FIXTURES, 'whatsapp/webhooks');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, body: readFileSync(path.join(dir, f), 'utf8') }));
}

export function whatsappText(opts: { from: string; id: string; text: string; name?: string; timestamp?: number }) {
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
              metadata: { display_phone_number: '15550001111', phone_number_id: SECRETS.phoneNumberId },
              contacts: [{ profile: { name: opts.name ?? 'Test Customer' }, wa_id: opts.from }],
              messages: [
                { from: opts.from, id: opts.id, timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)), type: 'text', text: { body: opts.text } },
              ],
            },
          },
        ],
      },
    ],
  });
}

export function whatsappStatus(opts: { id: string; status: string; recipient: string }) {
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
              metadata: { display_phone_number: '15550001111', phone_number_id: SECRETS.phoneNumberId },
              statuses: [{ id: opts.id, status: opts.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: opts.recipient }],
            },
          },
        ],
      },
    ],
  });
}

export const signWhatsApp = (body: string, secret = SECRETS.appSecret) => signWhatsAppBody(body, secret);

export function twilioForm(fields: Record<string, string>, path = '/webhooks/sms', token = SECRETS.twilioToken) {
  const pairs = Object.entries(fields);
  const signature = computeTwilioSignature(token, SECRETS.publicBaseUrl + path, pairs);
  return { body: new URLSearchParams(fields).toString(), signature };
}
