// Handing on: CSAT when a person resolves — the customer is asked, in their language
// and with 1–5 as choices, how the help was; the answer (even in the next conversation,
// even in native digits) is stored once, thanked, and counted per agent and per bot.
// Transfers to a skill queue, agent assist, and intent corrections (learning from people).
import { translateMessage } from '../../src/workspace/assist.ts';
import { exportCorrections } from '../../src/workspace/corrections.ts';
import { startRecordingServer } from '../support/recordingServer.ts';
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/i18n.ts';
import { eventually, useListeningHarness } from '../support/harness.ts';
import { ADMIN, createAgent, customer, placedInQueue, whatsAppSendsTo } from '../escalation/helpers.ts';

const suite = useListeningHarness();

async function resolvedByAgent(locale: 'en' | 'hi', first: string) {
  const { h, server } = suite;
  const agent = await createAgent(h, { languages: ['en', 'hi'], name: 'Ravi' });
  const c = customer(h, server.url);
  const asked = await c.say(first);
  const id = asked.conversation.id;
  await placedInQueue(h, id);
  expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
  expect((await h.http.post(`/api/conversations/${id}/resolve`).set(agent.auth)).status).toBe(200);
  const question = translator(locale)('escalation:csatAsk');
  const sent = await eventually(async () => whatsAppSendsTo(h, c.waId).find((s) => JSON.stringify(s).includes(question.slice(0, 20))), 15_000, 'the rating question');
  return { c, agent, id, sent };
}

describe('CSAT after a person resolves', () => {
  it('asks with 1–5 choices in the customer language, stores the answer once and thanks them', async () => {
    const { h } = suite;
    const { c, agent, id, sent } = await resolvedByAgent('en', 'I want to talk to a human');
    // Five choices: a WhatsApp list message.
    expect(sent).toMatchObject({ type: 'interactive', interactive: { type: 'list' } });
    const r = await c.say('4');
    expect(r.replies.map((x) => x.text)).toEqual([translator('en')('escalation:csatThanks')]);
    const rows = await h.rt.db.csatRating.findMany({ where: { conversationId: id } });
    expect(rows).toEqual([expect.objectContaining({ rating: 4, agentId: agent.id, botId: 'triage' })]);
    // A second "5" is an ordinary message now: nothing more is stored.
    const again = await c.say('5');
    expect(again.replies.map((x) => x.text)).not.toContain(translator('en')('escalation:csatThanks'));
    expect(await h.rt.db.csatRating.count({ where: { conversationId: id } })).toBe(1);
    const summary = await h.http.get('/api/csat').set(ADMIN);
    expect(summary.status).toBe(200);
    expect(summary.body.agents).toContainEqual({ id: agent.id, name: 'Ravi', ratings: 1, average: 4 });
    expect(summary.body.bots).toContainEqual(expect.objectContaining({ id: 'triage' }));
    const metrics = await h.http.get('/metrics').set(ADMIN);
    expect(metrics.text).toMatch(new RegExp(`baton_csat_ratings_total\\{agent="${agent.id}",bot="triage",rating="4"\\} 1`));
  });

  it('reads native digits and asks in Hindi; anything else drops the question', async () => {
    const { h } = suite;
    const first = await resolvedByAgent('hi', 'मुझे किसी इंसान से बात करनी है');
    await first.c.say('५');
    expect(await h.rt.db.csatRating.findFirst({ where: { conversationId: first.id } })).toMatchObject({ rating: 5 });

    const second = await resolvedByAgent('en', 'I want to talk to a human');
    const r = await second.c.say('hello');
    expect(r.replies.map((x) => x.text)).not.toContain(translator('en')('escalation:csatThanks'));
    await second.c.say('3');
    expect(await h.rt.db.csatRating.count({ where: { conversationId: second.id } })).toBe(0);
  });
});

describe('transfer to a team or skill queue', () => {
  it('goes back to the queue for agents with that skill only, on the ledger as a transfer', async () => {
    const { h } = suite;
    const holder = await createAgent(h, { name: 'Asha' });
    const billing = await createAgent(h, { name: 'Bina', skills: ['billing'] });
    const other = await createAgent(h, { name: 'Kiran', skills: ['orders'] });
    const c = customer(h, suite.server.url);
    const id = (await c.say('I want to talk to a human')).conversation.id;
    await placedInQueue(h, id);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(holder.auth)).status).toBe(200);
    expect((await h.http.post(`/api/conversations/${id}/transfer`).set(holder.auth).send({ skill: 'billing' })).status).toBe(200);
    await placedInQueue(h, id);
    const inboxOf = async (agent: { auth: { authorization: string } }) => ((await h.http.get('/api/inbox').set(agent.auth)).body as Array<{ conversationId: string }>).map((i) => i.conversationId);
    expect(await inboxOf(billing)).toContain(id);
    expect(await inboxOf(other)).not.toContain(id);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(other.auth)).status).toBe(403);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(billing.auth)).status).toBe(200);
    const ledger = (await h.http.get('/api/handoffs').query({ conversationId: id }).set(ADMIN)).body as { handoffs: Array<{ to: string; reason: string }> };
    expect(ledger.handoffs).toContainEqual(expect.objectContaining({ to: 'queue:billing', reason: 'transfer' }));
    expect((await h.http.post(`/api/conversations/${id}/transfer`).set(billing.auth).send({ skill: '' })).status).toBe(400);
  });
});

describe('agent assist', () => {
  it("suggests what the last intent's bot would say now, read-only, in the customer's language", async () => {
    const { h } = suite;
    const agent = await createAgent(h, { name: 'Meena' });
    const c = customer(h, suite.server.url);
    await c.say('where is my order ORD-1001?');
    const id = (await c.say('I want to talk to a human')).conversation.id;
    await placedInQueue(h, id);
    expect((await h.http.get(`/api/conversations/${id}/suggestions`).set(agent.auth)).status).toBe(403);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    const res = await h.http.get(`/api/conversations/${id}/suggestions`).set(agent.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ intent: 'order.status', bot: 'orders' });
    expect(res.body.suggestions[0].text).toMatch(/ORD-1001 has been shipped/);
  });

  it('translates a customer message only when a model is configured (422 no_model otherwise)', async () => {
    const { h } = suite;
    const agent = await createAgent(h, { name: 'Dev', languages: ['en', 'hi'] });
    const c = customer(h, suite.server.url);
    const r = await c.say('मुझे किसी इंसान से बात करनी है, मेरा ईमेल asha@example.com है');
    const id = r.conversation.id;
    await placedInQueue(h, id);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    const inbound = await h.rt.db.message.findFirstOrThrow({ where: { conversationId: id, direction: 'inbound' } });
    const res = await h.http.get(`/api/conversations/${id}/messages/${inbound.id}/translation`).query({ to: 'en' }).set(agent.auth);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('no_model');
    expect((await h.http.get(`/api/conversations/${id}/messages/${inbound.id}/translation`).query({ to: 'xx' }).set(agent.auth)).status).toBe(400);

    // With a model (a recording stand-in): the translation comes back; the email never left.
    const model = await startRecordingServer(() => ({ body: { choices: [{ message: { role: 'assistant', content: 'I want to talk to a person, my email is [email]' } }] } }));
    try {
      const actor = { kind: 'agent' as const, id: agent.id, role: 'agent' as const, name: 'Dev', languages: ['en', 'hi'], skills: [] };
      const done = await translateMessage({ ...h.rt.escalation, config: { llm: { baseUrl: model.url, apiKey: undefined, model: 'm' }, providerTimeoutMs: 2000 } }, actor, id, inbound.id, 'en');
      expect(done).toMatchObject({ messageId: inbound.id, to: 'en', text: 'I want to talk to a person, my email is [email]' });
      expect(model.requests[0]!.raw).toContain('[email]');
      expect(model.requests[0]!.raw).not.toContain('asha@example.com');
    } finally {
      await model.close();
    }
  });
});

describe('learning from people: intent corrections', () => {
  it("records what the customer really wanted, hands the conversation to that intent's bot, exports and erases it", async () => {
    const { h } = suite;
    const agent = await createAgent(h, { name: 'Tara' });
    const bystander = await createAgent(h, { name: 'Ira' });
    const c = customer(h, suite.server.url);
    await c.say('the parcel for ORD-1001 hasnt turned up and I paid already');
    const id = (await c.say('I want to talk to a human')).conversation.id;
    await placedInQueue(h, id);
    const misread = await h.rt.db.message.findFirstOrThrow({ where: { conversationId: id, direction: 'inbound', text: { contains: 'parcel' } } });

    // Only the holder corrects, only with the pack's intents, only customer messages.
    expect((await h.http.post(`/api/conversations/${id}/intent`).set(agent.auth).send({ intent: 'order.status' })).status).toBe(403);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    expect((await h.http.post(`/api/conversations/${id}/intent`).set(bystander.auth).send({ intent: 'order.status' })).status).toBe(403);
    const unknown = await h.http.post(`/api/conversations/${id}/intent`).set(agent.auth).send({ intent: 'pizza.order' });
    expect([unknown.status, unknown.body.error]).toEqual([400, 'unknown_intent']);
    const outbound = await h.rt.db.message.findFirstOrThrow({ where: { conversationId: id, direction: 'outbound' } });
    expect((await h.http.post(`/api/conversations/${id}/intent`).set(agent.auth).send({ intent: 'order.status', messageId: outbound.id })).status).toBe(404);

    const first = await h.http.post(`/api/conversations/${id}/intent`).set(agent.auth).send({ intent: 'billing.refund', messageId: misread.id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ messageId: misread.id, text: misread.text, locale: 'en', intent: 'billing.refund' });

    // Releasing with the intent corrects it again (one row per message) and the owner bot takes over.
    const released = await h.http.post(`/api/conversations/${id}/release`).set(agent.auth).send({ to: 'bot', intent: 'order.status', slots: { orderId: 'ORD-1001' } });
    expect(released.status).toBe(200);
    const release = await h.rt.db.handoffEvent.findFirstOrThrow({ where: { conversationId: id, reason: 'released' }, orderBy: { createdAt: 'desc' } });
    expect([release.toType, release.toId]).toEqual(['bot', 'orders']);
    const mine = (await exportCorrections(h.rt.db)).filter((x) => x.text === misread.text || x.text === 'I want to talk to a human');
    expect(mine).toEqual(
      expect.arrayContaining([
        { text: misread.text, intent: 'billing.refund', locale: 'en' },
        { text: 'I want to talk to a human', intent: 'order.status', locale: 'en' },
      ]),
    );

    // Erasing the customer erases their words in the corrections too.
    const contactId = (await h.rt.db.conversation.findUniqueOrThrow({ where: { id } })).contactId;
    expect((await h.http.delete(`/api/admin/contacts/${contactId}`).set(ADMIN)).status).toBe(200);
    expect(await h.rt.db.intentCorrection.count({ where: { conversationId: id } })).toBe(0);
  });
});
