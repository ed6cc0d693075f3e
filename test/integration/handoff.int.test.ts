// Handoffs end to end: a customer on WhatsApp (signed webhook, real queues, workers,
// PostgreSQL and Redis) passed between specialist bots without repeating themselves,
// the ledger that records every transfer, and the read API over it.
import { storeInvoiceOf, storeOrder } from '../support/demoStore.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCustomer, type TurnReport } from '../../src/dev/simulatedCustomer.ts';
import { parseContext } from '../../src/handoff/context.ts';
import { formatDate } from '../../src/i18n/format.ts';
import { translator } from '../../src/i18n/i18n.ts';
import { eventually, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { twilioForm } from '../support/payloads.ts';

let h: Harness;
let server: Listening;
beforeAll(async () => {
  h = await startHarness();
  server = await listen(h.app);
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

const t = translator('en');
const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
const customer = () =>
  new SimulatedCustomer({ baseUrl: server.url, db: h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId, name: 'Asha' });
const texts = (report: TurnReport) => report.replies.map((r) => r.text);
const owner = (report: TurnReport) => (report.conversation.ownerType === 'bot' ? `bot:${report.conversation.ownerId}` : report.conversation.ownerType);

/** What orders should say about ORD-1001, from the order row itself. */
async function ord1001Arrival(): Promise<string> {
  const order = await storeOrder('ORD-1001');
  expect(order?.status).toBe('shipped');
  return formatDate(new Date(order!.eta!), 'en');
}

type HandoffJson = {
  id: string;
  conversationId: string;
  from: string;
  to: string;
  pattern: string;
  reason: string;
  confidence: number | null;
  status: string;
  latencyMs: number | null;
  createdAt: string;
};

describe('context retention across specialists', () => {
  // One customer across the describe: the SMS test continues where WhatsApp left off.
  let asha: SimulatedCustomer;
  let whatsappConversation = '';
  beforeAll(() => {
    asha = customer();
  });

  it('double charge → order id asked once → billing refunds; "where is my order" → orders answers without asking again', async () => {
    const hi = await asha.say('hi');
    expect(owner(hi)).toBe('bot:triage');

    const charged = await asha.say('I was charged twice');
    expect(charged.replies.filter((r) => r.asks === 'orderId')).toHaveLength(1);
    expect(owner(charged)).toBe('bot:triage');

    const answered = await asha.say('ORD-1001');
    expect(answered.handoffs).toEqual([expect.objectContaining({ from: 'bot:triage', to: 'bot:billing', pattern: 'orchestrator', status: 'accepted' })]);
    expect(owner(answered)).toBe('bot:billing');
    expect(texts(answered)).toContain(t('continuity.orderId', { who: t('bots.billing'), value: 'ORD-1001' }));
    const refund = answered.replies.find((r) => /refund/i.test(r.text));
    expect(refund?.author).toBe('billing');
    expect(refund?.text).toContain('INV-1001');
    expect(refund?.text).toContain('ORD-1001');
    expect(await storeInvoiceOf('ORD-1001')).toMatchObject({ id: 'INV-1001', status: 'refund_initiated' });

    const where = await asha.say('and where is my order?');
    expect(where.knownBefore.orderId?.value).toBe('ORD-1001');
    expect(where.replies.some((r) => r.asks === 'orderId' || r.text === t('ask.orderId'))).toBe(false);
    expect(where.handoffs).toEqual([expect.objectContaining({ from: 'bot:billing', to: 'bot:orders', pattern: 'peer', status: 'accepted' })]);
    expect(owner(where)).toBe('bot:orders');
    // The continuity line names the specialist and the order, then orders answers from the order itself.
    expect(where.replies[0]).toMatchObject({ text: t('continuity.orderId', { who: t('bots.orders'), value: 'ORD-1001' }), author: 'orders' });
    const status = where.replies.find((r) => r.text.includes('ORD-1001') && r.author === 'orders' && r !== where.replies[0]);
    expect(status?.text).toMatch(/shipped/i);
    expect(status?.text).toContain(await ord1001Arrival());

    // Across the whole conversation the order id was asked for exactly once.
    const asked = await h.rt.db.message.findMany({ where: { conversationId: where.conversation.id, direction: 'outbound' } });
    expect(asked.filter((m) => (m.payload as { asks?: string } | null)?.asks === 'orderId')).toHaveLength(1);
    whatsappConversation = where.conversation.id;
  });

  it('GET /api/conversations/:id shows the handoffs as a timeline and the order id in context.slots', async () => {
    expect(whatsappConversation).not.toBe('');
    const res = await h.http.get(`/api/conversations/${whatsappConversation}`).set(admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: whatsappConversation, channel: 'whatsapp', status: 'bot', owner: { type: 'bot', id: 'orders' } });
    expect(res.body.context.slots.orderId.value).toBe('ORD-1001');
    const timeline = res.body.handoffs as HandoffJson[];
    expect(timeline.map((e) => `${e.from}>${e.to}:${e.pattern}:${e.status}`)).toEqual([
      'bot:triage>bot:billing:orchestrator:accepted',
      'bot:billing>bot:orders:peer:accepted',
    ]);
    const times = timeline.map((e) => Date.parse(e.createdAt));
    expect(times[0]! <= times[1]!).toBe(true);
    expect(res.body.messages.length).toBeGreaterThanOrEqual(8);
  });

  it('the same phone on SMS starts a new conversation that already knows the order id', async () => {
    const phone = `+${asha.waId}`;
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    const { body, signature } = twilioForm({
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: SECRETS.twilioSid,
      From: phone,
      To: SECRETS.twilioFrom,
      Body: 'where is my order',
      NumMedia: '0',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });
    const res = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
    expect(res.status).toBe(200);

    const inbound = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: sid } } });
    expect(inbound.conversationId).not.toBe(whatsappConversation);
    const replies = await eventually(
      async () => {
        const handled = await h.rt.db.message.findUniqueOrThrow({ where: { id: inbound.id } });
        const out = await h.rt.db.message.findMany({ where: { idempotencyKey: { startsWith: `${inbound.id}:` } }, orderBy: { seq: 'asc' } });
        return handled.handledAt !== null && out.length > 0 && out.every((m) => m.status === 'sent') && out;
      },
      20_000,
      'the SMS answer',
    );
    expect(replies.some((m) => (m.payload as { asks?: string } | null)?.asks === 'orderId')).toBe(false);
    const status = replies.find((m) => m.text.includes('ORD-1001') && /shipped/i.test(m.text));
    expect(status?.authorId).toBe('orders');
    expect(status?.text).toContain(await ord1001Arrival());

    const sms = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: inbound.conversationId }, include: { contact: true } });
    expect(sms.channel).toBe('sms');
    expect(sms.contact.phone).toBe(phone);
    expect(parseContext(sms.context).slots.orderId?.value).toBe('ORD-1001');
    expect(sms).toMatchObject({ ownerType: 'bot', ownerId: 'orders' });
    const wa = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: whatsappConversation } });
    expect(wa.contactId).toBe(sms.contactId);
    // The Twilio stand-in got the answer, to that phone.
    const smsSends = h.provider.sends(`/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`).filter((r) => r.form?.To === phone);
    expect(smsSends.some((r) => r.form?.Body?.includes('ORD-1001'))).toBe(true);
  });
});

describe('the four handoff patterns on the ledger', () => {
  let conversationId = '';

  it('orchestrator, explicit, implicit and peer in one realistic conversation, then an escalation', async () => {
    const ravi = customer();

    // Triage (orchestrator) routes the new topic to support.
    const crash = await ravi.say('my app keeps crashing');
    expect(crash.handoffs).toEqual([expect.objectContaining({ from: 'bot:triage', to: 'bot:support', pattern: 'orchestrator', reason: 'routed', status: 'accepted' })]);
    expect(owner(crash)).toBe('bot:support');
    expect(crash.replies.some((r) => r.author === 'support' && /step 1/i.test(r.text))).toBe(true);

    // Support (explicit) decides itself to pass an order question on.
    const order = await ravi.say('where is my order ORD-1001');
    expect(order.handoffs).toEqual([expect.objectContaining({ from: 'bot:support', to: 'bot:orders', pattern: 'explicit', reason: 'out_of_scope', status: 'accepted' })]);
    expect(owner(order)).toBe('bot:orders');
    expect(order.replies.some((r) => r.author === 'orders' && r.text.includes('ORD-1001') && /shipped/i.test(r.text))).toBe(true);

    // Orders (implicit) hands a billing question straight to billing.
    const charged = await ravi.say('I was charged twice');
    expect(charged.handoffs).toEqual([expect.objectContaining({ from: 'bot:orders', to: 'bot:billing', pattern: 'implicit', reason: 'out_of_scope', status: 'accepted' })]);
    expect(charged.replies.some((r) => r.asks === 'orderId')).toBe(false);
    expect(charged.replies.some((r) => r.author === 'billing' && /refund/i.test(r.text))).toBe(true);

    // Billing (peer) hands back to orders directly: a new topic, not ping-pong.
    const where = await ravi.say('where is my order?');
    expect(where.handoffs).toEqual([expect.objectContaining({ from: 'bot:billing', to: 'bot:orders', pattern: 'peer', reason: 'out_of_scope', status: 'accepted' })]);
    expect(where.conversation.status).toBe('bot');

    // And a person when asked for.
    const human = await ravi.say('I want to talk to a human');
    expect(human.handoffs).toEqual([expect.objectContaining({ from: 'bot:orders', to: 'queue:human', pattern: 'escalation', status: 'accepted' })]);
    expect(human.conversation.status).toBe('waiting');
    conversationId = human.conversation.id;
  });

  it('explicit: a specialist asks once for what the next one needs, instead of leaving the customer unanswered', async () => {
    const meera = customer();
    await meera.say('my app keeps crashing');
    const where = await meera.say('where is my order');
    // No refused handoff (context loss) and no silence: support asks for the order id.
    expect(where.handoffs).toEqual([]);
    expect(where.replies).toEqual([expect.objectContaining({ asks: 'orderId', author: 'support' })]);
    const given = await meera.say('ORD-1001');
    expect(given.handoffs).toEqual([expect.objectContaining({ from: 'bot:support', to: 'bot:orders', pattern: 'explicit', status: 'accepted' })]);
    expect(given.replies.some((r) => r.author === 'orders' && r.text.includes('ORD-1001') && /shipped/i.test(r.text))).toBe(true);
    expect(given.conversation.context.fallbacks).toBe(0);
  });

  it('GET /api/handoffs?conversationId= returns those events with the contract fields, newest first', async () => {
    expect(conversationId).not.toBe('');
    const res = await h.http.get('/api/handoffs').query({ conversationId }).set(admin);
    expect(res.status).toBe(200);
    const events = res.body.handoffs as HandoffJson[];
    expect(events.map((e) => e.pattern)).toEqual(['escalation', 'peer', 'implicit', 'explicit', 'orchestrator']);
    for (const e of events) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['id', 'conversationId', 'from', 'to', 'pattern', 'reason', 'confidence', 'status', 'latencyMs', 'createdAt']));
      expect(e.conversationId).toBe(conversationId);
      expect(e.status).toBe('accepted');
      expect(typeof e.latencyMs).toBe('number');
      expect(e.confidence === null || (e.confidence >= 0 && e.confidence <= 1)).toBe(true);
      expect(new Date(e.createdAt).toISOString()).toBe(e.createdAt);
    }
    expect(events.at(-1)).toMatchObject({ from: 'bot:triage', to: 'bot:support', pattern: 'orchestrator', reason: 'routed' });
    expect(events[0]).toMatchObject({ from: 'bot:orders', to: 'queue:human', pattern: 'escalation', reason: 'customer_request' });
    const createdAt = events.map((e) => Date.parse(e.createdAt));
    expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);

    // Paged: two at a time, following nextCursor, the same events, none twice.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { handoffs: HandoffJson[]; nextCursor: string | null } } = await h.http
        .get('/api/handoffs')
        .query({ conversationId, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(admin);
      expect(page.status).toBe(200);
      expect(page.body.handoffs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.handoffs.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it('agents list handoffs per conversation only; no token is 401; a malformed cursor is 400', async () => {
    const created = await h.http
      .post('/api/admin/agents')
      .set(admin)
      .send({ name: 'Priya', email: `priya-${randomUUID()}@example.com`, role: 'agent', languages: ['en'], skills: ['billing'] });
    expect(created.status).toBe(201);
    const agent = { authorization: `Bearer ${created.body.token as string}` };

    const all = await h.http.get('/api/handoffs').set(agent);
    expect(all.status).toBe(403);
    expect(all.body.error).toBe('forbidden');
    // The conversation waits for a person, so an agent may read its ledger.
    const one = await h.http.get('/api/handoffs').query({ conversationId }).set(agent);
    expect(one.status).toBe(200);
    expect((one.body.handoffs as HandoffJson[]).length).toBe(5);
    // The admin token (a supervisor's reach) may list everything.
    const everything = await h.http.get('/api/handoffs').set(admin);
    expect(everything.status).toBe(200);
    expect((everything.body.handoffs as HandoffJson[]).length).toBeGreaterThan(0);

    const anonymous = await h.http.get('/api/handoffs').query({ conversationId });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
    expect((await h.http.get('/api/handoffs').query({ conversationId }).set({ authorization: 'Bearer not-a-token' })).status).toBe(401);

    const badCursor = await h.http.get('/api/handoffs').query({ conversationId, cursor: 'not-a-cursor' }).set(admin);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const badId = await h.http.get('/api/handoffs').query({ conversationId: 'nope' }).set(admin);
    expect(badId.status).toBe(400);
  });
});

describe('the envelope schema', () => {
  it('GET /schemas/handoff-envelope.v1.json is a JSON Schema requiring handoffId, slots, lineage and hopCount', async () => {
    const res = await h.http.get('/schemas/handoff-envelope.v1.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/json/);
    const schema = JSON.parse(res.text) as { $schema?: string; type?: string; required?: string[]; properties?: Record<string, { type?: string }> };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['handoffId', 'slots', 'lineage', 'hopCount']));
    expect(schema.properties?.lineage?.type).toBe('array');
    expect(schema.properties?.hopCount?.type).toBe('integer');
    expect(schema.properties?.slots?.type).toBe('object');
  });
});
