// A turn's replies go out from the worker that wrote them, right after the turn's
// commit, in order, with no queue job each: that saves a job, a dispatch and an outbox
// delete per reply, and the wait between a turn's replies. The turn's job is finished
// by then (its slot is free for the next turn while the provider answers).
// The safety net stays: each reply's outbox row falls due only after this worker has had
// time to send it (`graceMs`), and goes with the statement that records it sent.
// Whatever cannot go now — an earlier reply still on its way, a Retry-After, a provider
// error, the deadline, too much already in flight — is handed to the send queue at
// once, exactly as before; a crash leaves it to the sweep when the rows fall due.
// Sending twice is still guarded by the claim in deliverOutbound and the provider's
// idempotency key. The first reply's claim is made by the turn's own statement when it
// can be (`claimsAtWrite`), the others by the statement that records the one before sent.
import { deliverOutbound, holdSecondsOf, recordSent, sendClaimed, type Claimed, type DeliverDeps } from '../conversations/deliverOutbound.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';
import { ProviderError } from '../shared/errors.ts';
import { inSpan } from '../observability/tracing.ts';

export type ReplyDelivery = ReturnType<typeof createReplyDelivery>;

/**
 * `outboundAttempts`: a send's tries in all; a failed try here is the first of them.
 * `maxInFlight`: conversations being delivered at once in this process before replies go to the queue instead.
 */
export function createReplyDelivery(deps: DeliverDeps & { dispatcher: Dispatcher; providerTimeoutMs: number; outboundAttempts: number; maxInFlight?: number }) {
  const maxInFlight = deps.maxInFlight ?? 500;
  /** One promise per conversation: a later turn's replies wait for an earlier turn's here, not in the queue. */
  const chains = new Map<string, Promise<void>>();
  // Long enough for two replies that each take the provider's whole timeout.
  const graceMs = 2 * deps.providerTimeoutMs + 5000;

  const toQueue = (conversationId: string, messageIds: readonly string[], firstTried = false) =>
    deps.dispatcher.dispatch(messageIds.map((messageId, i) => ({ kind: 'send' as const, conversationId, messageId, ...(firstTried && i === 0 ? { spentTries: 1 } : {}) })));

  const holdSeconds = holdSecondsOf(deps);

  /** `held`: replies the turn claimed as it wrote them (the first ones, in order). */
  async function deliver(conversationId: string, messageIds: readonly string[], deadline: number, held: readonly Claimed[]): Promise<void> {
    const claims = new Map(held.map((c) => [c.id, c]));
    let done = 0;
    let tried = false;
    const settled: string[] = []; // failed for good, or nothing to do: their outbox rows go here (a sent one's went with it)
    // The turn's own claims are sent one after another and recorded sent together, by
    // the statement that claims the reply after them (if any).
    const unrecorded: Array<{ id: string; providerMessageId: string }> = [];
    const record = (next?: string) =>
      unrecorded.length ? recordSent(deps.db, held[0]!.channel, unrecorded.splice(0), next ? { id: next, holdSeconds } : undefined) : Promise.resolve(undefined);
    // Each reply's "sent" record claims the next one; a claim left unused (the deadline,
    // a failure) is harmless: the send job claims it again.
    let claimed: Claimed | undefined;
    for (const [i, messageId] of messageIds.entries()) {
      // A send may take the provider's whole timeout; it must end before the rows fall due.
      if (Date.now() + deps.providerTimeoutMs + 1000 > deadline) break;
      try {
        const mine = claims.get(messageId);
        if (mine) {
          const outcome = await inSpan('send', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => sendClaimed(deps, mine));
          if (outcome === 'failed') {
            settled.push(messageId);
            // A refusal may have opted the customer out (Twilio's 21610): the rest are
            // claimed again, and a claim looks.
            claims.clear();
          } else unrecorded.push({ id: messageId, providerMessageId: outcome.providerMessageId });
        } else {
          if (unrecorded.length) claimed = await record(messageId);
          const options = { claimed, next: messageIds[i + 1] };
          const outcome = await inSpan('send', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => deliverOutbound(deps, conversationId, messageId, options));
          if ('wait' in outcome) break;
          if (outcome.done !== 'sent') settled.push(messageId);
          claimed = outcome.next;
        }
      } catch (err) {
        // Its job makes the remaining tries, with the backoff and dead letter every send has.
        tried = err instanceof ProviderError;
        deps.log.debug({ err: err instanceof Error ? err.message : String(err), messageId }, 'reply handed to the send queue');
        break;
      }
      done++;
    }
    // Unrecorded, they stay claimed with their outbox rows: the sweep sends them again when
    // the rows fall due, under the same idempotency keys.
    await record().catch((err: unknown) => deps.log.warn({ err, conversationId }, 'replies sent but not recorded; the sweep takes them'));
    if (settled.length) {
      // If this fails the sweep enqueues them later, and their jobs find nothing to do.
      await deps.db.sql`DELETE FROM "Outbox" WHERE kind = 'send' AND "messageId" = ANY(${settled}::uuid[])`.catch((err: unknown) =>
        deps.log.warn({ err, conversationId }, 'outbox rows of sent replies left for the sweep'),
      );
    }
    if (done < messageIds.length) await toQueue(conversationId, messageIds.slice(done), tried);
  }

  return {
    /** How far in the future a turn's reply rows fall due (the turn writes them with it). */
    graceMs,
    /**
     * Whether the turn may claim its first message's replies as it writes them (`Claimed`
     * rules: no earlier reply of the conversation queued or on its way within
     * `holdSeconds`) and hand the claims to `start`, which records them sent together: a
     * claim and a record fewer per turn. Not when every reply goes to the queue anyway.
     */
    claimsAtWrite: deps.outboundAttempts >= 2,
    holdSeconds,
    /**
     * Starts delivering `messageIds` (one conversation's, in order) and returns at once.
     * `committedAfter`: a time before the rows were written, so the deadline is before they fall due.
     * `held`: the first replies as the turn claimed them (see `claimsAtWrite`).
     */
    async start(conversationId: string, messageIds: readonly string[], committedAfter: number, held: readonly Claimed[] = []): Promise<void> {
      if (messageIds.length === 0) return;
      // With one try in all, a failure here would leave none for the job's dead letter.
      if (deps.outboundAttempts < 2) return toQueue(conversationId, messageIds);
      if (chains.size >= maxInFlight && !chains.has(conversationId)) return toQueue(conversationId, messageIds);
      const deadline = committedAfter + graceMs - 2000;
      const previous = chains.get(conversationId) ?? Promise.resolve();
      const run: Promise<void> = previous
        .then(() => deliver(conversationId, messageIds, deadline, held))
        .catch((err: unknown) => deps.log.warn({ err, conversationId }, 'reply delivery stopped; the sweep takes over'))
        .finally(() => {
          if (chains.get(conversationId) === run) chains.delete(conversationId);
        });
      chains.set(conversationId, run);
    },
    /** Waits for every delivery started so far (shutdown). */
    async drain(): Promise<void> {
      while (chains.size) await Promise.all([...chains.values()]);
    },
  };
}
