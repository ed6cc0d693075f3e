// Use case: swap a new version of the running pack in without a restart. The folder is
// loaded and validated first; an invalid pack is refused (PackInvalid) and the old one
// keeps serving. Other processes (workers elsewhere) are told over the event bus and
// reload too; conversations in flight finish their turn with the pack they began with.
import type { EventBus } from '../realtime/eventBus.ts';
import type { Logger } from '../shared/logger.ts';
import { z } from 'zod';
import { Unprocessable } from '../shared/errors.ts';
import { PackInvalid } from './loadPack.ts';
import type { PackHolder } from './packHolder.ts';

export const PackRunning = z.object({ name: z.string(), version: z.string() });

const TOPIC = 'pack:reload';
const origin = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

export async function reloadPack(deps: { packs: PackHolder; bus: EventBus; log: Logger }): Promise<z.infer<typeof PackRunning>> {
  const pack = await deps.packs.reload().catch((err: unknown) => {
    throw err instanceof PackInvalid ? new Unprocessable('invalid_pack', err.message) : err;
  });
  deps.log.info({ pack: pack.name, version: pack.version }, 'pack reloaded');
  await deps.bus.publish(TOPIC, { origin, version: pack.version }).catch((err: unknown) => deps.log.warn({ err }, 'could not tell other processes about the reload'));
  return { name: pack.name, version: pack.version };
}

/** Reloads this process's pack when another process reloaded its own. */
export function followPackReloads(deps: { packs: PackHolder; bus: EventBus; log: Logger }): () => void {
  return deps.bus.subscribe(TOPIC, (payload) => {
    const message = payload as { origin?: string; version?: string };
    if (message.origin === origin) return;
    deps.packs.reload().then(
      (pack) => deps.log.info({ pack: pack.name, version: pack.version }, 'pack reloaded (another process asked)'),
      (err: unknown) => deps.log.error({ err: err instanceof Error ? err.message : String(err) }, 'pack reload asked by another process failed; keeping the old pack'),
    );
  });
}
