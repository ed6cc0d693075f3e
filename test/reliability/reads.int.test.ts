// Issue #15, reading conversations: an agent sees a waiting conversation (by id, in the
// list, by phone number, its handoffs) only when they may take it — the customer's
// language and the skill its topic needs — as for a claim; supervisors see all.
import { describe, expect, it } from 'vitest';
import { createAgent } from '../escalation/helpers.ts';
import { randomPhone } from '../support/harness.ts';
import { customerWrites, useHarness } from './support.ts';

const h = useHarness('reads');

async function waiting(locale: string, intent: string) {
  const phone = randomPhone();
  const message = await customerWrites(h, phone, 'hello');
  await h.rt.db.conversation.update({
    where: { id: message.conversationId },
    data: { status: 'waiting', ownerType: 'queue', ownerId: null, waitingSince: new Date(), locale, context: { intent, slots: {}, lineage: [] } },
  });
  return { id: message.conversationId, phone };
}

describe('what an agent may read', () => {
  it('is what they may take: language and skill decide, as for a claim', async () => {
    const billingHindi = await waiting('hi', 'billing.refund');
    const ordersEnglish = await waiting('en', 'order.status');
    const englishOrders = await createAgent(h, { languages: ['en'], skills: ['orders'] });
    const supervisor = await createAgent(h, { role: 'supervisor', languages: ['en'] });

    const get = (id: string, auth: { authorization: string }) => h.http.get(`/api/conversations/${id}`).set(auth);
    expect((await get(ordersEnglish.id, englishOrders.auth)).status).toBe(200);
    expect((await get(billingHindi.id, englishOrders.auth)).status).toBe(404);
    expect((await get(billingHindi.id, supervisor.auth)).status).toBe(200);

    // Looking a phone number up finds nothing the agent may not take.
    const byPhone = await h.http.get('/api/conversations').query({ contact: billingHindi.phone }).set(englishOrders.auth);
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.conversations).toEqual([]);
    const listed = await h.http.get('/api/conversations').query({ status: 'waiting', limit: 100 }).set(englishOrders.auth);
    const ids = (listed.body.conversations as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toContain(ordersEnglish.id);
    expect(ids).not.toContain(billingHindi.id);

    const handoffs = await h.http.get('/api/handoffs').query({ conversationId: billingHindi.id }).set(englishOrders.auth);
    expect(handoffs.body.handoffs).toEqual([]);
  });
});
