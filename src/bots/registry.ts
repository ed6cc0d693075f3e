// The bots Baton runs, by id.
import type { Bot } from './bot.ts';
import { triageBot } from './triage/triageBot.ts';

export type BotRegistry = ReadonlyMap<string, Bot>;

export function createBotRegistry(): BotRegistry {
  return new Map([[triageBot.id, triageBot]]);
}
