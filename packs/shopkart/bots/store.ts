// What the ShopKart bots share: the store's answers as types, and asking for an order number.
import type { BotAnswer, BotTurn } from '../../../src/bots/bot.ts';

export type Order = { id: string; status: string; eta: string | null; deliveredAt: string | null; totalPaise: number; refundStatus: string | null };
export type Invoice = { id: string; orderId: string; amountPaise: number; charges: Array<{ id: string; amountPaise: number }>; status: string; order: Order };

/** Baton's action errors, recognised by name (a pack imports no Baton code at run time). */
export function failedWith(err: unknown, status: number): boolean {
  return err instanceof Error && err.name === 'ActionFailed' && (err as { status?: number }).status === status;
}

export function askFor(turn: BotTurn, slot: string): BotAnswer {
  return { replies: [{ text: turn.t(`ask.${slot}`), asks: slot }], awaiting: { slot, intent: turn.intent.name } };
}

/** The order, or undefined when the store does not know it. */
export async function orderOf(turn: BotTurn): Promise<Order | undefined> {
  try {
    return (await turn.actions.call('getOrder')).data as Order;
  } catch (err) {
    if (failedWith(err, 404)) return undefined;
    throw err;
  }
}

export async function invoiceOf(turn: BotTurn): Promise<{ invoice?: Invoice; order?: Order }> {
  try {
    const invoice = (await turn.actions.call('getInvoice')).data as Invoice;
    return { invoice, order: invoice.order };
  } catch (err) {
    if (failedWith(err, 404)) {
      const order = await orderOf(turn);
      return order ? { order } : {};
    }
    throw err;
  }
}
