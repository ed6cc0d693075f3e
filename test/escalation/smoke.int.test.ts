import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SimulatedCustomer } from '../../src/dev/simulatedCustomer.ts';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let server: Server;
let base: string;
beforeAll(async () => {
  h = await startHarness({ env: { SLA_REPLY_SECONDS: '2', SLA_UNCLAIMED_SECONDS: '1' } });
  server = h.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await h.close();
});

it('escalates, one of 20 claims wins, the bot stays silent, release hands back', async () => {
  const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
  const agents = [];
  for (let i = 0; i < 20; i++) {
    const r = await h.http.post('/api/admin/agents').set(admin).send({ name: `A${i}`, email: `a${i}-${Date.now()}@x.test`, role: 'agent', languages: ['en'], skills: [] });
    expect(r.status).toBe(201);
    agents.push(r.body as { id: string; token: string });
  }
  const c = new SimulatedCustomer({ baseUrl: base, db: h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId });
  await c.say('I was charged twice for ORD-1001');
  const r = await c.say('I want to talk to a human');
  expect(r.conversation.status).toBe('waiting');
  const inbox = await h.http.get('/api/inbox').set({ authorization: `Bearer ${agents[0]!.token}` });
  expect(inbox.body.map((i: { conversationId: string }) => i.conversationId)).toContain(r.conversation.id);
  const claims = await Promise.all(agents.map((a) => h.http.post(`/api/conversations/${r.conversation.id}/claim`).set({ authorization: `Bearer ${a.token}` })));
  const statuses = claims.map((x) => x.status).sort();
  console.log(statuses.join(','));
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  const winner = agents[claims.findIndex((x) => x.status === 200)]!;
  const quiet = await c.say('hello? anyone?');
  expect(quiet.replies).toHaveLength(0);
  const reply = await h.http.post(`/api/conversations/${r.conversation.id}/messages`).set({ authorization: `Bearer ${winner.token}` }).send({ text: 'Hi, Priya here' });
  expect(reply.status).toBe(201);
  const loser = agents.find((a) => a !== winner)!;
  expect((await h.http.post(`/api/conversations/${r.conversation.id}/messages`).set({ authorization: `Bearer ${loser.token}` }).send({ text: 'x' })).status).toBe(403);
  const rel = await h.http.post(`/api/conversations/${r.conversation.id}/release`).set({ authorization: `Bearer ${winner.token}` }).send({ to: 'bot', note: 'refund done manually' });
  expect(rel.status).toBe(200);
  console.log(rel.body.owner, rel.body.handoffs.map((x: { from: string; to: string; reason: string }) => `${x.from}->${x.to} ${x.reason}`));
  const back = await c.say('where is my order?');
  console.log(back.replies);
  expect(back.replies.some((x) => /ORD-1001/.test(x.text))).toBe(true);
});
