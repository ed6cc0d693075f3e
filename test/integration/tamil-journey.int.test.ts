// The languages issue's done-when: a conversation that starts in Tamil on WhatsApp,
// goes from triage to orders to a person and back, is answered in Tamil at every step,
// and the person sees (and is routed by) the customer's language.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimulatedCustomer, type TurnReport } from '../../src/dev/simulatedCustomer.ts';
import { scriptCounts } from '../../src/i18n/scripts.ts';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let server: Server;
beforeAll(async () => {
  h = await startHarness();
  server = h.app.listen(0);
}, 120_000);
afterAll(async () => {
  server.close();
  await h.close();
});

/** Share of letters in Tamil script, ignoring ids, brand names and numbers. */
function tamilShare(text: string): number {
  const counts = scriptCounts(text.replace(/ShopKart|Baton|ORD-\d+|INV-\d+/g, ' '));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return total ? (counts.get('Tamil') ?? 0) / total : 0;
}
const allTamil = (r: TurnReport) => r.replies.length > 0 && r.replies.every((x) => tamilShare(x.text) > 0.8);

it('answers in Tamil through triage → orders → a person → back to the bot', async () => {
  const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
  const customer = new SimulatedCustomer({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db: h.rt.db,
    appSecret: SECRETS.appSecret,
    phoneNumberId: SECRETS.phoneNumberId,
    name: 'Kavya',
  });

  // No language chosen anywhere: detected from the first message.
  const status = await customer.say('என் ஆர்டர் ORD-1001 எங்கே இருக்கிறது? எப்போது வரும்?');
  expect(status.conversation.locale).toBe('ta');
  expect(status.handoffs.map((x) => `${x.from}>${x.to}:${x.pattern}`)).toContain('bot:triage>bot:orders:orchestrator');
  expect(allTamil(status), JSON.stringify(status.replies)).toBe(true);

  const escalate = await customer.say('ஒரு மனிதரிடம் பேச வேண்டும்');
  expect(escalate.conversation.status).toBe('waiting');
  expect(allTamil(escalate), JSON.stringify(escalate.replies)).toBe(true);

  const tamilAgent = (await h.http.post('/api/admin/agents').set(admin).send({ name: 'Meena', email: `meena-${Date.now()}@shop.test`, role: 'agent', languages: ['ta'], skills: [] })).body as { id: string; token: string };
  const hindiAgent = (await h.http.post('/api/admin/agents').set(admin).send({ name: 'Ravi', email: `ravi-${Date.now()}@shop.test`, role: 'agent', languages: ['hi'], skills: [] })).body as { id: string; token: string };
  const inboxOf = async (token: string) => (await h.http.get('/api/inbox').set({ authorization: `Bearer ${token}` })).body as Array<{ conversationId: string; locale: string }>;
  const item = (await inboxOf(tamilAgent.token)).find((i) => i.conversationId === escalate.conversation.id);
  expect(item?.locale).toBe('ta');
  expect((await inboxOf(hindiAgent.token)).some((i) => i.conversationId === escalate.conversation.id)).toBe(false);

  const claim = await h.http.post(`/api/conversations/${escalate.conversation.id}/claim`).set({ authorization: `Bearer ${tamilAgent.token}` });
  expect(claim.status).toBe(200);
  expect(claim.body.locale).toBe('ta');
  // The customer is told a person joined, in Tamil.
  const joined = await eventually(async () => {
    const m = await h.rt.db.message.findFirst({ where: { conversationId: escalate.conversation.id, authorType: 'agent' }, orderBy: { seq: 'desc' } });
    return m ?? undefined;
  });
  expect(tamilShare(joined.text)).toBeGreaterThan(0.8);

  const released = await h.http
    .post(`/api/conversations/${escalate.conversation.id}/release`)
    .set({ authorization: `Bearer ${tamilAgent.token}` })
    .send({ to: 'bot', note: 'checked with courier' });
  expect(released.status).toBe(200);

  const back = await customer.say('என் ஆர்டர் எப்போது வரும்?');
  expect(back.conversation.ownerType).toBe('bot');
  expect(back.replies.some((r) => r.asks)).toBe(false); // nothing asked again
  expect(back.replies.some((r) => r.text.includes('ORD-1001'))).toBe(true);
  expect(allTamil(back), JSON.stringify(back.replies)).toBe(true);

  // The envelope every handoff carried said Tamil.
  const rows = await h.rt.db.handoffEvent.findMany({ where: { conversationId: escalate.conversation.id } });
  expect(rows.length).toBeGreaterThanOrEqual(4);
  expect(rows.every((r) => (r.envelope as { locale?: string }).locale === 'ta')).toBe(true);
});
