// Orders: status, arrival date and cancellation, answered from the store's back-end.
import { ActionFailed, type Bot, type BotAnswer, type BotTurn } from '../../../src/bots/bot.ts';
import { daysUntil, formatDate, formatMoney } from '../../../src/i18n/format.ts';
import { askFor, orderOf, type Order } from './store.ts';

export function createBot({ id }: { id: string }): Bot {
  return {
    id,
    async answer(turn: BotTurn): Promise<BotAnswer> {
      const { t, locale } = turn;
      const orderId = turn.slots.orderId?.value;
      if (!orderId) return askFor(turn, 'orderId');
      const order = await orderOf(turn, orderId);
      if (!order) return { replies: [{ text: t('orders:notFound', { orderId }), asks: 'orderId' }], slots: { orderId: null }, awaiting: { slot: 'orderId', intent: turn.intent.name } };
      const facts = factsOf(order, locale);
      const learned = { orderStatus: { value: order.status, pii: false, source: id } };
      if (turn.intent.name === 'order.cancel') {
        if (order.status === 'cancelled') return { replies: [{ text: t('orders:cancel.already', facts) }], slots: learned };
        if (order.status === 'delivered') return { replies: [{ text: t('orders:cancel.delivered', facts) }], slots: learned };
        if (order.status === 'shipped') return { replies: [{ text: t('orders:cancel.shipped', facts) }], slots: learned };
        try {
          await turn.actions.call('cancelOrder');
        } catch (err) {
          // The back-end refuses changes to someone else's order: a person looks into it.
          if (err instanceof ActionFailed && err.status === 403) return { replies: [], escalate: { reason: 'not_owner' } };
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

function factsOf(order: Order, locale: string) {
  const eta = order.eta ? new Date(order.eta) : undefined;
  return {
    orderId: order.id,
    date: eta ? formatDate(eta, locale) : '',
    count: eta ? daysUntil(eta) : 0,
    deliveredOn: order.deliveredAt ? formatDate(new Date(order.deliveredAt), locale) : '',
    total: formatMoney(order.totalPaise, locale),
  };
}
