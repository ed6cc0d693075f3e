// The demo business of the contract: an online store with three orders and a double
// charge. Re-running it resets the demo rows (and keeps ORD-1001 "arriving in 2 days").
import type { Db } from '../db/client.ts';

const DAY = 24 * 3600 * 1000;

export async function seedDemo(db: Db, now = new Date()): Promise<void> {
  const at = (days: number) => new Date(now.getTime() + days * DAY);
  const orders = [
    {
      id: 'ORD-1001',
      status: 'shipped',
      placedAt: at(-3),
      eta: at(2),
      deliveredAt: null,
      totalPaise: 249900,
      items: [{ sku: 'HP-200', name: 'Wireless headphones', quantity: 1, pricePaise: 249900 }],
      refundStatus: null,
    },
    {
      id: 'ORD-1002',
      status: 'delivered',
      placedAt: at(-10),
      eta: at(-5),
      deliveredAt: at(-5),
      totalPaise: 89900,
      items: [{ sku: 'CS-10', name: 'Phone case', quantity: 1, pricePaise: 89900 }],
      refundStatus: null,
    },
    {
      id: 'ORD-1003',
      status: 'cancelled',
      placedAt: at(-6),
      eta: null,
      deliveredAt: null,
      totalPaise: 159900,
      items: [{ sku: 'KB-55', name: 'Mechanical keyboard', quantity: 1, pricePaise: 159900 }],
      refundStatus: 'pending',
    },
  ];
  await db.$transaction(async (tx) => {
    for (const order of orders) {
      await tx.order.upsert({ where: { id: order.id }, create: order, update: order });
    }
    const invoice = {
      id: 'INV-1001',
      orderId: 'ORD-1001',
      amountPaise: 249900,
      charges: [
        { id: 'CH-5001', amountPaise: 249900, at: at(-3).toISOString() },
        { id: 'CH-5002', amountPaise: 249900, at: new Date(at(-3).getTime() + 90_000).toISOString() },
      ],
      status: 'paid',
    };
    await tx.invoice.upsert({ where: { id: invoice.id }, create: invoice, update: invoice });
  });
}
