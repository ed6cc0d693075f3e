// The WhatsApp template registry through the real routes, and the automatic notices that
// use it outside the 24-hour window (or are skipped, never sent as free text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, whatsappText } from '../support/payloads.ts';
import { ADMIN, createAgent, type TestAgent } from '../escalation/helpers.ts';

let h: Harness;
let agent: TestAgent;
beforeAll(async () => {
  h = await startHarness();
  agent = await createAgent(h, { name: 'Meera' });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const MESSAGES = `/${SECRETS.phoneNumberId}/messages`;
const sendsTo = (waId: string) => h.provider.sends(MESSAGES).filter((r) => (r.json as { to?: string }).to === waId);
const register = (body: object, auth: { authorization: string } = ADMIN) => h.http.post('/api/admin/templates').set(auth).send(body);
const unique = () => `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** A WhatsApp conversation whose customer last wrote 25 hours ago, waiting in the queue. */
async function staleWaitingConversation() {
  const waId = randomPhone();
  const wamid = `wamid.tpl-${randomUUID()}`;
  const body = whatsappText({ from: waId, id: wamid, text: 'hello' });
  expect((await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body)).status).toBe(200);
  const message = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: wamid } } });
  await eventually(async () => sendsTo(waId).length >= 2, 15_000, 'the bot greeting');
  await h.rt.db.conversation.update({
    where: { id: message.conversationId },
    data: { status: 'waiting', ownerType: 'queue', ownerId: 'human', waitingSince: new Date(), lastInboundAt: new Date(Date.now() - 25 * 3600 * 1000) },
  });
  return { waId, conversationId: message.conversationId, before: sendsTo(waId).length };
}

describe('template registry', () => {
  it('admins register, list and delete; agents list by locale', async () => {
    const name = unique();
    const created = await register({ name, language: 'hi', category: 'UTILITY', components: [{ type: 'BODY', text: '{{1}}' }], parameters: ['name'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name, language: 'hi', category: 'UTILITY', parameters: ['name'], notice: null });
    expect((await register({ name, language: 'hi_IN', category: 'UTILITY' })).status).toBe(201);
    expect((await register({ name, language: 'ta', category: 'UTILITY' })).status).toBe(201);

    const duplicate = await register({ name, language: 'hi', category: 'UTILITY' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ error: 'template_exists' });
    const bad = await register({ name: 'Has Spaces', language: 'hindi', category: 'PROMO', notice: 'escalation:nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect((await register({ name: unique(), language: 'en', category: 'UTILITY' }, agent.auth)).status).toBe(403);

    const forHindi = await h.http.get('/api/templates').query({ locale: 'hi' }).set(agent.auth);
    expect(forHindi.status).toBe(200);
    const mine = (forHindi.body.templates as Array<{ name: string; language: string }>).filter((t) => t.name === name);
    expect(mine.map((t) => t.language).sort()).toEqual(['hi', 'hi_IN']);
    expect((await h.http.get('/api/templates').query({ locale: 'klingon' }).set(agent.auth)).status).toBe(400);
    expect((await h.http.get('/api/templates')).status).toBe(401);

    const all = await h.http.get('/api/admin/templates').set(ADMIN);
    expect((all.body.templates as Array<{ name: string }>).filter((t) => t.name === name)).toHaveLength(3);
    const gone = await h.http.delete(`/api/admin/templates/${created.body.id}`).set(ADMIN);
    expect(gone.status).toBe(200);
    expect((await h.http.delete(`/api/admin/templates/${created.body.id}`).set(ADMIN)).status).toBe(404);
  });
});

describe('automatic notices outside the WhatsApp window', () => {
  it('go as the registered template with its parameters; without one they are skipped and recorded, never sent as text', async () => {
    await h.rt.db.whatsAppTemplate.deleteMany({ where: { notice: { not: null } } });
    expect((await register({ name: 'agent_joined', language: 'en', category: 'UTILITY', parameters: ['name'], notice: 'escalation:agentJoined' })).status).toBe(201);
    const { waId, conversationId, before } = await staleWaitingConversation();

    const claim = await h.http.post(`/api/conversations/${conversationId}/claim`).set(agent.auth).send({});
    expect(claim.status, JSON.stringify(claim.body)).toBe(200);
    const template = await eventually(async () => sendsTo(waId).slice(before).find((r) => (r.json as { type?: string }).type === 'template'));
    expect(template.json).toMatchObject({
      type: 'template',
      template: { name: 'agent_joined', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Meera' }] }] },
    });

    // No template for `resolved`: nothing goes out, and the transcript says why.
    const resolved = await h.http.post(`/api/conversations/${conversationId}/resolve`).set(agent.auth).send({});
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const skipped = await eventually(async () => (await h.rt.db.message.findFirst({ where: { conversationId, errorCode: 'no_template' } })) ?? undefined);
    expect(skipped).toMatchObject({ status: 'failed', direction: 'outbound', payload: { notice: 'escalation:resolved' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(sendsTo(waId).slice(before).every((r) => (r.json as { type?: string }).type === 'template')).toBe(true);
    const metrics = await h.http.get('/metrics');
    expect(metrics.text).toMatch(/baton_notices_total\{notice="escalation:resolved",outcome="skipped"\} [1-9]/);
  });
});
