// Human escalation end to end: customers on WhatsApp through the real webhook, agents
// through the real API, real PostgreSQL and Redis. Every escalation is checked on the
// handoff ledger with its reason; every agent action as a ledger row with agent ids.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBots } from '../../src/packs/loadPack.ts';
import { putStoreOrder, storeInvoiceOf } from '../support/demoStore.ts';
import { loadDemoPack } from '../support/packs.ts';
import type { TurnReport } from '../../src/dev/simulatedCustomer.ts';
import { createApp } from '../../src/http/app.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';
import {
  ADMIN,
  bearer,
  conversation,
  createAgent,
  customer,
  inbox,
  ledger,
  listen,
  openAgentStream,
  placedInQueue,
  sentText,
  whatsAppSendsTo,
  type Listening,
  type TestAgent,
} from './helpers.ts';

let h: Harness;
let web: Listening;

beforeAll(async () => {
  h = await startHarness();
  web = await listen(h.app);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

const QUEUED_NOTICE = /person from our team.*Someone will reply here in about (\d+) minutes?\./;

/** The conversation waits for a person, escalated exactly once, for `reason` (ledger and conversation agree). */
async function expectEscalated(report: TurnReport, reason: string, from?: string) {
  expect(report.conversation.status).toBe('waiting');
  expect(report.conversation.ownerType).toBe('queue');
  const rows = (await ledger(h, report.conversation.id)).filter((r) => r.to === 'queue:human');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ reason, status: 'accepted', pattern: 'escalation' });
  if (from) expect(rows[0]!.from).toBe(from);
  const view = await conversation(h, report.conversation.id);
  expect(view.reason).toBe(reason);
  expect(view.owner.type).toBe('queue');
}

function expectWaitNotice(report: TurnReport) {
  const notice = report.replies.find((r) => QUEUED_NOTICE.test(r.text));
  expect(notice, JSON.stringify(report.replies)).toBeDefined();
  expect(Number(QUEUED_NOTICE.exec(notice!.text)![1])).toBeGreaterThanOrEqual(1);
}

const escalationsIn = (report: TurnReport) => report.handoffs.filter((x) => x.to === 'queue:human');

/** A demo order with an invoice of its own, so no other test changes its refund state. */
async function orderWithInvoice(amountPaise: number): Promise<string> {
  const n = String(100_000 + Math.floor(Math.random() * 899_999));
  const orderId = `ORD-${n}`;
  await putStoreOrder(
    { id: orderId, status: 'delivered', placedAt: new Date(Date.now() - 5 * 864e5).toISOString(), eta: null, deliveredAt: new Date().toISOString(), totalPaise: amountPaise, items: [], refundStatus: null, owner: null },
    { id: `INV-${n}`, orderId, amountPaise, charges: [{ id: `CH-${n}`, amountPaise, at: new Date().toISOString() }], status: 'paid' },
  );
  return orderId;
}

/** A contact who chose a language before writing (the conversation takes its locale). */
async function contactSpeaking(locale: string): Promise<string> {
  const waId = randomPhone();
  await h.rt.db.contact.create({ data: { phone: `+${waId}`, locale, name: `Customer ${locale}` } });
  return waId;
}

describe('each trigger escalates with its reason on the ledger', () => {
  it('low confidence: one clarifying question, then a person', async () => {
    // The customer chose English (gibberish alone would be read as romanized Hindi).
    const c = customer(h, web.url, await contactSpeaking('en'));
    const first = await c.say('blorf snargle wib');
    expect(first.conversation.status).toBe('bot');
    expect(escalationsIn(first)).toHaveLength(0);
    expect(first.replies[0]!.text).toMatch(/didn't quite understand/);
    expect(first.replies.some((x) => (x.options?.length ?? 0) > 0)).toBe(true);

    const second = await c.say('xqzt vbnm plok');
    await expectEscalated(second, 'low_confidence', 'bot:triage');
    expectWaitNotice(second);
  });

  it('an explicit request for a person, in English', async () => {
    const c = customer(h, web.url);
    const r = await c.say('I want to talk to a human');
    await expectEscalated(r, 'customer_request');
    expectWaitNotice(r);
  });

  it('an explicit request for a person, in Hindi', async () => {
    const c = customer(h, web.url, await contactSpeaking('hi'));
    const r = await c.say('मुझे इंसान से बात करनी है');
    expect(r.conversation.locale).toBe('hi');
    await expectEscalated(r, 'customer_request');
    // The customer is told in Hindi, with the estimated wait.
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toMatch(/[\u0900-\u097F]{3}/);
    expect(r.replies[0]!.text).toMatch(/[0-9\u0966-\u096F]+ मिनट/);
  });

  it('frustration: shouting', async () => {
    const c = customer(h, web.url);
    const r = await c.say('WHY HAS NOBODY SORTED OUT MY DELIVERY YET');
    await expectEscalated(r, 'frustration');
    expectWaitNotice(r);
    expect(r.replies.some((x) => x.asks)).toBe(false);
  });

  it('frustration: the same message three times', async () => {
    const c = customer(h, web.url);
    for (let i = 0; i < 2; i++) {
      const r = await c.say('where is my order');
      expect(r.conversation.status).toBe('bot');
      expect(escalationsIn(r)).toHaveLength(0);
      expect(r.replies.some((x) => x.asks === 'orderId')).toBe(true);
    }
    const third = await c.say('Where is my order?');
    await expectEscalated(third, 'frustration');
    expectWaitNotice(third);
  });

  it('a refund above the billing bot authority (₹5,000) goes to a person; one within it does not', async () => {
    const within = await orderWithInvoice(1_000_000);
    const small = customer(h, web.url);
    const ok = await small.say(`I want a refund of ₹3000 for ${within}`);
    expect(ok.conversation.status).toBe('bot');
    expect(escalationsIn(ok)).toHaveLength(0);
    expect(ok.replies.map((x) => x.text).join(' ')).toMatch(/started a refund of ₹3,000(\.00)? for order/);

    const above = await orderWithInvoice(1_000_000);
    const big = customer(h, web.url);
    const r = await big.say(`I want a refund of ₹7000 for ${above}`);
    await expectEscalated(r, 'authority', 'bot:billing');
    expectWaitNotice(r);
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/started a refund/);
    const invoice = await storeInvoiceOf(above);
    expect(invoice?.status).toBe('paid');
  });

  it('a legal threat', async () => {
    const c = customer(h, web.url);
    await c.say('hello');
    const r = await c.say('I will take legal action if my money is not returned');
    await expectEscalated(r, 'legal');
    expectWaitNotice(r);
  });
});

describe('exhausted fallbacks', () => {
  // A runtime of its own whose orders bot cannot take any conversation (its backend is
  // down): every handoff to it fails at the acknowledge step and falls back.
  let rt: Awaited<ReturnType<typeof createRuntime>>;
  let site: Listening;
  beforeAll(async () => {
    const pack = withBots(await loadDemoPack(h.rt.config.databaseUrl), (b) =>
      b.contract.id === 'orders' ? { ...b, acknowledge: () => Promise.reject(new Error('orders backend down')) } : b,
    );
    const config = { ...h.rt.config, queuePrefix: `{test-fallbacks-${randomUUID().slice(0, 8)}}` };
    rt = await createRuntime(config, { databaseUrl: config.databaseUrl!, redisUrl: config.redisUrl! }, h.rt.log, { pack });
    await rt.startWorkers();
    site = await listen(createApp(rt));
  }, 120_000);
  afterAll(async () => {
    await site?.close();
    await rt?.close();
  });

  it('after two failed handoffs the customer goes to a person', async () => {
    const c = customer(h, site.url);
    const first = await c.say('where is my order ORD-1001');
    expect(first.conversation).toMatchObject({ status: 'bot', ownerId: 'triage' });
    expect(first.handoffs).toEqual([expect.objectContaining({ from: 'bot:triage', to: 'bot:orders', status: 'failed' })]);
    expect(escalationsIn(first)).toHaveLength(0);
    expect(first.replies.map((x) => x.text).join(' ')).toMatch(/couldn't reach our orders specialist/);

    const second = await c.say('when will ORD-1001 arrive?');
    await expectEscalated(second, 'fallbacks_exhausted', 'bot:triage');
    expectWaitNotice(second);
  });
});

describe('agents', () => {
  it('POST /api/admin/agents: validation, auth, duplicates; the token is stored only as a hash', async () => {
    const body = { name: 'Priya', email: `priya-${randomUUID()}@agents.test`, role: 'agent', languages: ['hi', 'en'], skills: ['billing'] };
    expect((await h.http.post('/api/admin/agents').send(body)).status).toBe(401);
    expect((await h.http.post('/api/admin/agents').set(bearer('not-a-token')).send(body)).status).toBe(401);
    const someAgent = await createAgent(h);
    const asAgent = await h.http.post('/api/admin/agents').set(someAgent.auth).send(body);
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.error).toBe('forbidden');

    for (const bad of [
      {},
      { ...body, name: '' },
      { ...body, email: 'not-an-email' },
      { ...body, role: 'boss' },
      { ...body, languages: [] },
      { ...body, languages: ['xx'] },
      { ...body, skills: 'billing' },
    ]) {
      const res = await h.http.post('/api/admin/agents').set(ADMIN).send(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }

    const created = await h.http.post('/api/admin/agents').set(ADMIN).send(body);
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'token']);
    const { id, token } = created.body as { id: string; token: string };
    expect(token.length).toBeGreaterThanOrEqual(24);
    const row = await h.rt.db.agent.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).not.toBe(token);
    expect(row.tokenHash).not.toContain(token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row).toMatchObject({ name: 'Priya', role: 'agent', languages: ['hi', 'en'], skills: ['billing'] });

    const me = await h.http.get('/api/me').set(bearer(token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id, kind: 'agent', role: 'agent' });
    expect(JSON.stringify(me.body)).not.toContain(token);

    const duplicate = await h.http.post('/api/admin/agents').set(ADMIN).send({ ...body, email: body.email.toUpperCase() });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('email_taken');
  });

  it('the inbox shows a conversation only to agents who speak its language; supervisors see all', async () => {
    const c = customer(h, web.url, await contactSpeaking('ta'));
    const r = await c.say('I want to talk to a human');
    expect(r.conversation.locale).toBe('ta');
    expect(r.conversation.status).toBe('waiting');
    await placedInQueue(h, r.conversation.id);

    const english = await createAgent(h, { languages: ['en', 'hi'] });
    const tamil = await createAgent(h, { languages: ['ta'] });
    const supervisor = await createAgent(h, { role: 'supervisor', languages: ['en'] });
    const ids = async (a: TestAgent) => (await inbox(h, a.auth)).map((i) => i.conversationId);

    expect(await ids(english)).not.toContain(r.conversation.id);
    expect(await ids(supervisor)).toContain(r.conversation.id);
    const item = (await inbox(h, tamil.auth)).find((i) => i.conversationId === r.conversation.id);
    expect(item).toMatchObject({ channel: 'whatsapp', locale: 'ta', reason: 'customer_request' });
    expect(item!.waitingSince).not.toBeNull();

    const refused = await h.http.post(`/api/conversations/${r.conversation.id}/claim`).set(english.auth);
    expect(refused.status).toBe(403);
    expect((await h.http.post(`/api/conversations/${r.conversation.id}/claim`).set(tamil.auth)).status).toBe(200);
  });

  it('the inbox is most urgent first: a legal threat before a low-confidence escalation that waited longer', async () => {
    // A language no other test uses, so this agent's inbox holds only these two.
    const lowConfidence = customer(h, web.url, await contactSpeaking('sat'));
    await lowConfidence.say('blorf snargle wib');
    const low = await lowConfidence.say('xqzt vbnm plok');
    const legal = await customer(h, web.url, await contactSpeaking('sat')).say('I am sending you a legal notice');
    const lowPriority = await placedInQueue(h, low.conversation.id);
    const legalPriority = await placedInQueue(h, legal.conversation.id);
    expect(legalPriority).toBeGreaterThan(lowPriority);

    const agent = await createAgent(h, { languages: ['sat'] });
    const items = (await inbox(h, agent.auth)).filter((i) => [low.conversation.id, legal.conversation.id].includes(i.conversationId));
    expect(items.map((i) => i.reason)).toEqual(['legal', 'low_confidence']);
    expect(Date.parse(items[1]!.waitingSince!)).toBeLessThan(Date.parse(items[0]!.waitingSince!));
  });

  it('of 20 simultaneous claims exactly one wins', async () => {
    const agents: TestAgent[] = [];
    for (let i = 0; i < 20; i++) agents.push(await createAgent(h, { name: `Racer ${i}` }));
    const c = customer(h, web.url);
    const r = await c.say('I want to talk to a human');
    const id = r.conversation.id;
    await placedInQueue(h, id);
    expect((await inbox(h, agents[0]!.auth)).map((i) => i.conversationId)).toContain(id);

    const claims = await Promise.all(
      agents.map(async (a) => {
        const res = await fetch(`${web.url}/api/conversations/${id}/claim`, { method: 'POST', headers: a.auth });
        return { agent: a, status: res.status, body: (await res.json()) as Record<string, unknown> };
      }),
    );
    const won = claims.filter((x) => x.status === 200);
    const lost = claims.filter((x) => x.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const l of lost) expect(l.body.error).toBe('already_claimed');
    const winner = won[0]!.agent;
    expect(won[0]!.body).toMatchObject({ id, status: 'agent', owner: { type: 'agent', id: winner.id } });

    const claimRows = (await ledger(h, id)).filter((x) => x.reason === 'claim');
    expect(claimRows).toHaveLength(1);
    expect(claimRows[0]).toMatchObject({ from: 'queue:human', to: `agent:${winner.id}`, status: 'accepted' });
    // The customer is told a person joined; the conversation left every inbox.
    await eventually(async () => whatsAppSendsTo(h, c.waId).some((s) => sentText(s)?.includes(`${winner.name} from our team has joined`)), 10_000, 'the joined notice');
    expect((await inbox(h, agents[1]!.auth)).map((i) => i.conversationId)).not.toContain(id);
  });
});

describe('a conversation held by an agent', () => {
  let holder: TestAgent;
  let other: TestAgent;
  let third: TestAgent;
  let supervisor: TestAgent;
  beforeAll(async () => {
    holder = await createAgent(h, { name: 'Holder Asha' });
    other = await createAgent(h, { name: 'Other Ravi' });
    third = await createAgent(h, { name: 'Third Meena' });
    supervisor = await createAgent(h, { role: 'supervisor', name: 'Supervisor Kiran' });
  });

  /** A fresh customer who asked for a person, and the conversation claimed by `agent`. */
  async function held(agent: TestAgent) {
    const c = customer(h, web.url);
    const r = await c.say('I want to talk to a human');
    expect(r.conversation.status).toBe('waiting');
    const claim = await h.http.post(`/api/conversations/${r.conversation.id}/claim`).set(agent.auth);
    expect(claim.status).toBe(200);
    return { c, id: r.conversation.id };
  }
  const post = (path: string, agent: TestAgent, body?: object) => {
    const req = h.http.post(path).set(agent.auth);
    return body ? req.send(body) : req;
  };

  it('the bots stay silent; the message is stored and streamed to the holder only', async () => {
    const { c, id } = await held(holder);
    const holderStream = await openAgentStream(h.rt, web.url, holder.token, [`agent:${holder.id}`]);
    const otherStream = await openAgentStream(h.rt, web.url, other.token, [`agent:${other.id}`]);
    try {
      expect(holderStream.status).toBe(200);
      const r = await c.say('where is my order ORD-1001?');
      expect(r.replies).toHaveLength(0);
      expect(r.conversation).toMatchObject({ status: 'agent', ownerType: 'agent', ownerId: holder.id });
      expect(r.handoffs).toHaveLength(0);

      const view = await h.http.get(`/api/conversations/${id}`).set(holder.auth);
      expect(view.status).toBe(200);
      const messages = (view.body as { messages: Array<{ direction: string; text: string; author: { type: string } }> }).messages;
      expect(messages.at(-1)).toMatchObject({ direction: 'inbound', text: 'where is my order ORD-1001?', author: { type: 'contact' } });

      const event = await holderStream.next((e) => e.event === 'message' && e.data.conversationId === id);
      expect((event.data.message as { text: string; direction: string }).text).toBe('where is my order ORD-1001?');
      expect((event.data.message as { direction: string }).direction).toBe('inbound');
      expect(otherStream.events.filter((e) => e.event === 'message' && e.data.conversationId === id)).toHaveLength(0);
    } finally {
      holderStream.close();
      otherStream.close();
    }
  });

  it('the holder replies on WhatsApp; another agent may not; a supervisor may', async () => {
    const { c, id } = await held(holder);
    const reply = await post(`/api/conversations/${id}/messages`, holder, { text: 'Hi, Asha here. Let me check that for you.' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'outbound', author: { type: 'agent', id: holder.id } });
    await eventually(async () => whatsAppSendsTo(h, c.waId).find((s) => sentText(s) === 'Hi, Asha here. Let me check that for you.'), 10_000, 'the agent reply on WhatsApp');

    const refused = await post(`/api/conversations/${id}/messages`, other, { text: 'I am not holding this' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('forbidden');
    expect((await post(`/api/conversations/${id}/messages`, holder, {})).status).toBe(400);

    const bySupervisor = await post(`/api/conversations/${id}/messages`, supervisor, { text: 'Supervisor here, following up.' });
    expect(bySupervisor.status).toBe(201);
    await eventually(async () => whatsAppSendsTo(h, c.waId).find((s) => sentText(s) === 'Supervisor here, following up.'), 10_000, 'the supervisor reply');
    expect(whatsAppSendsTo(h, c.waId).some((s) => sentText(s) === 'I am not holding this')).toBe(false);
  });

  it('nobody, not even a supervisor, replies into a conversation that no person holds', async () => {
    const waitingOne = await customer(h, web.url).say('I want to talk to a human');
    expect(waitingOne.conversation.status).toBe('waiting');
    const withBot = await customer(h, web.url).say('where is my order ORD-1001');
    expect(withBot.conversation.status).toBe('bot');
    for (const id of [waitingOne.conversation.id, withBot.conversation.id]) {
      for (const who of [supervisor, holder]) {
        const res = await post(`/api/conversations/${id}/messages`, who, { text: 'jumping in' });
        expect(res.status).toBe(403);
        expect(res.body.error).toBe('forbidden');
      }
    }
    const stored = await h.rt.db.message.count({ where: { conversationId: { in: [waitingOne.conversation.id, withBot.conversation.id] }, text: 'jumping in' } });
    expect(stored).toBe(0);
  });

  it('outside the WhatsApp 24-hour window only a template can be sent', async () => {
    const { c, id } = await held(holder);
    await h.rt.db.conversation.update({ where: { id }, data: { lastInboundAt: new Date(Date.now() - 23 * 3600_000) } });
    expect((await post(`/api/conversations/${id}/messages`, holder, { text: 'Still within the window' })).status).toBe(201);

    await h.rt.db.conversation.update({ where: { id }, data: { lastInboundAt: new Date(Date.now() - 25 * 3600_000) } });
    const refused = await post(`/api/conversations/${id}/messages`, holder, { text: 'Are you still there?' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('template_required');

    const template = await post(`/api/conversations/${id}/messages`, holder, { template: { name: 'order_update', language: 'en', params: ['ORD-1001', 'today'] } });
    expect(template.status).toBe(201);
    const sent = await eventually(async () => whatsAppSendsTo(h, c.waId).find((s) => s.type === 'template'), 10_000, 'the template on WhatsApp');
    expect(sent.template).toMatchObject({
      name: 'order_update',
      language: { code: 'en' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'ORD-1001' }, { type: 'text', text: 'today' }] }],
    });
    expect(whatsAppSendsTo(h, c.waId).some((s) => sentText(s) === 'Are you still there?')).toBe(false);
  });

  it('released to a bot, the bot resumes with what the agent learned and does not ask again', async () => {
    const { c, id } = await held(holder);
    const released = await post(`/api/conversations/${id}/release`, holder, {
      to: 'bot',
      note: 'Customer means the phone case order',
      slots: { orderId: 'ORD-1002' },
    });
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('bot');
    expect(released.body.owner.type).toBe('bot');
    expect(released.body.context.slots.orderId.value).toBe('ORD-1002');
    expect(released.body.context.notes).toEqual(expect.arrayContaining([expect.objectContaining({ by: holder.name, text: 'Customer means the phone case order' })]));
    const row = (await ledger(h, id)).at(-1)!;
    expect(row).toMatchObject({ from: `agent:${holder.id}`, to: released.body.owner.type + ':' + released.body.owner.id, reason: 'released', status: 'accepted' });
    await eventually(async () => whatsAppSendsTo(h, c.waId).some((s) => sentText(s)?.includes('handed you back to our virtual assistant')), 10_000, 'the back-to-bot notice');

    const back = await c.say('where is my order');
    expect(back.replies.length).toBeGreaterThan(0);
    expect(back.replies.some((x) => x.asks)).toBe(false);
    expect(back.replies.map((x) => x.text).join(' ')).toMatch(/ORD-1002/);
    expect(back.conversation.status).toBe('bot');
    expect((await post(`/api/conversations/${id}/messages`, holder, { text: 'still mine?' })).status).toBe(403);
  });

  it('released to the queue, it waits again and is back in the inbox', async () => {
    const { id } = await held(holder);
    const released = await post(`/api/conversations/${id}/release`, holder, { to: 'queue', note: 'needs someone from billing' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'waiting', owner: { type: 'queue' } });
    expect((await ledger(h, id)).at(-1)).toMatchObject({ from: `agent:${holder.id}`, to: 'queue:human', reason: 'released', status: 'accepted' });
    await eventually(async () => (await inbox(h, other.auth)).some((i) => i.conversationId === id), 10_000, 'the conversation back in the inbox');
    expect((await post(`/api/conversations/${id}/messages`, holder, { text: 'still mine?' })).status).toBe(403);
    expect((await post(`/api/conversations/${id}/claim`, other)).status).toBe(200);
  });

  it('transferred, it has a new owner and the old one may no longer act', async () => {
    const { c, id } = await held(holder);
    expect((await post(`/api/conversations/${id}/transfer`, third, { agentId: other.id })).status).toBe(403);
    expect((await post(`/api/conversations/${id}/transfer`, holder, { agentId: randomUUID() })).status).toBe(404);
    expect((await post(`/api/conversations/${id}/transfer`, holder, { agentId: 'nobody' })).status).toBe(400);

    const moved = await post(`/api/conversations/${id}/transfer`, holder, { agentId: other.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'agent', owner: { type: 'agent', id: other.id } });
    expect((await ledger(h, id)).at(-1)).toMatchObject({ from: `agent:${holder.id}`, to: `agent:${other.id}`, reason: 'transfer', status: 'accepted' });
    await eventually(async () => whatsAppSendsTo(h, c.waId).some((s) => sentText(s)?.includes(`${other.name} from our team is taking over`)), 10_000, 'the transfer notice');

    expect((await post(`/api/conversations/${id}/messages`, holder, { text: 'old owner' })).status).toBe(403);
    expect((await post(`/api/conversations/${id}/release`, holder, { to: 'queue' })).status).toBe(403);
    expect((await post(`/api/conversations/${id}/messages`, other, { text: 'Ravi here, I have your case now.' })).status).toBe(201);

    // A supervisor may move a conversation someone else holds.
    const bySupervisor = await post(`/api/conversations/${id}/transfer`, supervisor, { agentId: third.id });
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body.owner).toEqual({ type: 'agent', id: third.id });
    expect((await ledger(h, id)).at(-1)).toMatchObject({ from: `agent:${other.id}`, to: `agent:${third.id}`, reason: 'transfer' });
  });

  it('resolved, it is closed and the next message starts a new conversation', async () => {
    const { c, id } = await held(holder);
    expect((await post(`/api/conversations/${id}/resolve`, other)).status).toBe(403);
    const resolved = await post(`/api/conversations/${id}/resolve`, holder);
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    expect((await ledger(h, id)).at(-1)).toMatchObject({ from: `agent:${holder.id}`, to: 'none:resolved', reason: 'resolved', status: 'accepted' });
    await eventually(async () => whatsAppSendsTo(h, c.waId).some((s) => sentText(s)?.includes('This conversation is now closed')), 10_000, 'the closing notice');
    expect((await post(`/api/conversations/${id}/messages`, holder, { text: 'one more thing' })).status).toBe(403);

    const next = await c.say('hello');
    expect(next.conversation.id).not.toBe(id);
    expect(next.conversation.status).toBe('bot');
    expect(next.replies.length).toBeGreaterThan(0);
    expect((await conversation(h, id)).status).toBe('resolved');
  });

  it('a supervisor may release or resolve a conversation another agent holds; an agent may not', async () => {
    const first = await held(holder);
    expect((await post(`/api/conversations/${first.id}/release`, other, { to: 'bot' })).status).toBe(403);
    expect((await post(`/api/conversations/${first.id}/resolve`, other)).status).toBe(403);
    const released = await post(`/api/conversations/${first.id}/release`, supervisor, { to: 'queue' });
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('waiting');
    expect((await ledger(h, first.id)).at(-1)).toMatchObject({ from: `agent:${holder.id}`, to: 'queue:human', reason: 'released' });

    const second = await held(other);
    const resolved = await post(`/api/conversations/${second.id}/resolve`, supervisor);
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    // Nothing is held any more: a supervisor cannot act on it either.
    expect((await post(`/api/conversations/${second.id}/release`, supervisor, { to: 'bot' })).status).toBe(403);
  });
});
