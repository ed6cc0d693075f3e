// Orders: status, arrival date and cancellation, answered from the store's back-end.
import type { Bot, BotAnswer, BotTurn } from '../../../src/bots/bot.ts';
import { askFor, failedWith, orderOf, type Order } from './store.ts';

export function createBot({ id }: { id: string }): Bot {
  return {
    id,
    async answer(turn: BotTurn): Promise<BotAnswer> {
      const { t } = turn;
      const orderId = turn.slots.orderId?.value;
      if (!orderId) return askFor(turn, 'orderId');
      const order = await orderOf(turn);
      if (!order) return { replies: [{ text: t('orders:notFound', { orderId }), asks: 'orderId' }], slots: { orderId: null }, awaiting: { slot: 'orderId', intent: turn.intent.name } };
      const facts = factsOf(order, turn.format);
      const learned = { orderStatus: { value: order.status, pii: false, source: id } };
      if (turn.intent.name === 'order.cancel') {
        if (order.status === 'cancelled') return { replies: [{ text: t('orders:cancel.already', facts) }], slots: learned };
        if (order.status === 'delivered') return { replies: [{ text: t('orders:cancel.delivered', facts) }], slots: learned };
        if (order.status === 'shipped') return { replies: [{ text: t('orders:cancel.shipped', facts) }], slots: learned };
        try {
          await turn.actions.call('cancelOrder');
        } catch (err) {
          // The back-end refuses changes to someone else's order: a person looks into it.
          if (failedWith(err, 403)) return { replies: [], escalate: { reason: 'not_owner' } };
          throw err;
        }
        return { replies: [{ text: t('orders:cancel.done', facts) }], slots: { orderStatus: { value: 'cancelled', pii: false, source: id } } };
      }
      const key =
        order.status === 'shipped' ? 'orders:status.shipped'
        : order.status === 'delivered' ? 'orders:status.delivered'
        : order.status === 'cancelled' ? (order.refundStatus === 'pending' ? 'orders:status.cancelledRefundPending' : 'orders:status.cancelled')
        : 'orders:status.placed';
      return { replies: [{ text: t(key, facts) }], slots: learned };
    },
  };
}

function factsOf(order: Order, format: BotTurn['format']) {
  return {
    orderId: order.id,
    date: order.eta ? format.date(order.eta) : '',
    count: order.eta ? format.daysUntil(order.eta) : 0,
    deliveredOn: order.deliveredAt ? format.date(order.deliveredAt) : '',
    total: format.money(order.totalPaise),
  };
}
