// The demo pack's back-end checks who asks: every action carries the contact identity
// the channel verified, and an order that belongs to a number can only be changed from
// it (the demo orders, which belong to nobody, still answer to anyone).
import { describe, expect, it } from 'vitest';
import { SimulatedCustomer } from '../../src/dev/simulatedCustomer.ts';
import { putStoreOrder, storeOrder } from '../support/demoStore.ts';
import { SECRETS, useListeningHarness } from '../support/harness.ts';

const suite = useListeningHarness();
const customer = () => new SimulatedCustomer({ baseUrl: suite.server.url, db: suite.h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId, name: 'Asha' });

async function placedOrderOf(owner: string): Promise<string> {
  const id = `ORD-${70000 + Math.floor(Math.random() * 20000)}`;
  await putStoreOrder({ id, status: 'placed', placedAt: new Date().toISOString(), eta: null, deliveredAt: null, totalPaise: 59900, items: [], refundStatus: null, owner });
  return id;
}

describe('ownership of orders (demo pack back-end)', () => {
  it('the owner cancels a placed order', async () => {
    const asha = customer();
    const orderId = await placedOrderOf(asha.waId);
    const r = await asha.say(`please cancel my order ${orderId}`);
    expect(r.replies.map((x) => x.text).join(' ')).toMatch(new RegExp(`${orderId} is cancelled`));
    expect((await storeOrder(orderId))?.status).toBe('cancelled');
  });

  it("someone else's number cannot cancel it: nothing changes and a person looks into it", async () => {
    const orderId = await placedOrderOf('919800000001');
    const r = await customer().say(`please cancel my order ${orderId}`);
    expect(r.conversation.status).toBe('waiting');
    expect(r.handoffs.at(-1)).toMatchObject({ to: 'queue:human', reason: 'not_owner' });
    expect((await storeOrder(orderId))?.status).toBe('placed');
  });

  it('anyone may still read a demo order (it belongs to nobody)', async () => {
    const r = await customer().say('where is my order ORD-1002?');
    expect(r.replies.map((x) => x.text).join(' ')).toMatch(/ORD-1002 was delivered/);
  });
});
