// Thin processor: parse the job, run the bot turn for its conversation. While PostgreSQL
// (or Redis) cannot be reached the job waits, without spending a try, for as long as
// the outage lasts: the message is stored, and nothing else would ever answer it. While
// another worker holds the conversation the job steps aside for a moment (no try spent,
// no worker slot held waiting). Turns run in the process's worker slots (`deps.slots`);
// the queue hands out more turns than slots only while some wait on a remote bot.
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { inSpan } from '../observability/tracing.ts';
import { TurnJob } from '../queues/jobs.ts';
import { runBotTurn, type TurnDeps } from '../turn/runBotTurn.ts';
import { isUnavailable } from '../db/dbErrors.ts';
import { LockBusy } from '../db/locks.ts';
import { busyDelayMs, outageDelayMs } from './outage.ts';
import type { Pack } from '../packs/loadPack.ts';

/** `inFlight`: turns taken from the queue at once (see `turnsInFlight`). */
export function startInboundWorker(deps: TurnDeps, connection: Redis, prefix: string, inFlight: number) {
  const worker = new Worker(
    QueueName.Inbound,
    async (job, token) => {
      const parsed = TurnJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad turn job: ${parsed.error.message}`);
      try {
        const { conversationId, messageId, trace } = parsed.data;
        const turn = () => runBotTurn(deps, conversationId, messageId);
        return await inSpan('bot.turn', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => (deps.slots ? deps.slots.run(turn) : turn()), trace);
      } catch (err) {
        if (err instanceof LockBusy) {
          await job.moveToDelayed(Date.now() + busyDelayMs(), token);
          throw new DelayedError();
        }
        if (!isUnavailable(err)) throw err;
        deps.log.warn({ err, jobId: job.id, tries: job.attemptsStarted }, 'turn waits for the database');
        await job.moveToDelayed(Date.now() + outageDelayMs(job.attemptsStarted), token);
        throw new DelayedError();
      }
    },
    { connection, prefix, concurrency: inFlight, autorun: true },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'inbound worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'turn failed'));
  return worker;
}

/** How many turns the queue hands out per slot while the pack has remote bots to wait on. */
export const REMOTE_TURNS_PER_SLOT = 4;

/**
 * Turns taken from the queue at once: one per slot, unless the pack has webhook or LLM
 * bots — then more, so that turns waiting on them leave their slots to others. Not
 * always more: a process must not take turns it cannot start while another is idle.
 */
export function turnsInFlight(slots: number, pack: Pack): number {
  const remote = pack.bots.contracts().some((c) => pack.bots.get(c.id)?.remote);
  return remote ? slots * REMOTE_TURNS_PER_SLOT : slots;
}
