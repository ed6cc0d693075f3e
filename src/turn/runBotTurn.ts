// Use case: answer a conversation's pending inbound messages, one at a time, in
// arrival order. Whichever worker holds the conversation's lock answers everything
// pending, so a job that finds its message already answered does nothing.
// This is Baton's hottest path, so it reads and writes in as few round trips as it
// can: one read of the pending messages with the conversation (contact and recent
// messages), one write of the whole outcome.
// The lock is tried, not waited for (the worker re-queues the job while another holds
// it). A message whose turn fails while the database is up is tried MAX_TURN_ATTEMPTS
// times; then it is marked handled with an error, the conversation goes to the human
// queue so a person sees it, and the messages after it are answered as usual.
import { openCsat, ratingIn } from '../escalation/csat.ts';
import { metrics } from '../observability/metrics.ts';
import { performTurn, type PerformDeps, type TurnOutcome } from './perform.ts';
import { translator } from '../i18n/i18n.ts';
import { smsParts } from '../channels/sms/index.ts';
import type { ChannelName, InboundMessage } from '../channels/channel.ts';
import type { InboundContent } from '../bots/bot.ts';
import type { Locks } from '../db/locks.ts';
import { HUMAN_QUEUE, performHandoff, recoverStuckHandoffs } from '../handoff/protocol.ts';
import { topicOf } from '../handoff/guards.ts';
import { handoffIdFor } from '../handoff/handoffId.ts';
import { isOutage } from '../db/dbErrors.ts';
import type { OwnerType } from '../generated/prisma/enums.ts';
import { parseContext, parseMemory } from '../handoff/context.ts';
import type { Dispatch, Dispatcher } from '../queues/dispatcher.ts';
import type { AgentEvents } from '../escalation/agentEvents.ts';
import { messageView } from '../conversations/messageView.ts';
import type { ReplyDelivery } from './deliverReplies.ts';
import { claimableAtWrite, claimedAtWrite, type Claimed } from '../conversations/deliverOutbound.ts';
import { optedOut } from '../conversations/optOut.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Sql } from '../db/client.ts';
import type { BoundedSet } from '../shared/boundedCache.ts';

/**
 * `markRead`: WhatsApp's read receipt with the typing indicator (best effort, never awaited by the turn).
 * `replies`: sends the turn's replies from this process right after its commit; without
 * it every reply is a send job.
 */
export type TurnDeps = PerformDeps & {
  locks: Locks;
  dispatcher: Dispatcher;
  events: AgentEvents;
  markRead?: (providerMessageId: string) => Promise<void>;
  replies?: ReplyDelivery;
  /** Messages this process's turns answered lately: a job for one of them has nothing to do. */
  answered?: BoundedSet;
};

/** Stored and shown to people, never a bot turn, never counted toward an escalation. */
const SILENT_KINDS: ReadonlySet<string> = new Set(['reaction', 'system']);

/** Tries of one inbound message (while the database is up) before it is given up on. */
export const MAX_TURN_ATTEMPTS = 3;
export const TURN_FAILED = 'turn_failed';
/** How long a turn whose last write failed waits to take its conversation's lock again. */
const RELOCK_WAIT_MS = 1000;

type Pending = { id: string; text: string; kind: string; payload: unknown; providerMessageId: string | null };

type ConversationRow = {
  id: string;
  contactId: string;
  channel: ChannelName;
  externalId: string;
  locale: string;
  ownerType: OwnerType;
  ownerId: string | null;
  context: unknown;
  contactName: string | null;
  contactLocale: string | null;
  memory: unknown;
  recent: string[] | null;
  optedOut: boolean;
};

/** `messageId`: the message the turn is for, if any (`answered` may then spare the turn). */
export async function runBotTurn(deps: TurnDeps, conversationId: string, messageId?: string): Promise<number> {
  // A burst on one conversation is answered by the first of its turns; the others' jobs
  // would take the lock and read nothing pending.
  if (messageId && deps.answered?.has(messageId)) return 0;
  const startedAt = Date.now();
  const handled: string[] = [];
  const sends: Dispatch[] = [];
  const claims: Claimed[] = [];
  // The pending messages are read, and the last outcome written, with the lock's own
  // round trips (see locks.ts): two round trips for a turn that answers one message.
  const answered = await deps.locks.withLock('conversation', conversationId, async (held) => {
    const { pending, conversation } = pendingOf(held.rows);
    // Several messages answered in one go: each reply quotes the message it answers. The
    // first is answered from the conversation as read with it, each later one from the
    // conversation as the outcome before it left it (returned by that outcome's statement).
    let current = conversation;
    for (const [i, message] of pending.entries()) {
      try {
        const last = i === pending.length - 1;
        // Replies are claimed as they are written while every reply before them in the turn
        // was (the claims this turn holds do not count as earlier replies on their way).
        const heldClaims = deps.replies?.claimsAtWrite === true && claims.length === sends.filter((s) => s.kind === 'send').length ? claims.map((c) => c.id) : undefined;
        const answer = await answerOne(deps, held.sql, last ? held.last : held.sql, conversationId, message, { quote: pending.length > 1, following: !last, heldClaims }, current);
        sends.push(...answer.sends);
        claims.push(...answer.claims);
        handled.push(message.id);
        current = answer.after;
      } catch (err) {
        current = undefined;
        if (await isOutage(deps.db, err)) throw err;
        // The last write failed after the lock went with it: the failure is counted under the
        // lock again, waiting a moment for that unlock (still on its way behind the write) —
        // without the wait the try could beat it, and the failure would never be counted.
        const count = () => recordFailure(deps, conversationId, message, err);
        const gaveUp = held.held() ? await count() : await deps.locks.withLock('conversation', conversationId, count, { waitMs: RELOCK_WAIT_MS });
        if (!gaveUp) throw err; // tries left: the job's retry runs it again
        sends.push(...gaveUp);
        handled.push(message.id);
      }
    }
    return pending.length;
  }, { read: pendingRead(conversationId) });
  for (const id of handled) deps.answered?.add(id);
  if (!deps.replies) {
    await deps.dispatcher.dispatch(sends);
    return answered;
  }
  await deps.dispatcher.dispatch(sends.filter((s) => s.kind !== 'send'));
  await deps.replies.start(
    conversationId,
    sends.filter((s) => s.kind === 'send').map((s) => s.messageId),
    startedAt,
    claims,
  );
  return answered;
}

/**
 * Counts a failed try of `message`; on the last one marks it handled with an error and
 * hands the conversation to the human queue. Returns what to dispatch, or undefined
 * while tries are left.
 */
async function recordFailure(deps: TurnDeps, conversationId: string, message: Pending, err: unknown): Promise<Dispatch[] | undefined> {
  const [row] = await deps.db.$queryRaw<Array<{ attempts: number }>>`
    UPDATE "Message" SET attempts = attempts + 1, "updatedAt" = now() WHERE id = ${message.id}::uuid RETURNING attempts`;
  if (!row || row.attempts < MAX_TURN_ATTEMPTS) return undefined;
  deps.log.error({ err, conversationId, messageId: message.id, attempts: row.attempts }, 'giving up on a message: a person is alerted');
  await deps.db.message.update({ where: { id: message.id }, data: { handledAt: new Date(), errorCode: TURN_FAILED } });
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId } });
  if (conversation?.ownerType !== 'bot' || !conversation.ownerId) return [];
  const context = parseContext(conversation.context);
  const outcome = await performHandoff(deps, {
    handoffId: handoffIdFor(`${message.id}:${TURN_FAILED}`, 0), // one per failed message, whichever worker gets here
    conversationId,
    from: { type: 'bot', id: conversation.ownerId },
    to: HUMAN_QUEUE,
    pattern: 'escalation',
    reason: TURN_FAILED,
    context,
    topic: topicOf(context.intent),
    handoffsThisTurn: 0,
    t: translator(conversation.locale),
    fallback: true,
    precondition: { ownerType: 'bot', ownerId: conversation.ownerId },
  });
  return outcome.escalated ? [{ kind: 'escalate', conversationId, messageId: outcome.handoffId }] : [];
}

/**
 * The conversation as a turn reads it: owner, context, the contact and its memory, and
 * the customer's last three answered messages (the message being answered is not
 * answered yet, so never among them).
 */
const conversationRow = (conversationId: string) => Prisma.sql`
  SELECT c.id, c."contactId", c.channel, c."externalId", c.locale, c."ownerType", c."ownerId", c.context,
         k.name AS "contactName", k.locale AS "contactLocale", k.memory,
         ${optedOut(Prisma.sql`c.channel`, Prisma.sql`c."externalId"`)} AS "optedOut",
         (SELECT array_agg(r.text ORDER BY r.seq) FROM (
            SELECT text, seq FROM "Message"
             WHERE "conversationId" = c.id AND direction = 'inbound' AND "handledAt" IS NOT NULL
               AND kind NOT IN ('reaction', 'system')
             ORDER BY seq DESC LIMIT 3) r) AS recent
    FROM "Conversation" c JOIN "Contact" k ON k.id = c."contactId"
   WHERE c.id = ${conversationId}::uuid`;

async function load(sql: Sql, conversationId: string): Promise<ConversationRow> {
  const [row] = await sql<ConversationRow>`${conversationRow(conversationId)}`;
  if (!row) throw new Error(`conversation ${conversationId} not found`);
  return row;
}

/** The messages waiting for an answer, in order, and the conversation (`load`'s row), in one statement. */
const pendingRead = (conversationId: string) => Prisma.sql`
  SELECT (SELECT COALESCE(json_agg(p ORDER BY p.seq), '[]'::json) FROM (
            SELECT id, text, kind, payload, "providerMessageId", seq FROM "Message"
             WHERE "conversationId" = ${conversationId}::uuid AND direction = 'inbound' AND "handledAt" IS NULL) p) AS pending,
         (SELECT row_to_json(x) FROM (${conversationRow(conversationId)}) x) AS conversation`;

function pendingOf(rows: unknown[]): { pending: Pending[]; conversation: ConversationRow | undefined } {
  const [row] = rows as Array<{ pending: Pending[]; conversation: ConversationRow | null }>;
  return { pending: (row?.pending ?? []).map(({ id, text, kind, payload, providerMessageId }) => ({ id, text, kind, payload, providerMessageId })), conversation: row?.conversation ?? undefined };
}

/**
 * `sql`: reads under the conversation's lock; `write`: the outcome's statement (the lock's
 * last one for the last message). `following`: another message is answered after this
 * one; `after` is then the conversation as this one leaves it, when the outcome could
 * tell (otherwise the next one reads it). `heldClaims`: when set, the replies are claimed
 * for this process's delivery as they are written if a claim would succeed (`claims`),
 * these earlier replies (the turn's own claims) not counting against it.
 */
async function answerOne(
  deps: TurnDeps,
  sql: Sql,
  write: Sql,
  conversationId: string,
  message: Pending,
  { quote, following, heldClaims }: { quote: boolean; following: boolean; heldClaims: readonly string[] | undefined },
  loaded?: ConversationRow,
): Promise<{ sends: Dispatch[]; after?: ConversationRow | undefined; claims: Claimed[] }> {
  let conversation = loaded ?? (await load(sql, conversationId));
  if (conversation.ownerType === 'handoff_pending') {
    // A handoff was interrupted (the process died between pause and release).
    await recoverStuckHandoffs(deps.db, conversationId);
    conversation = await load(sql, conversationId);
  }

  const payload = (message.payload ?? {}) as Pick<InboundMessage, 'replyId' | 'location' | 'contacts' | 'attachment' | 'optOut'>;
  // A person holds it, or it waits for one: bots stay silent; the agent sees the message.
  // Reactions and WhatsApp's system notices are kept for the transcript, never answered;
  // nor are STOP/START (the carrier confirms them) or anything from an opted-out number.
  const silent = SILENT_KINDS.has(message.kind) || conversation.optedOut || (payload.optOut !== undefined && payload.optOut !== 'help');
  if (silent || conversation.ownerType !== 'bot' || !conversation.ownerId) {
    const handled = await deps.db.message.update({ where: { id: message.id }, data: { handledAt: new Date() } });
    if (conversation.ownerType === 'agent' && conversation.ownerId) {
      await deps.events.toAgent(conversation.ownerId, { event: 'message', data: { conversationId, message: messageView(handled) } });
    }
    return { sends: [], claims: [] };
  }
  const whatsappId = conversation.channel === 'whatsapp' ? (message.providerMessageId ?? undefined) : undefined;
  if (whatsappId && deps.markRead) {
    deps.markRead(whatsappId).catch((err: unknown) => deps.log.debug({ err: err instanceof Error ? err.message : String(err), messageId: message.id }, 'read receipt not sent'));
  }
  const replyTo = quote ? whatsappId : undefined;
  // The answer to "how would you rate…" (asked when a person resolved the last
  // conversation) is recorded and thanked; anything else drops the question.
  const csat = openCsat(conversation.memory);
  const rating = csat ? ratingIn(message.text, payload.replyId) : undefined;
  // HELP is answered with the pack's help text, whoever owns the conversation.
  const outcome: TurnOutcome = payload.optOut === 'help' ? helpOutcome(conversation) : rating ? thanksOutcome(conversation) : await performTurn(deps, {
    conversation: { id: conversation.id, contactId: conversation.contactId, channel: conversation.channel, locale: conversation.locale, ownerId: conversation.ownerId },
    // The address the channel verified (phone, wa_id, web chat session): back-ends check ownership with it.
    contact: { id: conversation.contactId, name: conversation.contactName, address: conversation.externalId },
    message: { id: message.id, text: message.text, kind: message.kind, ...sharedContent(payload) },
    recentInbound: conversation.recent ?? [],
    context: parseContext(conversation.context),
    chosenLocale: conversation.contactLocale,
  });

  // Only the slots are kept: an open rating question is answered or dropped by this message.
  const memory = parseMemory(conversation.memory);
  const escalation = outcome.owner.type === 'queue' ? outcome.handoffs.findLast((h) => h.escalated)?.escalated : undefined;
  // An SMS reply longer than Twilio takes goes out as ordered parts, one message each.
  const parts = conversation.channel === 'sms' ? outcome.replies.flatMap((reply) => smsParts(reply)) : outcome.replies;
  const replies = parts.map((reply, idx) => ({
    idx,
    author: reply.by ?? conversation.ownerId,
    text: reply.text,
    payload: reply.options || reply.asks || replyTo ? { options: reply.options, asks: reply.asks, replyTo } : null,
  }));
  // One statement: mark the message answered (only if nobody did — a retried job after
  // a crash finds it handled and writes nothing), store the replies in order with their
  // outbox rows, the new context and the contact's memory, and queue an escalation.
  const nextMemory = JSON.stringify({ ...memory, slots: { ...memory.slots, ...outcome.context.slots } });
  const nextContext = JSON.stringify(outcome.context);
  // For a following message, the conversation as this statement's snapshot sees it (owner
  // and language as the turn's handoffs committed them; this statement's own writes are
  // laid over it below) instead of a read of its own.
  const claimable = heldClaims && deps.replies
    ? claimableAtWrite({ conversationId, channel: conversation.channel, externalId: conversation.externalId }, deps.replies.holdSeconds, heldClaims)
    : Prisma.sql`false`;
  const tail = following
    ? Prisma.sql`SELECT id, status::text AS status, NULL::json AS conversation FROM replies
       UNION ALL
       SELECT NULL, NULL, (SELECT row_to_json(x) FROM (${conversationRow(conversationId)}) x) WHERE EXISTS (SELECT 1 FROM handled)`
    : Prisma.sql`SELECT id, status::text AS status FROM replies`;
  const rows = await write<{ id: string | null; status: string | null; conversation?: ConversationRow | null }>`
    WITH handled AS (
      UPDATE "Message" SET "handledAt" = now(), "updatedAt" = now()
       WHERE id = ${message.id}::uuid AND "handledAt" IS NULL RETURNING id
    ), claimable AS (
      SELECT ${claimable} AS ok
    ), replies AS (
      INSERT INTO "Message" (id, "conversationId", direction, "authorType", "authorId", "authorName", channel, text, payload, "idempotencyKey", status, attempts, locale, "updatedAt")
      SELECT gen_random_uuid(), ${conversationId}::uuid, 'outbound', 'bot', r.author, r.author, ${conversation.channel}::"Channel", r.text, r.payload,
             ${message.id} || ':' || r.idx,
             CASE WHEN (SELECT ok FROM claimable) THEN 'sending' ELSE 'queued' END::"MessageStatus",
             CASE WHEN (SELECT ok FROM claimable) THEN 1 ELSE 0 END,
             ${outcome.locale}, now()
        FROM jsonb_to_recordset(${JSON.stringify(replies)}::jsonb) AS r(idx int, author text, text text, payload jsonb)
       WHERE EXISTS (SELECT 1 FROM handled)
       ORDER BY r.idx
      RETURNING id, status
    ), outbox AS (
      INSERT INTO "Outbox" (kind, "conversationId", "messageId", "dueAt")
      SELECT 'send', ${conversationId}::uuid, id, now() + make_interval(secs => ${(deps.replies?.graceMs ?? 0) / 1000}::float8) FROM replies
    ), conversation AS (
      UPDATE "Conversation" SET context = ${nextContext}::jsonb, "updatedAt" = now()
       WHERE id = ${conversationId}::uuid AND EXISTS (SELECT 1 FROM handled)
    ), contact AS (
      -- Most turns learn nothing new about the customer: no new row version then.
      UPDATE "Contact" SET memory = ${nextMemory}::jsonb, "updatedAt" = now()
       WHERE id = ${conversation.contactId}::uuid AND EXISTS (SELECT 1 FROM handled) AND memory IS DISTINCT FROM ${nextMemory}::jsonb
    ), csat AS (
      INSERT INTO "CsatRating" (id, "conversationId", "contactId", "agentId", "botId", rating)
      SELECT gen_random_uuid(), ${csat?.conversationId ?? null}::uuid, ${conversation.contactId}::uuid, ${csat?.agentId ?? null}::uuid, ${csat?.botId ?? null}, ${rating ?? null}::int
       WHERE ${rating ?? null}::int IS NOT NULL AND EXISTS (SELECT 1 FROM handled)
      ON CONFLICT ("conversationId") DO NOTHING
    ), escalation AS (
      INSERT INTO "Outbox" (kind, "conversationId", "messageId")
      SELECT 'escalate', ${conversationId}::uuid, ${escalation?.handoffId ?? null}::uuid
       WHERE ${escalation?.handoffId ?? null}::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM handled)
      ON CONFLICT DO NOTHING
    )
    ${tail}`;
  if (rating && csat) {
    metrics.csatRatings.inc({ agent: csat.agentId ?? 'none', bot: csat.botId ?? 'none', rating: String(rating) });
    if (csat.agentId) await deps.events.toAgent(csat.agentId, { event: 'csat', data: { conversationId: csat.conversationId, rating } });
  }
  const sends: Dispatch[] = rows.flatMap((r) => (r.id ? [{ kind: 'send' as const, conversationId, messageId: r.id }] : []));
  // Written in order: the n-th row returned is the n-th reply.
  const claims: Claimed[] = rows.flatMap((r, i) => {
    const reply = replies[i];
    if (!r.id || r.status !== 'sending' || !reply) return [];
    const payload = reply.payload ? (JSON.parse(JSON.stringify(reply.payload)) as Claimed['payload']) : null;
    return [claimedAtWrite({ id: r.id, channel: conversation.channel, text: reply.text, locale: outcome.locale, payload, to: conversation.externalId })];
  });
  if (escalation) sends.push({ kind: 'escalate', conversationId, messageId: escalation.handoffId });
  const seen = rows.find((r) => r.conversation)?.conversation;
  // What the statement wrote, over what it saw: the context, the contact's memory, and this
  // message among the customer's last three answered ones.
  const after = seen ? {
    ...seen,
    context: JSON.parse(nextContext) as unknown,
    memory: JSON.parse(nextMemory) as unknown,
    recent: SILENT_KINDS.has(message.kind) ? seen.recent : [...(seen.recent ?? []), message.text].slice(-3),
  } : undefined;
  return { sends, after, claims };
}

/** What the customer shared besides words, as a bot reads it (no provider ids or URLs). */
function sharedContent(payload: Pick<InboundMessage, 'replyId' | 'location' | 'contacts' | 'attachment'>): Partial<InboundContent> {
  const { replyId, location, contacts, attachment } = payload;
  return {
    ...(replyId ? { replyId } : {}),
    ...(location ? { location } : {}),
    ...(contacts ? { contacts } : {}),
    ...(attachment ? { attachment: { kind: attachment.kind, ...(attachment.mimeType ? { mimeType: attachment.mimeType } : {}), ...(attachment.filename ? { filename: attachment.filename } : {}) } } : {}),
  };
}

/** HELP: the pack's `help` text (Baton's own when the pack has none); nothing else changes. */
function thanksOutcome(conversation: ConversationRow): TurnOutcome {
  return { replies: [{ text: translator(conversation.locale)('escalation:csatThanks') }], context: parseContext(conversation.context), owner: { type: 'bot', id: conversation.ownerId! }, handoffs: [], locale: conversation.locale };
}

function helpOutcome(conversation: ConversationRow): TurnOutcome {
  const context = parseContext(conversation.context);
  return { replies: [{ text: translator(conversation.locale)('help') }], context, owner: { type: 'bot', id: conversation.ownerId! }, handoffs: [], locale: conversation.locale };
}
