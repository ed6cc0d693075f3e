// Choices through the real routes: how each channel shows options, and a customer who
// answers them with a number or a title instead of a tap. Also: what never starts a bot
// turn (reactions, system notices) and what reaches the bot as what it is (a location).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappWebhookBody, type WebhookMessage } from '../../src/dev/whatsappWebhookBody.ts';
import { parseContext } from '../../src/handoff/context.ts';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, twilioForm } from '../support/payloads.ts';
import { sendsTo, sleep } from '../support/whatsappFlow.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

let counter = 0;
const MESSAGES_PATH = `/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`;

async function whatsapp(from: string, message: Omit<WebhookMessage, 'from' | 'id'>) {
  const id = `wamid.choices-${from}-${++counter}`;
  const body = whatsappWebhookBody({ phoneNumberId: SECRETS.phoneNumberId, contact: { waId: from, name: 'Mira' }, messages: [{ from, id, ...message }] });
  const res = await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
  expect(res.status).toBe(200);
  return h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: id } } });
}

async function sms(from: string, text: string, extra: Record<string, string> = {}) {
  const sid = `SMchoices${Date.now().toString(16)}${++counter}`;
  const { body, signature } = twilioForm({ MessageSid: sid, AccountSid: SECRETS.twilioSid, From: from, To: SECRETS.twilioFrom, Body: text, NumMedia: '0', ...extra });
  const res = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
  expect(res.status).toBe(200);
  return h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: sid } } });
}

/** The replies to one inbound message, once it is answered and they have all left. */
const answered = (messageId: string) =>
  eventually(async () => {
    const inbound = await h.rt.db.message.findUniqueOrThrow({ where: { id: messageId } });
    if (!inbound.handledAt) return false;
    const replies = await h.rt.db.message.findMany({ where: { idempotencyKey: { startsWith: `${messageId}:` } }, orderBy: { seq: 'asc' } });
    return replies.every((r) => r.status === 'sent') && replies;
  }, 15_000, 'the message answered');

const conversationOf = async (messageId: string) => {
  const { conversationId } = await h.rt.db.message.findUniqueOrThrow({ where: { id: messageId } });
  const c = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  return { ...c, context: parseContext(c.context) };
};

describe('choices on WhatsApp', () => {
  it('shows the four-option menu as a list message, and "3" picks the third option like a tap', async () => {
    const waId = randomPhone();
    const hi = await whatsapp(waId, { type: 'text', text: { body: 'hi' } });
    await answered(hi.id);
    const menu = sendsTo(h.provider, waId).at(-1)!.json as { type: string; interactive: { type: string; action: { button: string; sections: Array<{ rows: Array<{ id: string }> }> } } };
    expect(menu.type).toBe('interactive');
    expect(menu.interactive.type).toBe('list');
    expect(menu.interactive.action.button).toBe('Choose');
    expect(menu.interactive.action.sections[0]!.rows.map((r) => r.id)).toEqual(['orders', 'billing', 'support', 'human']);
    expect((await conversationOf(hi.id)).context.offered?.map((o) => o.id)).toEqual(['orders', 'billing', 'support', 'human']);

    const three = await whatsapp(waId, { type: 'text', text: { body: '3' } });
    await answered(three.id);
    const after = await conversationOf(three.id);
    expect(after.ownerId).toBe('support');
    const handoff = await h.rt.db.handoffEvent.findFirst({ where: { conversationId: after.id, toId: 'support' } });
    expect(handoff?.status).toBe('accepted');
  });

  it('shows more than ten options as numbered lines, and a number picks one (the language list)', async () => {
    const waId = randomPhone();
    const ask = await whatsapp(waId, { type: 'text', text: { body: 'could you please change the language' } });
    const replies = await answered(ask.id);
    const chooser = replies.find((r) => ((r.payload ?? {}) as { options?: unknown[] }).options?.length === 23);
    expect(chooser, JSON.stringify(replies.map((r) => r.text))).toBeDefined();
    const sent = sendsTo(h.provider, waId).find((r) => (r.json as { text?: { body: string } }).text?.body.includes('23. '));
    expect(sent?.json).toMatchObject({ type: 'text' });

    // 7 is the seventh language offered: Hindi.
    const seven = await whatsapp(waId, { type: 'text', text: { body: '7' } });
    await answered(seven.id);
    expect((await conversationOf(seven.id)).locale).toBe('hi');
  });
});

describe('choices on SMS', () => {
  it('numbers the menu, and the title typed back picks that option', async () => {
    const phone = `+${randomPhone()}`;
    const hi = await sms(phone, 'hi');
    await answered(hi.id);
    const sends = h.provider.sends(MESSAGES_PATH).filter((r) => r.form?.To === phone);
    expect(sends.at(-1)!.form!.Body).toMatch(/\n1\. .+\n2\. .+\n3\. .+\n4\. .+$/);

    const pick = await sms(phone, 'technical help');
    await answered(pick.id);
    expect((await conversationOf(pick.id)).ownerId).toBe('support');
  });

  it('"2" picks the second option', async () => {
    const phone = `+${randomPhone()}`;
    await answered((await sms(phone, 'hi')).id);
    const two = await sms(phone, '2');
    const replies = await answered(two.id);
    // Payments and refunds needs an order number first: the question, for billing's intent.
    expect(replies.some((r) => (r.payload as { asks?: string } | null)?.asks === 'orderId')).toBe(true);
    expect((await conversationOf(two.id)).context.awaiting?.intent).toBe('billing.invoice');
  });
});

describe('web chat quick replies', () => {
  it('send the option id with the title, and the bot reads the id', async () => {
    const session = (await h.http.post('/webchat/sessions').send({})).body as { sessionId: string; token: string };
    const post = (body: Record<string, string>) =>
      h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set('authorization', `Bearer ${session.token}`).send(body);
    const res = await post({ text: 'Technical help', replyId: 'support', clientMessageId: 'c-1' });
    expect(res.status).toBe(202);
    await answered(res.body.messageId);
    const stored = await h.rt.db.message.findUniqueOrThrow({ where: { id: res.body.messageId } });
    expect(stored.kind).toBe('interactive');
    expect(stored.payload).toMatchObject({ replyId: 'support' });
    expect((await conversationOf(stored.id)).ownerId).toBe('support');
    const bad = await post({ text: 'x', replyId: '', clientMessageId: 'c-2' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: expect.any(String), message: expect.any(String) });
  });
});

describe('what never starts a bot turn, and what reaches the bot as what it is', () => {
  it('stores reactions and system notices without answering them or counting them', async () => {
    const waId = randomPhone();
    const hi = await whatsapp(waId, { type: 'text', text: { body: 'hi' } });
    const greeted = await answered(hi.id);
    const before = await conversationOf(hi.id);
    const repliesBefore = sendsTo(h.provider, waId).length;

    const reaction = await whatsapp(waId, { type: 'reaction', reaction: { message_id: greeted[0]!.providerMessageId, emoji: '👍' } });
    const removed = await whatsapp(waId, { type: 'reaction', reaction: { message_id: greeted[0]!.providerMessageId } });
    const notice = await whatsapp(waId, { type: 'system', system: { body: 'User A changed from 1 to 2', type: 'user_changed_number', new_wa_id: '2' } });
    for (const m of [reaction, removed, notice]) expect(await answered(m.id)).toEqual([]);
    await sleep(300);
    expect(sendsTo(h.provider, waId)).toHaveLength(repliesBefore);
    const after = await conversationOf(hi.id);
    expect(after.context.turn).toBe(before.context.turn);
    expect(after.context.clarifications).toBe(before.context.clarifications);
    expect(after.status).toBe('bot');
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: reaction.id } })).kind).toBe('reaction');
  });

  it('answers a shared location (twice) as received, not as "didn\'t understand", and never escalates for it', async () => {
    const waId = randomPhone();
    await answered((await whatsapp(waId, { type: 'text', text: { body: 'hi' } })).id);
    for (let i = 0; i < 2; i++) {
      const location = await whatsapp(waId, { type: 'location', location: { latitude: 12.97, longitude: 77.59, name: 'Home' } });
      const replies = await answered(location.id);
      expect(replies[0]!.text).toMatch(/received/);
      expect(replies.map((r) => r.text).join(' ')).not.toMatch(/didn't quite understand/);
    }
    const photo = await whatsapp(waId, { type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg' } });
    expect((await answered(photo.id))[0]!.text).toMatch(/received/);
    const c = await h.rt.db.conversation.findFirstOrThrow({ where: { externalId: waId } });
    expect(c.status).toBe('bot');
    expect(await h.rt.db.handoffEvent.count({ where: { conversationId: c.id, toType: 'queue' } })).toBe(0);
  });
});
