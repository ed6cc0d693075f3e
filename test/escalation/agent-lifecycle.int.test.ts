// Agent lifecycle through the admin API: deactivating an agent stops its token at once,
// ends its event stream and puts the conversations it held back in the queue (on the
// ledger); rotating a token stops the old one at once and the new one works.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useListeningHarness } from '../support/harness.ts';
import { openSse } from '../support/http.ts';
import { ADMIN, bearer, conversation, createAgent, customer, inbox, ledger, placedInQueue } from './helpers.ts';

const suite = useListeningHarness();

describe('PATCH /api/admin/agents/:id', () => {
  it('deactivating: the token answers 401 at once, its stream ends, and the held conversation waits in the inbox again', async () => {
    const agent = await createAgent(suite.h, { name: 'Leaving Agent' });
    const colleague = await createAgent(suite.h, { name: 'Staying Agent' });
    const c = customer(suite.h, suite.server.url);
    const r = await c.say('I want to talk to a human');
    const id = r.conversation.id;
    await placedInQueue(suite.h, id);
    expect((await suite.h.http.post(`/api/conversations/${id}/claim`).set(agent.auth)).status).toBe(200);
    expect((await inbox(suite.h, colleague.auth)).map((i) => i.conversationId)).not.toContain(id);
    const stream = await openSse(`${suite.server.url}/api/events`, agent.auth);
    expect(stream.status).toBe(200);

    const res = await suite.h.http.patch(`/api/admin/agents/${agent.id}`).set(ADMIN).send({ active: false });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: agent.id, active: false, deactivatedAt: expect.any(String), releasedConversations: [id] });

    const me = await suite.h.http.get('/api/me').set(agent.auth);
    expect(me.status).toBe(401);
    expect(me.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    await expect(stream.next(() => false, 5000, 'the end of the stream')).rejects.toThrow(/stream ended/);

    const after = await conversation(suite.h, id);
    expect(after).toMatchObject({ status: 'waiting', owner: { type: 'queue' } });
    const rows = await ledger(suite.h, id);
    expect(rows.at(-1)).toMatchObject({ from: `agent:${agent.id}`, to: 'queue:human', reason: 'released', status: 'accepted' });
    await placedInQueue(suite.h, id);
    expect((await inbox(suite.h, colleague.auth)).map((i) => i.conversationId)).toContain(id);
    expect((await suite.h.http.post(`/api/conversations/${id}/claim`).set(colleague.auth)).status).toBe(200);

    // Reactivated, the same token works again; other fields change without touching `active`.
    const back = await suite.h.http.patch(`/api/admin/agents/${agent.id}`).set(ADMIN).send({ active: true, name: 'Returning Agent', skills: ['billing'] });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ active: true, name: 'Returning Agent', skills: ['billing'], releasedConversations: [] });
    expect((await suite.h.http.get('/api/me').set(agent.auth)).body).toMatchObject({ name: 'Returning Agent', skills: ['billing'] });
  });

  it('answers 404 for an unknown agent and 400 for a bad id or body', async () => {
    const agent = await createAgent(suite.h);
    const unknown = await suite.h.http.patch(`/api/admin/agents/${randomUUID()}`).set(ADMIN).send({ active: false });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: expect.any(String) });
    expect((await suite.h.http.patch('/api/admin/agents/not-a-uuid').set(ADMIN).send({ active: false })).body).toEqual({ error: 'invalid_id', message: 'agent id must be a UUID' });
    for (const body of [{}, { active: 'no' }, { role: 'owner' }, { languages: [] }, { languages: ['xx'] }, { name: '' }, { email: 'new@example.test' }]) {
      const res = await suite.h.http.patch(`/api/admin/agents/${agent.id}`).set(ADMIN).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual({ error: 'invalid_request', message: expect.any(String) });
    }
    expect((await suite.h.http.get('/api/me').set(agent.auth)).status).toBe(200);
  });

  it('is for the admin token only', async () => {
    const agent = await createAgent(suite.h);
    const supervisor = await createAgent(suite.h, { role: 'supervisor' });
    expect((await suite.h.http.patch(`/api/admin/agents/${agent.id}`).send({ active: false })).status).toBe(401);
    expect((await suite.h.http.patch(`/api/admin/agents/${agent.id}`).set(supervisor.auth).send({ active: false })).status).toBe(403);
    expect((await suite.h.http.post(`/api/admin/agents/${agent.id}/token`).set(agent.auth)).status).toBe(403);
    expect((await suite.h.http.get('/api/me').set(agent.auth)).status).toBe(200);
  });
});

describe('POST /api/admin/agents/:id/token', () => {
  it('rotates: the old token answers 401 at once, the new one 200', async () => {
    const agent = await createAgent(suite.h, { name: 'Rotating Agent' });
    const res = await suite.h.http.post(`/api/admin/agents/${agent.id}/token`).set(ADMIN);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'token']);
    expect(res.body.id).toBe(agent.id);
    expect(res.body.token).not.toBe(agent.token);
    expect((await suite.h.http.get('/api/me').set(agent.auth)).status).toBe(401);
    const me = await suite.h.http.get('/api/me').set(bearer(res.body.token as string));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: agent.id, name: 'Rotating Agent' });
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await suite.h.http.post(`/api/admin/agents/${randomUUID()}/token`).set(ADMIN);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: expect.any(String) });
  });
});
