// Billing: invoices, double charges and refunds. It refunds alone up to its authority;
// above that a person decides.
import { formatMoney } from '../../i18n/format.ts';
import type { Bot, TurnInput, TurnResult } from '../bot.ts';
import { RoleContract } from '../contract.ts';

export const billingContract = RoleContract.parse({
  id: 'billing',
  titleKey: 'bots.billing',
  scope: ['billing.double_charge', 'billing.refund', 'billing.invoice'],
  authority: { refundLimitPaise: 500_000, mayEscalate: true, handsTo: ['orders', 'support'] },
  requires: ['orderId'],
  produces: ['refundPaise', 'invoiceId'],
  pattern: 'peer',
});

type Charge = { id: string; amountPaise: number; at: string };

export const billingBot: Bot = {
  contract: billingContract,
  async handle(input: TurnInput): Promise<TurnResult> {
    const { t, context, locale } = input;
    const orderId = context.slots.orderId?.value;
    if (!orderId) return { replies: [{ text: t('ask.orderId'), asks: 'orderId' }], context: { ...context, awaiting: { slot: 'orderId', intent: input.understanding.intent } } };

    const invoice = await input.db.invoice.findFirst({ where: { orderId }, include: { order: true } });
    if (!invoice) {
      // A cancelled order's refund is known from the order even when it has no invoice.
      if (input.understanding.intent === 'billing.refund') {
        const order = await input.db.order.findUnique({ where: { id: orderId } });
        if (order?.refundStatus === 'pending') {
          return { replies: [{ text: t('billing:refund.pending', { orderId, amount: formatMoney(order.totalPaise, locale) }) }], context };
        }
      }
      return { replies: [{ text: t('billing:noInvoice', { orderId }) }], context };
    }
    const limit = billingContract.authority.refundLimitPaise;
    const charges = invoice.charges as Charge[];
    const remember = (extra: Record<string, string>) => ({
      ...context,
      slots: {
        ...context.slots,
        invoiceId: { value: invoice.id, pii: false, source: 'billing' },
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { value: v, pii: false, source: 'billing' }])),
      },
    });

    switch (input.understanding.intent) {
      case 'billing.double_charge': {
        const duplicates = charges.filter((c, i) => charges.findIndex((o) => o.amountPaise === c.amountPaise) !== i);
        if (duplicates.length === 0) return { replies: [{ text: t('billing:doubleCharge.none', { invoiceId: invoice.id, orderId }) }], context: remember({}) };
        const refund = duplicates.reduce((sum, c) => sum + c.amountPaise, 0);
        if (refund > limit) return { replies: [], context: remember({ refundPaise: String(refund) }), escalate: { reason: 'authority' } };
        if (invoice.status !== 'refund_initiated') {
          await input.db.invoice.update({ where: { id: invoice.id }, data: { status: 'refund_initiated' } });
        }
        return {
          replies: [{ text: t('billing:doubleCharge.refunded', { count: charges.length, amount: formatMoney(duplicates[0]!.amountPaise, locale), refund: formatMoney(refund, locale), invoiceId: invoice.id, orderId }) }],
          context: remember({ refundPaise: String(refund) }),
        };
      }
      case 'billing.refund': {
        if (invoice.order.refundStatus === 'pending' || invoice.status === 'refund_initiated') {
          return { replies: [{ text: t('billing:refund.pending', { orderId, amount: formatMoney(invoice.amountPaise, locale) }) }], context: remember({}) };
        }
        const asked = Number(context.slots.amountPaise?.value ?? invoice.amountPaise);
        if (asked > limit || asked > invoice.amountPaise) return { replies: [], context: remember({ refundPaise: String(asked) }), escalate: { reason: 'authority' } };
        await input.db.invoice.update({ where: { id: invoice.id }, data: { status: 'refund_initiated' } });
        return { replies: [{ text: t('billing:refund.initiated', { orderId, amount: formatMoney(asked, locale) }) }], context: remember({ refundPaise: String(asked) }) };
      }
      default:
        return {
          replies: [{ text: t('billing:invoice', { invoiceId: invoice.id, orderId, amount: formatMoney(invoice.amountPaise, locale), count: charges.length }) }],
          context: remember({}),
        };
    }
  },
};
