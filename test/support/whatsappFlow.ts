// Small helpers shared by the delivery tests: post a signed WhatsApp message through the
// real route, and read back what the stand-in Graph API received.
import type { RecordedRequest, StandInProvider } from '../../src/dev/standInProvider.ts';
import { SECRETS, type Harness } from './harness.ts';
import { signWhatsApp, whatsappText } from './payloads.ts';

export const WHATSAPP_SEND_PATH = `/${SECRETS.phoneNumberId}/messages`;

/** POSTs one signed text message from `from` to the harness's webhook. */
export function postWhatsAppText(h: Harness, opts: { from: string; id: string; text: string; timestamp?: number; name?: string }) {
  const body = whatsappText(opts);
  return h.http
    .post('/webhooks/whatsapp')
    .set('content-type', 'application/json')
    .set('x-hub-signature-256', signWhatsApp(body))
    .send(body);
}

/** Every send request the stand-in received for one recipient, in arrival order. */
export function sendsTo(provider: StandInProvider, waId: string): RecordedRequest[] {
  return provider.sends(WHATSAPP_SEND_PATH).filter((r) => (r.json as { to?: string } | undefined)?.to === waId);
}

/** The Idempotency-Key Baton put on a send: the outbound message's id. */
export function idempotencyKeyOf(request: RecordedRequest): string {
  const value = request.headers['idempotency-key'];
  if (typeof value !== 'string' || value === '') throw new Error(`send to ${request.path} has no Idempotency-Key header`);
  return value;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
