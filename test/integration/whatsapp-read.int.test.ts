// WhatsApp read receipts with the typing indicator, and replies that quote the message
// they answer, through the real webhook, workers and the stand-in Graph API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, whatsappText } from '../support/payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const MESSAGES = `/${SECRETS.phoneNumberId}/messages`;
type Sent = { to?: string; status?: string; message_id?: string; typing_indicator?: unknown; context?: { message_id: string } };
const post = (body: string) => h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
const repliesTo = (waId: string) => h.provider.sends(MESSAGES).map((r) => r.json as Sent).filter((j) => j.to === waId);
const receiptFor = (wamid: string) => h.provider.sends(MESSAGES).find((r) => (r.json as Sent).message_id === wamid);

describe('WhatsApp read receipts and quoted replies', () => {
  it('marks the message read with the typing indicator when the turn starts', async () => {
    const waId = randomPhone();
    const wamid = `wamid.read-${randomUUID()}`;
    expect((await post(whatsappText({ from: waId, id: wamid, text: 'hello' }))).status).toBe(200);
    const receipt = await eventually(async () => receiptFor(wamid), 15_000, 'a read receipt');
    expect(receipt.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
    expect(receipt.json).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } });
    // One message answered on its own: nothing to quote.
    const replies = await eventually(async () => repliesTo(waId).length >= 2 && repliesTo(waId));
    expect(replies.every((r) => r.context === undefined)).toBe(true);
  });

  it('a failing or hanging read receipt never holds up or fails the turn', async () => {
    for (const fault of [{ status: 500 }, { hang: true as const }]) {
      const waId = randomPhone();
      const wamid = `wamid.read-fail-${randomUUID()}`;
      h.provider.failReadReceipts(fault);
      expect((await post(whatsappText({ from: waId, id: wamid, text: 'hello' }))).status).toBe(200);
      await eventually(async () => receiptFor(wamid), 15_000, 'the read receipt attempt');
      await eventually(async () => repliesTo(waId).length >= 2, 15_000, 'the replies');
      const stored = await h.rt.db.message.findFirstOrThrow({ where: { providerMessageId: wamid } });
      expect(stored.handledAt).not.toBeNull();
    }
  });

  it('a turn answering several messages quotes the one each reply answers', async () => {
    const waId = randomPhone();
    const first = `wamid.q1-${randomUUID()}`;
    const second = `wamid.q2-${randomUUID()}`;
    const a = JSON.parse(whatsappText({ from: waId, id: first, text: 'hello' }));
    const b = JSON.parse(whatsappText({ from: waId, id: second, text: 'where is my order' }));
    a.entry[0].changes[0].value.messages.push(...b.entry[0].changes[0].value.messages);
    expect((await post(JSON.stringify(a))).status).toBe(200);
    const replies = await eventually(async () => {
      const sent = repliesTo(waId);
      return sent.some((r) => r.context?.message_id === second) && sent;
    }, 20_000, 'replies quoting the second message');
    expect(replies.some((r) => r.context?.message_id === first)).toBe(true);
    expect(replies.every((r) => r.context?.message_id === first || r.context?.message_id === second)).toBe(true);
    expect(receiptFor(first)).toBeDefined();
    expect(receiptFor(second)).toBeDefined();
  });
});
