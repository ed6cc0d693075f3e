// Billing: invoices, double charges and refunds. It refunds alone up to its authority
// (pack.json limits); above that the action refuses and a person decides.
import type { Bot, BotAnswer, BotTurn, SlotValue } from '../../../src/bots/bot.ts';
import { askFor, failedWith, invoiceOf } from './store.ts';

export function createBot({ id }: { id: string }): Bot {
  return {
    id,
    async answer(turn: BotTurn): Promise<BotAnswer> {
      const { t, format } = turn;
      const orderId = turn.slots.orderId?.value;
      if (!orderId) return askFor(turn, 'orderId');
      const { invoice, order } = await invoiceOf(turn);
      if (!invoice) {
        // A cancelled order's refund is known from the order even when it has no invoice.
        if (turn.intent.name === 'billing.refund' && order?.refundStatus === 'pending') {
          return { replies: [{ text: t('billing:refund.pending', { orderId, amount: format.money(order.totalPaise) }) }] };
        }
        return { replies: [{ text: t('billing:noInvoice', { orderId }) }] };
      }
      const learned = (extra: Record<string, string> = {}): Record<string, SlotValue> => ({
        invoiceId: { value: invoice.id, pii: false, source: id },
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { value: v, pii: false, source: id }])),
      });
      const charges = invoice.charges;
      switch (turn.intent.name) {
        case 'billing.double_charge': {
          const duplicates = charges.filter((c, i) => charges.findIndex((o) => o.amountPaise === c.amountPaise) !== i);
          if (duplicates.length === 0) return { replies: [{ text: t('billing:doubleCharge.none', { invoiceId: invoice.id, orderId }) }], slots: learned() };
          const refund = duplicates.reduce((sum, c) => sum + c.amountPaise, 0);
          const refusal = invoice.status === 'refund_initiated' ? undefined : await refuseRefund(turn, refund);
          if (refusal) return { replies: [], slots: learned({ refundPaise: String(refund) }), escalate: { reason: refusal } };
          return {
            replies: [{ text: t('billing:doubleCharge.refunded', { count: charges.length, amount: format.money(duplicates[0]!.amountPaise), refund: format.money(refund), invoiceId: invoice.id, orderId }) }],
            slots: learned({ refundPaise: String(refund) }),
          };
        }
        case 'billing.refund': {
          if (invoice.order.refundStatus === 'pending' || invoice.status === 'refund_initiated') {
            return { replies: [{ text: t('billing:refund.pending', { orderId, amount: format.money(invoice.amountPaise) }) }], slots: learned() };
          }
          const asked = Number(turn.slots.amountPaise?.value ?? invoice.amountPaise);
          if (asked > invoice.amountPaise) return { replies: [], slots: learned({ refundPaise: String(asked) }), escalate: { reason: 'authority' } };
          const refusal = await refuseRefund(turn, asked);
          if (refusal) return { replies: [], slots: learned({ refundPaise: String(asked) }), escalate: { reason: refusal } };
          return { replies: [{ text: t('billing:refund.initiated', { orderId, amount: format.money(asked) }) }], slots: learned({ refundPaise: String(asked) }) };
        }
        default:
          return { replies: [{ text: t('billing:invoice', { invoiceId: invoice.id, orderId, amount: format.money(invoice.amountPaise), count: charges.length }) }], slots: learned() };
      }
    },
  };
}

/**
 * Starts the refund, or says why a person must decide: the amount is over this bot's
 * limit (pack.json), or the order is not the asker's (the store refuses with 403).
 */
async function refuseRefund(turn: BotTurn, amountPaise: number): Promise<'authority' | 'not_owner' | undefined> {
  try {
    await turn.actions.call('startRefund', { amountPaise });
    return undefined;
  } catch (err) {
    if (err instanceof Error && err.name === 'AuthorityExceeded') return 'authority';
    if (failedWith(err, 403)) return 'not_owner';
    throw err;
  }
}
