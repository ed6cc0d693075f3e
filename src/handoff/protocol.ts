// The handoff protocol, the one code path that moves a conversation between owners
// and writes the ledger. Five recorded steps: the source pauses (owner
// `handoff_pending`), transmits the envelope, the target validates it against its
// role contract, acknowledges, and the source releases. A replayed handoff id
// changes nothing; a rejected or failed handoff falls back, and after two automated
// fallbacks the conversation goes to the human queue.
import type { TFunction } from 'i18next';
import type { BotRegistry } from '../packs/registry.ts';
import type { ConversationContext } from './context.ts';
import { parseContext, parseMemory } from './context.ts';
import type { Db } from '../db/client.ts';
import { asJson } from '../db/json.ts';
import type { Logger } from '../shared/logger.ts';
import { LockBusy, type Locks } from '../db/locks.ts';
import { buildEnvelope, TRANSCRIPT_WINDOW, type RecentMessage } from './buildEnvelope.ts';
import type { ChannelName } from '../channels/channel.ts';
import type { ConversationStatus, OwnerType } from '../generated/prisma/enums.ts';
import type { HandoffEnvelopeV1, HandoffPattern, Party } from './envelope.ts';
import { checkGuards } from './guards.ts';
import { handoffIdFor } from './handoffId.ts';
import { redactEnvelope } from './redact.ts';
import { metrics } from '../observability/metrics.ts';
import { inSpan } from '../observability/tracing.ts';

export const MAX_FALLBACKS = 2;
export const HUMAN_QUEUE: Party = { type: 'queue', id: 'human' };

/** `packVersion`: the version of the pack whose bots decided, recorded on every ledger row. */
export type HandoffDeps = { db: Db; bots: BotRegistry; log: Logger; packVersion: string };

export type HandoffRequest = {
  handoffId: string;
  conversationId: string;
  from: Party;
  to: Party;
  pattern: HandoffPattern;
  reason: string;
  confidence?: number | undefined;
  /** The turn's live context (it holds slots not yet stored). */
  context: ConversationContext;
  topic: string;
  handoffsThisTurn: number;
  t: TFunction;
  /** This handoff is itself an automated fallback: the guards do not apply to it. */
  fallback?: boolean;
  /** The pause only happens if the conversation still matches this (atomic claims). */
  precondition?: Precondition;
};

/** What the conversation must still look like for the handoff to start; a field left out is not checked. */
export type Precondition = { status?: ConversationStatus; ownerType?: OwnerType; ownerId?: string | null; claimedAt?: Date | null };

/** The conversation no longer matched the handoff's precondition (e.g. claimed already). */
export class HandoffConflict extends Error {
  override name = 'HandoffConflict';
}

export type HandoffOutcome = {
  handoffId: string;
  status: 'accepted' | 'rejected' | 'failed' | 'rolled_back';
  /** Who owns the conversation afterwards. */
  owner: Party;
  context: ConversationContext;
  replayed: boolean;
  incident?: 'context_loss';
  /** The envelope the target received (accepted handoffs). */
  envelope?: Record<string, unknown>;
  /** Set when the handoff ended in the human queue (directly or by a guard/fallback). */
  escalated?: { reason: string; handoffId: string };
  error?: string;
};

type Step = { step: string; at: string; detail?: string };
const now = () => new Date().toISOString();
const label = (p: Party) => `${p.type}:${p.id}`;

export function performHandoff(deps: HandoffDeps, req: HandoffRequest): Promise<HandoffOutcome> {
  return inSpan(
    'handoff',
    { 'baton.conversation_id': req.conversationId, 'baton.handoff_id': req.handoffId, 'baton.from': label(req.from), 'baton.to': label(req.to), 'baton.pattern': req.pattern, 'baton.reason': req.reason },
    async (span) => {
      const outcome = await runProtocol(deps, req);
      span.setAttribute('baton.status', outcome.status);
      return outcome;
    },
  );
}

async function runProtocol(deps: HandoffDeps, req: HandoffRequest): Promise<HandoffOutcome> {
  const started = Date.now();
  const steps: Step[] = [];

  // 1. pause — committed, so a crash from here on leaves a visible pending handoff
  //    that recoverStuckHandoffs rolls back to the source.
  steps.push({ step: 'pause', at: now() });
  const { previous, conversation, recent } = await pause(deps, req, steps);
  // A finished handoff is only replayed; an interrupted one (rolled back) runs again.
  if (previous && previous.status !== 'pending' && previous.status !== 'rolled_back') return replay(deps, previous);
  if (!conversation) throw new HandoffConflict(`conversation ${req.conversationId} changed hands`);

  // 2. transmit
  const envelope = buildEnvelope(conversation, req, req.context, req.t, recent);
  steps.push({ step: 'transmit', at: now() });

  // 3. validate against the target's role contract (and the guards)
  const verdict = await validate(deps, req, envelope, conversation.contactId, steps);
  if (!verdict.ok) return refuse(deps, req, envelope, steps, started, verdict);

  // 4. acknowledge
  const target = req.to.type === 'bot' ? deps.bots.get(req.to.id) : undefined;
  try {
    await target?.acknowledge?.(envelope);
  } catch (err) {
    return refuse(deps, req, envelope, steps, started, { ok: false, status: 'failed', error: `target failed to acknowledge: ${err instanceof Error ? err.message : String(err)}` });
  }
  steps.push({ step: 'acknowledge', at: now() });

  // 5. release: the target owns the conversation now.
  steps.push({ step: 'release', at: now() });
  const context: ConversationContext = {
    ...req.context,
    slots: envelope.slots,
    lineage: [...req.context.lineage, label(req.to)],
    hops: [...req.context.hops, { from: req.from.id, to: req.to.id, turn: req.context.turn, topic: req.topic, pattern: req.pattern }].slice(-20),
    // Fallbacks count for the whole conversation: two, and a person takes over. Only a
    // person handing it back (release) starts the count again.
    fallbacks: req.pattern === 'agent' ? 0 : req.context.fallbacks,
    awaiting: undefined,
    arrival: req.to.type === 'bot' ? { handoffId: req.handoffId, bot: req.to.id } : undefined,
  };
  const latencyMs = Date.now() - started;
  metrics.handoffs.inc({ pattern: req.pattern, reason: req.reason, status: 'accepted' });
  metrics.handoffLatency.observe(latencyMs / 1000);
  // Only if the handoff is still ours: recovery may have rolled it back meanwhile, and
  // then writing the new owner would undo the rollback behind the ledger's back. A
  // handoff to the human queue commits its routing job's outbox row with it, so a
  // Redis blip now cannot lose the queue placement (and its timers); the caller
  // dispatches it.
  const released = await finish(deps, req, {
    owner: req.to,
    hop: true,
    context,
    event: { status: 'accepted', steps, latencyMs, error: null, envelope: redactEnvelope(envelope) },
    // The agent's reply timer likewise, for a conversation given to a person.
    work: req.to.type === 'queue' ? 'escalate' : req.to.type === 'agent' ? 'sla-reply' : null,
  });
  if (!released) return rolledBack(deps, req);
  return {
    handoffId: req.handoffId,
    status: 'accepted',
    owner: req.to,
    context,
    replayed: false,
    envelope: envelope as unknown as Record<string, unknown>,
    ...(req.to.type === 'queue' ? { escalated: { reason: req.reason, handoffId: req.handoffId } } : {}),
  };
}

type Verdict =
  | { ok: true }
  | { ok: false; status: 'rejected' | 'failed'; error: string; incident?: 'context_loss'; guard?: string };

async function validate(deps: HandoffDeps, req: HandoffRequest, envelope: HandoffEnvelopeV1, contactId: string, steps: Step[]): Promise<Verdict> {
  if (req.to.type !== 'bot') {
    steps.push({ step: 'validate', at: now() });
    return { ok: true };
  }
  const target = deps.bots.get(req.to.id);
  if (!target) return { ok: false, status: 'rejected', error: `no bot "${req.to.id}"` };
  if (req.pattern !== 'agent' && !req.fallback) {
    const guard = checkGuards(req.context, { from: req.from.id, to: req.to.id, topic: req.topic }, req.handoffsThisTurn);
    if (!guard.ok) return { ok: false, status: 'rejected', error: `guard: ${guard.reason}`, guard: guard.reason };
  }
  const missing = target.contract.requires.filter((slot) => !envelope.slots[slot]);
  if (missing.length) {
    // Repair: a slot the conversation or the customer's memory holds but the source
    // left out of the envelope is restored, and the repair recorded.
    const stored = await deps.db.conversation.findUnique({ where: { id: req.conversationId }, select: { context: true } });
    const contact = await deps.db.contact.findUnique({ where: { id: contactId }, select: { memory: true } });
    const known = { ...parseMemory(contact?.memory).slots, ...parseContext(stored?.context).slots };
    const repaired = missing.filter((slot) => known[slot]);
    for (const slot of repaired) envelope.slots[slot] = known[slot]!;
    if (repaired.length) steps.push({ step: 'repair', at: now(), detail: repaired.join(',') });
    const stillMissing = missing.filter((slot) => !envelope.slots[slot]);
    if (stillMissing.length) {
      return { ok: false, status: 'rejected', error: `context loss: required slot(s) ${stillMissing.join(', ')} missing`, incident: 'context_loss' };
    }
  }
  steps.push({ step: 'validate', at: now() });
  return { ok: true };
}

/** Rejected or failed: control returns to the source; fallbacks are counted. */
async function refuse(
  deps: HandoffDeps,
  req: HandoffRequest,
  envelope: HandoffEnvelopeV1,
  steps: Step[],
  started: number,
  verdict: Extract<Verdict, { ok: false }>,
): Promise<HandoffOutcome> {
  steps.push({ step: verdict.status === 'failed' ? 'fail' : 'reject', at: now(), detail: verdict.error });
  steps.push({ step: 'rollback', at: now(), detail: `owner back to ${label(req.from)}` });
  const guardHit = Boolean(verdict.guard);
  const context: ConversationContext = { ...req.context, fallbacks: guardHit ? req.context.fallbacks : req.context.fallbacks + 1 };
  const refused = await finish(deps, req, {
    owner: req.from,
    hop: false,
    context,
    event: { status: verdict.status, steps, latencyMs: Date.now() - started, error: verdict.error, envelope: redactEnvelope(envelope) },
    work: null,
  });
  if (!refused) return rolledBack(deps, req);
  deps.log.warn({ handoffId: req.handoffId, from: label(req.from), to: label(req.to), error: verdict.error, incident: verdict.incident }, 'handoff refused');
  metrics.handoffs.inc({ pattern: req.pattern, reason: req.reason, status: verdict.status });
  metrics.handoffLatency.observe((Date.now() - started) / 1000);
  if (verdict.incident === 'context_loss') metrics.contextLoss.inc();

  const outcome: HandoffOutcome = {
    handoffId: req.handoffId,
    status: verdict.status,
    owner: req.from,
    context,
    replayed: false,
    error: verdict.error,
    ...(verdict.incident ? { incident: verdict.incident } : {}),
  };
  const escalateFor = verdict.guard ?? (context.fallbacks >= MAX_FALLBACKS ? 'fallbacks_exhausted' : undefined);
  if (!escalateFor || req.to.type === 'queue') return outcome;
  const escalation = await performHandoff(deps, {
    ...req,
    handoffId: handoffIdFor(req.handoffId, 1),
    to: HUMAN_QUEUE,
    pattern: 'escalation',
    reason: escalateFor,
    context,
  });
  return { ...outcome, owner: escalation.owner, context: escalation.context, ...(escalation.escalated ? { escalated: escalation.escalated } : {}) };
}

type PreviousEvent = { id: string; conversationId: string; status: string; error: string | null };
type PausedConversation = { id: string; contactId: string; locale: string; channel: ChannelName; hopCount: number };

/**
 * Step 1 in one round trip: reads an earlier run of this handoff id, pauses the
 * conversation if the precondition holds and the handoff is not finished already,
 * writes the pending ledger row, and reads the transcript for the envelope. No
 * `conversation` back: it changed hands (or the handoff is finished: see `previous`).
 */
async function pause(
  deps: HandoffDeps,
  req: HandoffRequest,
  steps: Step[],
): Promise<{ previous: PreviousEvent | null; conversation: PausedConversation | null; recent: RecentMessage[] }> {
  const p = req.precondition ?? {};
  const [row] = await deps.db.sql<{ previous: PreviousEvent | null; conversation: PausedConversation | null; recent: RecentMessage[] }>`
    WITH previous AS (
      SELECT id, "conversationId", status::text AS status, error FROM "HandoffEvent" WHERE id = ${req.handoffId}::uuid
    ), paused AS (
      UPDATE "Conversation" c SET "ownerType" = 'handoff_pending', "updatedAt" = now()
       WHERE c.id = ${req.conversationId}::uuid
         AND NOT EXISTS (SELECT 1 FROM previous WHERE status NOT IN ('pending', 'rolled_back'))
         AND (${p.status === undefined} OR c.status = ${p.status ?? null}::"ConversationStatus")
         AND (${p.ownerType === undefined} OR c."ownerType" = ${p.ownerType ?? null}::"OwnerType")
         AND (${p.ownerId === undefined} OR c."ownerId" IS NOT DISTINCT FROM ${p.ownerId ?? null}::text)
         AND (${p.claimedAt === undefined} OR c."claimedAt" IS NOT DISTINCT FROM ${p.claimedAt ?? null}::timestamptz)
      RETURNING c.id, c."contactId", c.locale, c.channel::text AS channel, c."hopCount"
    ), event AS (
      INSERT INTO "HandoffEvent" (id, "conversationId", "fromType", "fromId", "toType", "toId", pattern, reason, confidence, status, steps, envelope, "packVersion", "updatedAt")
      SELECT ${req.handoffId}::uuid, ${req.conversationId}::uuid, ${req.from.type}, ${req.from.id}, ${req.to.type}, ${req.to.id}, ${req.pattern}, ${req.reason},
             ${req.confidence ?? null}::float8, 'pending', ${JSON.stringify(steps)}::jsonb, '{}'::jsonb, ${deps.packVersion}, now()
        FROM paused
      ON CONFLICT (id) DO UPDATE SET status = 'pending', steps = EXCLUDED.steps, "packVersion" = EXCLUDED."packVersion", "updatedAt" = now()
    ), recent AS (
      SELECT m."authorType"::text AS role, m."authorName" AS name, m.text, m."createdAt" AS at
        FROM "Message" m WHERE m."conversationId" = ${req.conversationId}::uuid
       ORDER BY m.seq DESC LIMIT ${TRANSCRIPT_WINDOW}
    )
    SELECT (SELECT row_to_json(previous) FROM previous) AS previous,
           (SELECT row_to_json(paused) FROM paused) AS conversation,
           (SELECT coalesce(json_agg(recent), '[]'::json) FROM recent) AS recent`;
  return { previous: row?.previous ?? null, conversation: row?.conversation ?? null, recent: row?.recent ?? [] };
}

/**
 * Steps 5 (release) or rollback in one statement: the new owner and context, the
 * ledger row's outcome, and the routing job or reply timer as an outbox row — only if
 * this handoff still holds the conversation paused (row locked first). A handoff
 * rolled back by recovery (or a conversation erased) meanwhile must not be finished:
 * then nothing is written and the caller reports it rolled back.
 */
async function finish(
  deps: HandoffDeps,
  req: HandoffRequest,
  end: {
    owner: Party;
    hop: boolean;
    context: ConversationContext;
    event: { status: 'accepted' | 'rejected' | 'failed'; steps: Step[]; latencyMs: number; error: string | null; envelope: unknown };
    work: 'escalate' | 'sla-reply' | null;
  },
): Promise<boolean> {
  // The columns ownerColumns sets, and only those: the rest keep their value.
  const owned: OwnerColumns = ownerColumns(end.owner, req.reason);
  const sets = (column: keyof OwnerColumns) => column in owned;
  const [row] = await deps.db.sql<{ done: boolean }>`
    WITH held AS (
      SELECT c.id FROM "Conversation" c JOIN "HandoffEvent" h ON h.id = ${req.handoffId}::uuid
       WHERE c.id = ${req.conversationId}::uuid AND c."ownerType" = 'handoff_pending' AND h.status = 'pending'
         FOR UPDATE OF c
    ), conversation AS (
      UPDATE "Conversation" c
         SET status = ${owned.status}::"ConversationStatus", "ownerType" = ${owned.ownerType}::"OwnerType", "ownerId" = ${owned.ownerId},
             "openKey" = CASE WHEN ${sets('openKey')} THEN ${owned.openKey ?? null}::text ELSE c."openKey" END,
             "resolvedAt" = CASE WHEN ${sets('resolvedAt')} THEN ${owned.resolvedAt ?? null}::timestamptz ELSE c."resolvedAt" END,
             "escalationReason" = CASE WHEN ${sets('escalationReason')} THEN ${owned.escalationReason ?? null}::text ELSE c."escalationReason" END,
             "waitingSince" = CASE WHEN ${sets('waitingSince')} THEN ${owned.waitingSince ?? null}::timestamptz ELSE c."waitingSince" END,
             "claimedAt" = CASE WHEN ${sets('claimedAt')} THEN ${owned.claimedAt ?? null}::timestamptz ELSE c."claimedAt" END,
             "hopCount" = c."hopCount" + ${end.hop ? 1 : 0}, context = ${JSON.stringify(end.context)}::jsonb, "updatedAt" = now()
        FROM held WHERE c.id = held.id
    ), event AS (
      UPDATE "HandoffEvent"
         SET status = ${end.event.status}::"HandoffStatus", steps = ${JSON.stringify(end.event.steps)}::jsonb, "latencyMs" = ${end.event.latencyMs}::int,
             error = COALESCE(${end.event.error}, error), envelope = ${JSON.stringify(end.event.envelope)}::jsonb, "updatedAt" = now()
       WHERE id = ${req.handoffId}::uuid AND EXISTS (SELECT 1 FROM held)
    ), work AS (
      INSERT INTO "Outbox" (kind, "conversationId", "messageId")
      SELECT ${end.work}, ${req.conversationId}::uuid, ${req.handoffId}::uuid WHERE ${end.work}::text IS NOT NULL AND EXISTS (SELECT 1 FROM held)
      ON CONFLICT DO NOTHING
    )
    SELECT EXISTS (SELECT 1 FROM held) AS done`;
  return row?.done === true;
}

async function rolledBack(deps: HandoffDeps, req: HandoffRequest): Promise<HandoffOutcome> {
  deps.log.warn({ handoffId: req.handoffId, conversationId: req.conversationId }, 'handoff was rolled back while it ran; leaving the conversation as recovery left it');
  const event = await deps.db.handoffEvent.findUniqueOrThrow({ where: { id: req.handoffId } });
  return { ...(await replay(deps, event)), replayed: false };
}

/** A conversation's columns for a new owner; a column left out keeps its value. */
type OwnerColumns = {
  status: 'resolved' | 'waiting' | 'agent' | 'bot';
  ownerType: 'queue' | 'agent' | 'bot';
  ownerId: string | null;
  openKey?: null;
  resolvedAt?: Date;
  escalationReason?: string;
  waitingSince?: Date;
  claimedAt?: Date | null;
};

function ownerColumns(owner: Party, reason: string): OwnerColumns {
  if (owner.type === 'none') {
    return { status: 'resolved' as const, ownerType: 'queue' as const, ownerId: null, openKey: null, resolvedAt: new Date() };
  }
  if (owner.type === 'queue') {
    return { status: 'waiting' as const, ownerType: 'queue' as const, ownerId: null, escalationReason: reason, waitingSince: new Date(), claimedAt: null };
  }
  if (owner.type === 'agent') return { status: 'agent' as const, ownerType: 'agent' as const, ownerId: owner.id, claimedAt: new Date() };
  return { status: 'bot' as const, ownerType: 'bot' as const, ownerId: owner.id };
}

async function replay(deps: HandoffDeps, event: { id: string; conversationId: string; status: string; error: string | null }): Promise<HandoffOutcome> {
  const conversation = await deps.db.conversation.findUniqueOrThrow({ where: { id: event.conversationId } });
  const owner: Party =
    conversation.status === 'resolved' ? { type: 'none', id: 'resolved' }
    : conversation.ownerType === 'queue' ? HUMAN_QUEUE
    : { type: conversation.ownerType === 'agent' ? 'agent' : 'bot', id: conversation.ownerId ?? deps.bots.triageId };
  return {
    handoffId: event.id,
    status: event.status as HandoffOutcome['status'],
    owner,
    context: parseContext(conversation.context),
    replayed: true,
    ...(event.error ? { error: event.error } : {}),
  };
}

/**
 * A handoff left `pending` (the process died between pause and release) is rolled
 * back: the source owns the conversation again, so it is never left without one.
 * Callers hold the conversation's lock (every handoff runs under it), so a pending
 * handoff seen here is not running anywhere.
 */
export async function recoverStuckHandoffs(db: Db, conversationId: string): Promise<number> {
  const stuck = await db.handoffEvent.findMany({ where: { conversationId, status: 'pending' }, orderBy: { createdAt: 'asc' } });
  for (const event of stuck) {
    const steps = [...((event.steps as Step[] | null) ?? []), { step: 'recovered', at: now(), detail: 'rolled back after an interruption' }];
    await db.$transaction([
      db.conversation.updateMany({
        where: { id: conversationId, ownerType: 'handoff_pending' },
        data: ownerColumns({ type: event.fromType as Party['type'], id: event.fromId }, event.reason),
      }),
      db.handoffEvent.update({ where: { id: event.id }, data: { status: 'rolled_back', steps: asJson(steps), error: 'interrupted' } }),
    ]);
  }
  return stuck.length;
}

/**
 * The sweep for handoffs left pending by a crash when the customer does not write
 * again: each conversation with a handoff pending for longer than `olderThanMs` is
 * recovered under its lock (skipped if someone holds it: that one is still working).
 */
export async function sweepStuckHandoffs(
  deps: { db: Db; locks: Locks; log: Logger },
  olderThanMs: number,
  limit = 100,
): Promise<number> {
  const rows = await deps.db.handoffEvent.findMany({
    where: { status: 'pending', updatedAt: { lt: new Date(Date.now() - olderThanMs) } },
    select: { conversationId: true },
    distinct: ['conversationId'],
    take: limit,
  });
  let recovered = 0;
  for (const { conversationId } of rows) {
    try {
      recovered += await deps.locks.withLock('conversation', conversationId, () => recoverStuckHandoffs(deps.db, conversationId));
    } catch (err) {
      if (!(err instanceof LockBusy)) throw err;
    }
  }
  if (recovered) deps.log.warn({ recovered }, 'rolled back handoffs left pending by an interruption');
  return recovered;
}
