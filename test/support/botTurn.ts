// A bot turn for tests of a single bot, with what the test changes: no database, no
// catalogs (t answers the key), and actions that fail unless the test gives a port.
import type { TFunction } from 'i18next';
import { ActionFailed, type BotTurn } from '../../src/bots/bot.ts';

export function botTurn(change: Partial<BotTurn> = {}): BotTurn {
  return {
    conversationId: 'conv-1',
    channel: 'whatsapp',
    locale: 'en',
    contact: { id: 'contact-1', channel: 'whatsapp', address: '+919812345678', name: 'Priya' },
    message: { id: 'msg-1', text: 'where is my order ORD-1001?', kind: 'text' },
    intent: { name: 'order.status', confidence: 0.92 },
    slots: { orderId: { value: 'ORD-1001', pii: false } },
    state: {},
    envelope: null,
    notes: [],
    t: ((key: string) => key) as unknown as TFunction,
    format: { money: (p) => `₹${p / 100}`, date: (d) => String(d), number: String, daysUntil: () => 0 },
    actions: { call: async (action) => Promise.reject(new ActionFailed(action, 'no actions in this test')) },
    ...change,
  };
}
