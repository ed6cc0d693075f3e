// What the ShopKart bots share: the store's answers as types, and asking for an order number.
import { ActionFailed, type BotAnswer, type BotTurn } from '../../../src/bots/bot.ts';

export type Order = { id: string; status: string; eta: string | null; deliveredAt: string | null; totalPaise: number; refundStatus: string | null };
export type Invoice = { id: string; orderId: string; amountPaise: number; charges: Array<{ id: string; amountPaise: number }>; status: string; order: Order };

export function askFor(turn: BotTurn, slot: string): BotAnswer {
  return { replies: [{ text: turn.t(`ask.${slot}`), asks: slot }], awaiting: { slot, intent: turn.intent.name } };
}

/** The order, or undefined when the store does not know it. */
export async function orderOf(turn: BotTurn, _orderId: string): Promise<Order | undefined> {
  try {
    return (await turn.actions.call('getOrder')).data as Order;
  } catch (err) {
    if (err instanceof ActionFailed && err.status === 404) return undefined;
    throw err;
  }
}

export async function invoiceOf(turn: BotTurn): Promise<{ invoice?: Invoice; order?: Order }> {
  try {
    const invoice = (await turn.actions.call('getInvoice')).data as Invoice;
    return { invoice, order: invoice.order };
  } catch (err) {
    if (err instanceof ActionFailed && err.status === 404) return { order: (await orderOf(turn, '')) ?? undefined } as { order?: Order };
    throw err;
  }
}
