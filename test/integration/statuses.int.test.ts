// Delivery receipts through the real WhatsApp route: a status never moves back, even
// when receipts arrive together or out of order, failure is final, and a receipt that
// beats Baton to recording the provider's id is applied once the id is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, whatsappStatus } from '../support/payloads.ts';
import { postWhatsAppText, WHATSAPP_SEND_PATH } from '../support/whatsappFlow.ts';
import { whatsappWebhookBody } from '../../src/dev/whatsappWebhookBody.ts';
import { SECRETS } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (body: string) => h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
const receipts = (waId: string, id: string, ...statuses: string[]) =>
  whatsappWebhookBody({ phoneNumberId: SECRETS.phoneNumberId, statuses: statuses.map((status) => ({ id, status, recipient_id: waId })) });

async function firstReply(waId: string) {
  await postWhatsAppText(h, { from: waId, id: `wamid.st-${waId}`, text: 'hi' });
  return eventually(async () => {
    const row = await h.rt.db.message.findFirst({ where: { direction: 'outbound', conversation: { externalId: waId }, status: 'sent' }, orderBy: { seq: 'asc' } });
    return row ?? false;
  });
}
const statusOf = async (id: string) => (await h.rt.db.message.findUniqueOrThrow({ where: { id } })).status;

describe('delivery statuses', () => {
  it('never move backwards: read then delivered in one body, and racing bodies, end at read', async () => {
    const waId = randomPhone();
    const reply = await firstReply(waId);
    expect((await post(receipts(waId, reply.providerMessageId!, 'read', 'delivered'))).status).toBe(200);
    expect(await statusOf(reply.id)).toBe('read');
    await Promise.all([post(whatsappStatus({ id: reply.providerMessageId!, status: 'sent', recipient: waId })), post(whatsappStatus({ id: reply.providerMessageId!, status: 'delivered', recipient: waId }))]);
    expect(await statusOf(reply.id)).toBe('read');
  });

  it('end at the furthest of many receipts arriving at once, and failed is final', async () => {
    const waId = randomPhone();
    const reply = await firstReply(waId);
    const id = reply.providerMessageId!;
    await Promise.all(['delivered', 'read', 'sent', 'delivered', 'read', 'sent'].map((status) => post(whatsappStatus({ id, status, recipient: waId }))));
    expect(await statusOf(reply.id)).toBe('read');
    const failed = whatsappWebhookBody({ phoneNumberId: SECRETS.phoneNumberId, statuses: [{ id, status: 'failed', recipient_id: waId, errors: [{ code: 131047, title: 'Re-engagement message' }] }] });
    await post(failed);
    await post(whatsappStatus({ id, status: 'delivered', recipient: waId }));
    const row = await h.rt.db.message.findUniqueOrThrow({ where: { id: reply.id } });
    expect(row).toMatchObject({ status: 'failed', errorCode: '131047' });
  });

  it('apply a receipt that arrived before the provider id was recorded, once it is', async () => {
    const waId = randomPhone();
    const wamid = `wamid.early-${waId}`;
    expect((await post(receipts(waId, wamid, 'delivered'))).status).toBe(200);
    expect(await h.rt.db.earlyStatus.count({ where: { providerMessageId: wamid } })).toBe(1);
    // The next send is answered with that id, as if the receipt had overtaken the answer.
    h.provider.failNext(WHATSAPP_SEND_PATH, { status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: wamid }] } });
    await postWhatsAppText(h, { from: waId, id: `wamid.st-${waId}`, text: 'hi' });
    const row = await eventually(async () => (await h.rt.db.message.findFirst({ where: { providerMessageId: wamid } })) ?? false);
    await eventually(async () => (await statusOf(row.id)) === 'delivered', 5000, 'the early receipt applied');
    expect(await h.rt.db.earlyStatus.count({ where: { providerMessageId: wamid } })).toBe(0);
  });
});
