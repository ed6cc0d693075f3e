// The bots Baton runs. Built once at start-up; the contracts are validated together,
// so a broken configuration stops start-up with a message naming the problem.
import type { Intent } from '../understanding/intents.ts';
import type { Bot } from './bot.ts';
import { validateContracts, type BotPattern, type RoleContract } from './contract.ts';
import { billingBot } from './billing/billingBot.ts';
import { ordersBot } from './orders/ordersBot.ts';
import { supportBot } from './support/supportBot.ts';
import { triageBot } from './triage/triageBot.ts';

export type BotRegistry = {
  get(id: string): Bot | undefined;
  contracts(): RoleContract[];
  /** The bot that owns an intent, if any. */
  ownerOf(intent: Intent): Bot | undefined;
};

export const DEFAULT_BOTS: readonly Bot[] = [triageBot, ordersBot, billingBot, supportBot];

/** `patterns` overrides the handoff pattern per bot (configuration, not code). */
export function createBotRegistry(bots: readonly Bot[] = DEFAULT_BOTS, patterns: Partial<Record<string, BotPattern>> = {}): BotRegistry {
  const configured = bots.map((bot) => {
    const pattern = patterns[bot.contract.id];
    return pattern ? { ...bot, contract: { ...bot.contract, pattern } } : bot;
  });
  validateContracts(configured.map((b) => b.contract));
  const byId = new Map(configured.map((b) => [b.contract.id, b]));
  const byIntent = new Map<string, Bot>();
  for (const bot of configured) for (const intent of bot.contract.scope) byIntent.set(intent, bot);
  return {
    get: (id) => byId.get(id),
    contracts: () => configured.map((b) => b.contract),
    ownerOf: (intent) => byIntent.get(intent),
  };
}
