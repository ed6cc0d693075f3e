// The bots one pack runs, by id and by the intents they own.
import type { Bot } from '../bots/bot.ts';
import type { RoleContract } from '../bots/contract.ts';

export type RegisteredBot = Bot & { readonly contract: RoleContract };

export type BotRegistry = {
  /** The bot every conversation starts with and falls back to. */
  readonly triageId: string;
  get(id: string): RegisteredBot | undefined;
  contracts(): RoleContract[];
  /** The bot that owns an intent, if any. */
  ownerOf(intent: string): RegisteredBot | undefined;
  /** Slots the owner needs before it can answer this intent. */
  requiresFor(intent: string): string[];
};

export function createBotRegistry(triageId: string, bots: readonly RegisteredBot[], requires: Record<string, string[]> = {}): BotRegistry {
  const byId = new Map(bots.map((b) => [b.contract.id, b]));
  const byIntent = new Map<string, RegisteredBot>();
  for (const bot of bots) for (const intent of bot.contract.scope) byIntent.set(intent, bot);
  return {
    triageId,
    get: (id) => byId.get(id),
    contracts: () => bots.map((b) => b.contract),
    ownerOf: (intent) => byIntent.get(intent),
    requiresFor: (intent) => requires[intent] ?? byIntent.get(intent)?.contract.requires ?? [],
  };
}
