// Orders: status, arrival date and cancellation, answered from the orders table.
import { daysUntil, formatDate, formatMoney } from '../../i18n/format.ts';
import type { Bot, TurnInput, TurnResult } from '../bot.ts';
import { RoleContract } from '../contract.ts';

export const ordersContract = RoleContract.parse({
  id: 'orders',
  titleKey: 'bots.orders',
  scope: ['order.status', 'order.cancel'],
  authority: { mayEscalate: true, handsTo: ['billing'] },
  requires: ['orderId'],
  produces: ['orderStatus'],
  pattern: 'implicit',
});

export const ordersBot: Bot = {
  contract: ordersContract,
  async handle(input: TurnInput): Promise<TurnResult> {
    const { t, context, locale } = input;
    const orderId = context.slots.orderId?.value;
    if (!orderId) return { replies: [{ text: t('ask.orderId'), asks: 'orderId' }], context: { ...context, awaiting: { slot: 'orderId', intent: input.understanding.intent } } };

    const order = await input.db.order.findUnique({ where: { id: orderId } });
    if (!order) {
      const { orderId: _dropped, ...slots } = context.slots;
      return {
        replies: [{ text: t('orders:notFound', { orderId }), asks: 'orderId' }],
        context: { ...context, slots, awaiting: { slot: 'orderId', intent: input.understanding.intent } },
      };
    }
    const withStatus = { ...context, slots: { ...context.slots, orderStatus: { value: order.status, pii: false, source: 'orders' } } };
    const facts = {
      orderId,
      date: order.eta ? formatDate(order.eta, locale) : '',
      count: order.eta ? daysUntil(order.eta) : 0,
      deliveredOn: order.deliveredAt ? formatDate(order.deliveredAt, locale) : '',
      total: formatMoney(order.totalPaise, locale),
    };

    if (input.understanding.intent === 'order.cancel') {
      if (order.status === 'cancelled') return { replies: [{ text: t('orders:cancel.already', facts) }], context: withStatus };
      if (order.status === 'delivered') return { replies: [{ text: t('orders:cancel.delivered', facts) }], context: withStatus };
      if (order.status === 'shipped') return { replies: [{ text: t('orders:cancel.shipped', facts) }], context: withStatus };
      await input.db.order.update({ where: { id: orderId }, data: { status: 'cancelled', refundStatus: 'pending' } });
      return { replies: [{ text: t('orders:cancel.done', facts) }], context: withStatus };
    }

    const key =
      order.status === 'shipped' ? 'orders:status.shipped'
      : order.status === 'delivered' ? 'orders:status.delivered'
      : order.status === 'cancelled' ? (order.refundStatus === 'pending' ? 'orders:status.cancelledRefundPending' : 'orders:status.cancelled')
      : 'orders:status.placed';
    return { replies: [{ text: t(key, facts) }], context: withStatus };
  },
};
