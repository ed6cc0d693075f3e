// The agent workspace over the API: labels and filters, private notes (never sent, carried
// to the bot on release), saved replies (team and personal, per language, placeholders
// filled and money formatted), full-text search in any script, the team list with
// presence, auto-assignment by load and "take next", the console's labels and script.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { ADMIN, createAgent, customer, listen, placedInQueue, whatsAppSendsTo, type Listening } from '../escalation/helpers.ts';

const CONSOLE_DIR = path.resolve(import.meta.dirname, '../../src/console');
let h: Harness;
let web: Listening;
beforeAll(async () => {
  h = await startHarness();
  web = await listen(h.app);
});
afterAll(async () => {
  await web?.close();
  await h?.close();
});

/** A WhatsApp customer who asked for a person, waiting in the queue. */
async function waiting(text = 'I want to talk to a human', name = 'Asha Verma') {
  const c = customer(h, web.url);
  const r = await c.say(text);
  const id = r.conversation.id;
  await placedInQueue(h, id);
  const conv = await h.rt.db.conversation.findUniqueOrThrow({ where: { id } });
  await h.rt.db.contact.update({ where: { id: conv.contactId }, data: { name } });
  return { id, waId: c.waId };
}

describe('labels and filters', () => {
  it('labels a conversation atomically and filters the list by label, status, channel, language and agent', async () => {
    const agent = await createAgent(h, { name: 'Label Agent' });
    const { id } = await waiting();
    const add = await h.http.post(`/api/conversations/${id}/labels`).set(agent.auth).send({ add: ['Refund', 'vip'] });
    expect(add.status, JSON.stringify(add.body)).toBe(200);
    expect(add.body).toEqual({ labels: ['refund', 'vip'] });
    const both = await Promise.all([
      h.http.post(`/api/conversations/${id}/labels`).set(agent.auth).send({ add: ['urgent'] }),
      h.http.post(`/api/conversations/${id}/labels`).set(agent.auth).send({ add: ['बिलिंग'], remove: ['vip'] }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect((await h.rt.db.conversation.findUniqueOrThrow({ where: { id } })).labels.sort()).toEqual(['refund', 'urgent', 'बिलिंग'].sort());
    expect((await h.http.post(`/api/conversations/${id}/labels`).set(agent.auth).send({ add: ['<b>'] })).status).toBe(400);

    const list = async (q: Record<string, string>) =>
      ((await h.http.get('/api/conversations').query(q).set(ADMIN)).body as { conversations: Array<{ id: string; labels: string[] }> }).conversations.map((c) => c.id);
    expect(await list({ label: 'refund' })).toEqual([id]);
    expect(await list({ label: 'refund', status: 'waiting', channel: 'whatsapp', locale: 'en' })).toEqual([id]);
    expect(await list({ label: 'refund', channel: 'sms' })).toEqual([]);
    expect((await h.http.get('/api/labels').set(agent.auth)).body.labels).toEqual(expect.arrayContaining(['refund', 'urgent', 'बिलिंग']));
    expect((await h.http.get('/api/inbox').set(agent.auth)).body.find((i: { conversationId: string }) => i.conversationId === id)).toMatchObject({
      contactName: 'Asha Verma',
      labels: expect.arrayContaining(['refund']),
    });

    expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    expect(await list({ agent: agent.id })).toEqual([id]);
  });
});

describe('private notes', () => {
  it('are kept in the context, never sent to the customer, and travel to the bot on release', async () => {
    const agent = await createAgent(h, { name: 'Note Agent' });
    const other = await createAgent(h, { name: 'Other Agent' });
    const { id, waId } = await waiting();
    expect((await h.http.post(`/api/conversations/${id}/notes`).set(agent.auth).send({ text: 'not mine yet' })).status).toBe(403);
    expect((await h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    const sendsBefore = whatsAppSendsTo(h, waId).length;
    const messagesBefore = await h.rt.db.message.count({ where: { conversationId: id } });

    const note = await h.http.post(`/api/conversations/${id}/notes`).set(agent.auth).send({ text: 'Refund approved; ORD-1002 only' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body).toMatchObject({ by: 'Note Agent', text: 'Refund approved; ORD-1002 only' });
    expect((await h.http.post(`/api/conversations/${id}/notes`).set(other.auth).send({ text: 'sneaky' })).status).toBe(403);

    const view = await h.http.get(`/api/conversations/${id}`).set(agent.auth);
    expect(view.body.context.notes).toEqual([expect.objectContaining({ by: 'Note Agent', text: 'Refund approved; ORD-1002 only' })]);
    expect(await h.rt.db.message.count({ where: { conversationId: id } })).toBe(messagesBefore);
    await new Promise((r) => setTimeout(r, 300));
    expect(whatsAppSendsTo(h, waId).slice(sendsBefore).some((s) => JSON.stringify(s).includes('ORD-1002 only'))).toBe(false);

    expect((await h.http.post(`/api/conversations/${id}/release`).set(agent.auth).send({ to: 'bot' })).status).toBe(200);
    const release = await h.rt.db.handoffEvent.findFirstOrThrow({ where: { conversationId: id, reason: 'released' }, orderBy: { createdAt: 'desc' } });
    expect(JSON.stringify((release.envelope as { notes?: unknown }).notes)).toContain('Refund approved; ORD-1002 only');
  });
});

describe('saved replies', () => {
  it('team-wide and personal, ready for a conversation in its language with placeholders filled', async () => {
    const supervisor = await createAgent(h, { name: 'Sup', role: 'supervisor', languages: ['en', 'hi'] });
    const agent = await createAgent(h, { name: 'Ravi', languages: ['en', 'hi'] });
    const team = await h.http
      .post('/api/canned-responses')
      .set(supervisor.auth)
      .send({ shortcut: 'refund', text: 'Hi {{name}}, your refund of {{refundPaise}} for {{orderId}} is on its way. {{unknown}}', translations: { hi: 'नमस्ते {{name}}, {{orderId}} का {{refundPaise}} का रिफ़ंड भेज दिया गया है।' }, team: true });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    expect((await h.http.post('/api/canned-responses').set(agent.auth).send({ shortcut: 'x', text: 'y', team: true })).status).toBe(403);
    expect((await h.http.post('/api/canned-responses').set(ADMIN).send({ shortcut: 'hello', text: 'Hello!', team: false })).status).toBe(403);
    const mine = await h.http.post('/api/canned-responses').set(agent.auth).send({ shortcut: 'thanks', text: 'Thanks, {{name}}! — {{agent}}' });
    expect(mine.status).toBe(201);
    expect((await h.http.post('/api/canned-responses').set(agent.auth).send({ shortcut: 'thanks', text: 'again' })).status).toBe(409);
    // Another agent does not see Ravi's own reply.
    const listed = (await h.http.get('/api/canned-responses').set(supervisor.auth)).body as Array<{ shortcut: string }>;
    expect(listed.map((c) => c.shortcut)).toContain('refund');
    expect(listed.map((c) => c.shortcut)).not.toContain('thanks');

    const { id } = await waiting('I want to talk to a human', 'Asha');
    await h.rt.db.conversation.update({
      where: { id },
      data: { context: { slots: { refundPaise: { value: '249900', pii: false }, orderId: { value: 'ORD-1002', pii: false } } } },
    });
    const ready = async () => (await h.http.get(`/api/conversations/${id}/canned-responses`).set(agent.auth)).body as Array<{ shortcut: string; text: string; language: string | null }>;
    const en = await ready();
    expect(en.find((r) => r.shortcut === 'refund')).toMatchObject({ language: null, text: 'Hi Asha, your refund of ₹2,499.00 for ORD-1002 is on its way. {{unknown}}' });
    expect(en.find((r) => r.shortcut === 'thanks')?.text).toBe('Thanks, Asha! — Ravi');
    // A Hindi (and a Maithili, which falls back to Hindi) conversation gets the Hindi text.
    await h.rt.db.conversation.update({ where: { id }, data: { locale: 'mai' } });
    const mai = await ready();
    expect(mai.find((r) => r.shortcut === 'refund')).toMatchObject({ language: 'hi', text: expect.stringMatching(/^नमस्ते Asha, ORD-1002 का ₹\s?2,499\.00 का रिफ़ंड भेज दिया गया है।$/) });

    expect((await h.http.delete(`/api/canned-responses/${team.body.id}`).set(agent.auth)).status).toBe(403);
    expect((await h.http.delete(`/api/canned-responses/${mine.body.id}`).set(agent.auth)).status).toBe(200);
    expect((await ready()).map((r) => r.shortcut)).toEqual(['refund']);
  });
});

describe('search', () => {
  it('finds messages word for word in any script, and customers by name, newest first and paginated', async () => {
    const agent = await createAgent(h, { name: 'Search Agent' });
    const hindi = await waiting('I want to talk to a human', 'Meera');
    const english = await waiting('I want to talk to a human', 'Kiran Zebra');
    const said = (conversationId: string, text: string) =>
      h.rt.db.message.create({ data: { conversationId, direction: 'inbound', authorType: 'contact', channel: 'whatsapp', text, status: 'received' } });
    await said(hindi.id, 'मेरा रिफ़ंड कहाँ है?');
    await said(english.id, 'my parcel zebrafish never arrived');
    const search = async (q: string, extra: Record<string, string> = {}) => (await h.http.get('/api/search').query({ q, ...extra }).set(agent.auth)).body as { hits: Array<{ conversationId: string; messageId: string | null; text: string }>; nextCursor: string | null };
    expect((await search('रिफ़ंड')).hits.map((x) => x.conversationId)).toContain(hindi.id);
    expect((await search('zebrafish')).hits).toEqual([expect.objectContaining({ conversationId: english.id, text: expect.stringContaining('zebrafish') })]);
    expect((await search('Zebra')).hits.some((x) => x.messageId === null && x.conversationId === english.id)).toBe(true);
    const first = await search('human', { limit: '1' });
    expect(first.nextCursor).not.toBeNull();
    const second = await search('human', { limit: '1', cursor: first.nextCursor! });
    expect(second.hits[0]?.messageId).not.toBe(first.hits.at(-1)?.messageId);
    const plan = await h.rt.db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
      `EXPLAIN SELECT id FROM "Message" WHERE "searchVector" @@ plainto_tsquery('simple', 'zebrafish')`,
    );
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/Message_searchVector_idx|Seq Scan/);
  });
});

describe('team, presence and assignment', () => {
  it('lists agents with presence and load; available agents are given waiting conversations by load; take next claims one', async () => {
    await h.rt.db.conversation.updateMany({ where: { status: 'waiting' }, data: { status: 'resolved', ownerType: 'bot', openKey: null } });
    await h.rt.db.agent.updateMany({ data: { presence: 'away' } });
    const a = await createAgent(h, { name: 'Avail A' });
    const b = await createAgent(h, { name: 'Avail B' });
    const first = await waiting();
    expect((await h.http.post(`/api/conversations/${first.id}/claim`).set(a.auth)).status).toBe(200);
    // Both say they are here and available while nothing waits.
    expect((await h.http.post('/api/me/presence').set(a.auth).send({ presence: 'available' })).body).toEqual({ presence: 'available', assigned: [] });
    expect((await h.http.post('/api/me/presence').set(b.auth).send({ presence: 'available' })).body).toEqual({ presence: 'available', assigned: [] });
    const c1 = await waiting();
    const c2 = await waiting();
    // a holds one, b none: b gets the most urgent, then they are even.
    const pass = await h.http.post('/api/assignments').set(ADMIN);
    expect(pass.body.assigned.sort()).toEqual([c1.id, c2.id].sort());
    const team = (await h.http.get('/api/agents').set(a.auth)).body as Array<{ id: string; name: string; online: boolean; presence: string; load: number }>;
    const byId = new Map(team.map((m) => [m.id, m]));
    expect(byId.get(a.id)).toMatchObject({ online: true, presence: 'available' });
    expect((byId.get(a.id)?.load ?? 0) + (byId.get(b.id)?.load ?? 0)).toBe(3);
    expect(Math.abs((byId.get(a.id)?.load ?? 0) - (byId.get(b.id)?.load ?? 0))).toBeLessThanOrEqual(1);
    for (const id of [c1.id, c2.id]) expect((await h.rt.db.conversation.findUniqueOrThrow({ where: { id } })).status).toBe('agent');

    const c3 = await waiting();
    const taker = await createAgent(h, { name: 'Taker' });
    expect((await h.http.post('/api/inbox/next').set(taker.auth)).body).toEqual({ conversationId: c3.id });
    expect((await h.http.post('/api/inbox/next').set(taker.auth)).body).toEqual({ conversationId: null });
    expect((await h.http.post('/api/assignments').set(taker.auth)).status).toBe(403);
    expect((await h.http.post('/api/assignments').set(ADMIN)).body).toEqual({ assigned: [] });
  });
});

describe('the console', () => {
  it('serves its labels in the agent language (Urdu right to left) and its bundled script', async () => {
    const ur = await h.http.get('/agent/strings').query({ locale: 'ur' });
    expect(ur.status).toBe(200);
    expect(ur.body).toMatchObject({ locale: 'ur', dir: 'rtl' });
    expect(ur.body.strings.claim).toBe('لیں');
    expect((await h.http.get('/agent/strings').query({ locale: 'xx' })).body).toMatchObject({ locale: 'en', dir: 'ltr' });
    const js = await h.http.get('/agent.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text.length).toBeGreaterThan(10_000);
    // Customer text is only ever rendered as text: the console's own code never sets HTML.
    for (const file of readdirSync(CONSOLE_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      expect(readFileSync(path.join(CONSOLE_DIR, file), 'utf8'), file).not.toMatch(/innerHTML|dangerouslySetInnerHTML|insertAdjacentHTML/);
    }
  });
});
