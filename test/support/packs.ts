// The demo pack for tests that need its bots without a running Baton, with a test's
// changes (another handoff pattern, a bot that refuses handoffs).
import type { BotPattern } from '../../src/bots/contract.ts';
import { DEFAULT_PACK_DIR, loadPack, withBots, type Pack } from '../../src/packs/loadPack.ts';
import type { BotRegistry, RegisteredBot } from '../../src/packs/registry.ts';

let demo: Promise<Pack> | undefined;

/** The bundled demo pack, loaded once per test file (no back-end is started until an action runs). */
export function loadDemoPack(databaseUrl?: string): Promise<Pack> {
  if (databaseUrl) return loadPack(DEFAULT_PACK_DIR, { databaseUrl });
  demo ??= loadPack(DEFAULT_PACK_DIR);
  return demo;
}

/** The demo pack's bots with some handoff patterns changed (configuration, not code). */
export async function demoBots(patterns: Partial<Record<string, BotPattern>> = {}): Promise<BotRegistry> {
  return withBots(await loadDemoPack(), (b) => (patterns[b.contract.id] ? withPattern(b, patterns[b.contract.id]!) : b)).bots;
}

function withPattern(bot: RegisteredBot, pattern: BotPattern): RegisteredBot {
  return { ...bot, contract: { ...bot.contract, pattern } };
}
