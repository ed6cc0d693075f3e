// Use case: deliver one outbound message, never before the conversation's earlier
// replies. Each job sends only its own message. It claims the message with one
// conditional UPDATE that succeeds only when no earlier reply of the conversation is
// still queued or on its way: that keeps replies in order across any number of
// workers without a lock. While an earlier reply is out, or the provider asked to
// wait (Retry-After), the job answers "wait until T" and is delayed without spending a
// retry — one reply's outage never uses up another's attempts. The wait has a bound: an
// earlier reply nobody has touched for `orderHoldMs` (its job lost, its worker gone) no
// longer holds the ones after it; the stale-send sweep re-queues it meanwhile.
import type { ChannelName, ChannelSender } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { ProviderError } from '../shared/errors.ts';
import { optedOut, setOptedOut, TWILIO_OPTED_OUT } from './optOut.ts';
import { metrics } from '../observability/metrics.ts';
import type { Logger } from '../shared/logger.ts';
import { mediaRequest, type OutboundMedia } from '../media/outboundMedia.ts';

/** `orderHoldMs`: how long an untouched earlier reply may hold later ones (default 5 minutes). */
export type DeliverDeps = { db: Db; senders: Record<ChannelName, ChannelSender>; log: Logger; orderHoldMs?: number };

export const ORDER_HOLD_MS = 5 * 60_000;

/** How long an untouched earlier reply holds the later ones, in seconds (`orderHoldMs`). */
export const holdSecondsOf = (deps: Pick<DeliverDeps, 'orderHoldMs'>) => (deps.orderHoldMs ?? ORDER_HOLD_MS) / 1000;

/** `wait` asks the caller to try again at that time (ms since epoch); `next`: see DeliverOptions. */
export type DeliveryOutcome = { done: 'sent' | 'failed' | 'nothing'; next?: Claimed } | { wait: number };

const EARLIER_REPLY_POLL_MS = 250;

export type Claimed = {
  id: string;
  channel: ChannelName;
  text: string;
  locale: string | null;
  payload: { options?: { id: string; title: string }[]; template?: { name: string; language: string; params: string[] }; media?: OutboundMedia[]; replyTo?: string } | null;
  to: string;
  claimed: boolean;
  status: string;
  retry_at: Date | null;
  earlier_retry_at: Date | null;
  earlier: boolean;
  opted_out: boolean;
};

/**
 * `claimed`: the message as an earlier call's `next` claimed it (its claim is then not
 * made again). `next`: the message to claim in the same statement that records this one
 * sent — the following reply of the conversation, when the caller sends them in order.
 */
export type DeliverOptions = { claimed?: Claimed | undefined; next?: string | undefined };

export async function deliverOutbound(deps: DeliverDeps, _conversationId: string, messageId: string, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const holdSeconds = holdSecondsOf(deps);
  // One round trip: look at the message and its predecessors, and claim it if it may go.
  const row = options.claimed ?? (await deps.db.sql<Claimed>`WITH ${claimCtes(messageId, holdSeconds)} ${claimedRow}`)[0];

  // Erased with its contact, or delivered/refused already (a retried or duplicate job).
  if (!row || (row.status !== 'queued' && row.status !== 'sending')) return { done: 'nothing' };
  if (!row.claimed) {
    if (row.earlier) return { wait: Math.max(Date.now() + EARLIER_REPLY_POLL_MS, row.earlier_retry_at?.getTime() ?? 0) };
    return { wait: row.retry_at?.getTime() ?? Date.now() + EARLIER_REPLY_POLL_MS };
  }

  const tried = await sendClaimed(deps, row);
  if (tried === 'failed') return { done: 'failed' };
  const next = await recordSent(deps.db, row.channel, [{ id: row.id, providerMessageId: tried.providerMessageId }], options.next ? { id: options.next, holdSeconds } : undefined);
  return { done: 'sent', ...(next ? { next } : {}) };
}

/**
 * Sends a claimed message (not recorded sent: see `recordSent`). 'failed': it never goes
 * (opted out, or refused for good), and is recorded so. Throws what may be tried again,
 * after recording a Retry-After.
 */
export async function sendClaimed(deps: DeliverDeps, row: Claimed): Promise<{ providerMessageId: string } | 'failed'> {
  if (row.opted_out) {
    // The customer said STOP after this was queued: it never goes (START lets later ones).
    await deps.db.message.update({ where: { id: row.id }, data: { status: 'failed', errorCode: 'opted_out' } });
    return 'failed';
  }
  const payload = row.payload ?? {};
  try {
    const { providerMessageId } = await deps.senders[row.channel].send({
      to: row.to,
      text: row.text,
      idempotencyKey: row.id,
      ...(payload.options ? { options: payload.options } : {}),
      ...(payload.template ? { template: payload.template } : {}),
      ...mediaRequest(payload.media),
      ...(payload.replyTo ? { replyTo: payload.replyTo } : {}),
      ...(row.locale ? { locale: row.locale } : {}),
    });
    metrics.outbound.inc({ channel: row.channel, status: 'sent' });
    return { providerMessageId };
  } catch (err) {
    if (err instanceof ProviderError) metrics.providerErrors.inc({ channel: row.channel, status: String(err.status ?? 'network') });
    if (err instanceof ProviderError && !err.retryable) {
      // The provider will never take this one; record it and let the rest go out.
      metrics.outbound.inc({ channel: row.channel, status: 'failed' });
      await deps.db.message.update({ where: { id: row.id }, data: { status: 'failed', errorCode: err.providerCode ?? String(err.status ?? '') } });
      if (err.providerCode === TWILIO_OPTED_OUT) await setOptedOut(deps.db, row.channel, row.to, true);
      deps.log.warn({ messageId: row.id, status: err.status, code: err.providerCode }, 'send refused by provider');
      return 'failed';
    }
    if (err instanceof ProviderError && err.retryAfterMs) {
      // Holds this reply and, through `earlier`, every later one of the conversation.
      await deps.db.message.update({ where: { id: row.id }, data: { retryAt: new Date(Date.now() + err.retryAfterMs) } });
    }
    throw err;
  }
}

/**
 * A reply `e` that holds the conversation's later ones: queued or on its way, touched
 * within the hold, and not among `except` (recorded sent, or claimed, by the same statement).
 */
const holdsLater = (holdSeconds: number, except: readonly string[]) =>
  Prisma.sql`e.direction = 'outbound' AND e.status IN ('queued', 'sending') AND NOT (e.id = ANY(${except}::uuid[]))
         AND e."updatedAt" > now() - make_interval(secs => ${holdSeconds}::float8)`;

/**
 * The claim as a reply is written (the turn claims its own replies, see
 * ReplyDelivery.claimsAtWrite): it would succeed — nothing of the conversation holds it,
 * `heldClaims` aside — and the customer has not opted out.
 */
export function claimableAtWrite(to: { conversationId: string; channel: ChannelName; externalId: string }, holdSeconds: number, heldClaims: readonly string[]) {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "Message" e WHERE e."conversationId" = ${to.conversationId}::uuid AND ${holdsLater(holdSeconds, heldClaims)})
         AND NOT ${optedOut(Prisma.sql`${to.channel}::"Channel"`, Prisma.sql`${to.externalId}`)}`;
}

/** A reply written claimed (`claimableAtWrite`), as a claim would have answered it. */
export function claimedAtWrite(reply: Pick<Claimed, 'id' | 'channel' | 'text' | 'locale' | 'payload' | 'to'>): Claimed {
  return { ...reply, claimed: true, status: 'queued', retry_at: null, earlier: false, earlier_retry_at: null, opted_out: false };
}

/**
 * The claim's CTEs (`target`, `earlier`, `claim`): the message is claimed only when no
 * earlier reply of its conversation is still queued or on its way — `sentNow`, recorded
 * sent by the same statement, does not count — and its Retry-After has passed.
 */
function claimCtes(messageId: string, holdSeconds: number, sentNow: readonly string[] = []) {
  return Prisma.sql`target AS (
      SELECT m.id, m."conversationId", m.seq, m.status, m."retryAt" FROM "Message" m WHERE m.id = ${messageId}::uuid
    ), earlier AS (
      SELECT e."retryAt" FROM "Message" e, target t
       WHERE e."conversationId" = t."conversationId" AND e.seq < t.seq AND ${holdsLater(holdSeconds, sentNow)}
       ORDER BY e.seq LIMIT 1
    ), claim AS (
      UPDATE "Message" m SET status = 'sending', attempts = m.attempts + 1, "updatedAt" = now()
        FROM target t
       WHERE m.id = t.id AND t.status IN ('queued', 'sending')
         AND NOT EXISTS (SELECT 1 FROM earlier)
         AND (t."retryAt" IS NULL OR t."retryAt" <= now())
      RETURNING m.id
    )`;
}

/** What a claim answers: the message as it was, whether it is now ours, and why not. */
const claimedRow = Prisma.sql`
    SELECT m.id, m.channel, m.text, m.locale, m.payload, c."externalId" AS "to", t.status::text AS status, t."retryAt" AS retry_at,
           EXISTS (SELECT 1 FROM claim) AS claimed, EXISTS (SELECT 1 FROM earlier) AS earlier,
           (SELECT "retryAt" FROM earlier) AS earlier_retry_at,
           ${optedOut(Prisma.sql`m.channel`, Prisma.sql`c."externalId"`)} AS opted_out
      FROM target t JOIN "Message" m ON m.id = t.id JOIN "Conversation" c ON c.id = t."conversationId"`;

/**
 * Marks replies of one channel sent with the provider's ids, and applies in the same
 * statement a receipt that beat us here (the provider answers and posts it at once) —
 * only if it moves the status forward, as every receipt does. Their outbox rows, needed
 * no more, go with them. With `next`, the same statement claims the conversation's
 * following reply (one round trip and one commit fewer per reply after the first) and
 * returns the claim.
 */
export async function recordSent(
  db: Db,
  channel: ChannelName,
  sent: ReadonlyArray<{ id: string; providerMessageId: string }>,
  next?: { id: string; holdSeconds: number },
): Promise<Claimed | undefined> {
  const ids = sent.map((s) => s.id);
  const rows = await db.sql<Claimed>`
    WITH s AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(sent)}::jsonb) AS x(id uuid, "providerMessageId" text)
    ), early AS (
      DELETE FROM "EarlyStatus" e USING s WHERE e.channel = ${channel}::"Channel" AND e."providerMessageId" = s."providerMessageId"
      RETURNING e."providerMessageId", e.status, e."errorCode"
    ), outbox AS (
      DELETE FROM "Outbox" WHERE kind = 'send' AND "messageId" = ANY(${ids}::uuid[])
    ), ahead AS (
      SELECT DISTINCT ON ("providerMessageId") "providerMessageId", status, "errorCode" FROM early
       WHERE baton_status_rank(status) > baton_status_rank('sent'::"MessageStatus")
       ORDER BY "providerMessageId", baton_status_rank(status) DESC
    ), sent AS (
      UPDATE "Message" m
         SET status = COALESCE(a.status, 'sent'::"MessageStatus"),
             "errorCode" = COALESCE(a."errorCode", m."errorCode"),
             "providerMessageId" = s."providerMessageId", "handledAt" = now(), "retryAt" = NULL, "updatedAt" = now()
        FROM s LEFT JOIN ahead a ON a."providerMessageId" = s."providerMessageId"
       WHERE m.id = s.id
    )${next ? Prisma.sql`, ${claimCtes(next.id, next.holdSeconds, ids)} ${claimedRow}` : Prisma.sql` SELECT NULL WHERE false`}`;
  return next ? rows[0] : undefined;
}
