// Use case: store inbound customer messages durably, then hand them to the workers.
// A webhook may only answer 200 once this has returned; a repeated provider id stores
// nothing new and returns the id it got the first time.
import type { InboundMessage } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../shared/logger.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';
import { metrics } from '../observability/metrics.ts';
import { inboundMedia, recordInboundMedia } from '../media/inboundMedia.ts';
import { currentTraceparent, inSpan } from '../observability/tracing.ts';
import { groupCommit } from '../db/groupCommit.ts';
import { isUnavailable } from '../db/dbErrors.ts';

/**
 * `triageId`: the running pack's triage bot, which every new conversation starts with.
 * `inbound`: the process's grouped writer (`createInboundWriter`).
 */
export type IngestDeps = { db: Db; dispatcher: Dispatcher; log: Logger; defaultLocale: string; triageId: string; inbound: InboundWriter };
export type Ingested = { messageId: string; conversationId: string; duplicate: boolean };

/** One request's messages, in the order the provider sent them; they are written together, in that order. */
type Request = { messages: readonly InboundMessage[]; defaultLocale: string; triageId: string; trace: string | undefined };
export type InboundWriter = (request: Request) => Promise<Ingested[]>;

export function ingestInbound(deps: IngestDeps, messages: readonly InboundMessage[]): Promise<Ingested[]> {
  return inSpan('inbound', { 'baton.channel': messages[0]?.channel ?? 'none', 'baton.messages': messages.length }, async () => {
    const cleaned = messages.map(withoutNul);
    const results = await inSpan('ingest', { 'baton.channel': cleaned[0]?.channel ?? 'none' }, async (span) => {
      // The turns continue this request's trace, whichever request's batch stores them.
      const stored = await deps.inbound({ messages: cleaned, defaultLocale: deps.defaultLocale, triageId: deps.triageId, trace: currentTraceparent() });
      const first = stored[0];
      if (first) span.setAttributes({ 'baton.conversation_id': first.conversationId, 'baton.message_id': first.messageId, 'baton.duplicate': first.duplicate });
      return stored;
    });
    results.forEach((r, i) => {
      if (!r.duplicate) metrics.inbound.inc({ channel: cleaned[i]!.channel });
    });
    // Every result, repeats too: a repeat may follow a crash between the two statements.
    const withFiles = results.filter((_, i) => cleaned[i]!.attachment || cleaned[i]!.attachments);
    await deps.dispatcher.dispatch(await recordInboundMedia(deps.db, withFiles.map((r) => r.messageId)));
    return results;
  });
}

/**
 * Group commit at ingest: the messages of concurrent webhook requests are stored by one
 * statement (one transaction, one commit) and their turns enqueued in one Redis round
 * trip with one outbox delete; each request is answered once its own messages are
 * committed. See src/db/groupCommit.ts for how batches form and fail.
 * The answer does not wait for Redis: once committed, a message has its outbox row, and
 * the sweep enqueues whatever this dispatch does not (Redis away, the process gone).
 */
export function createInboundWriter(db: Db, dispatcher: Dispatcher): InboundWriter {
  return groupCommit<Request, Ingested[]>(async (requests) => {
    const items = requests.flatMap((r) => r.messages.map((message) => ({ message, defaultLocale: r.defaultLocale, triageId: r.triageId, trace: r.trace })));
    const stored = await storeMany(db, items);
    // Best effort, never rejects (see Dispatcher.dispatch).
    void dispatcher.dispatch(
      stored.flatMap((r, i) => (r.duplicate ? [] : [{ kind: 'turn' as const, conversationId: r.conversationId, messageId: r.messageId, ...(items[i]!.trace ? { trace: items[i]!.trace } : {}) }])),
    );
    let next = 0;
    return requests.map((r) => stored.slice(next, (next += r.messages.length)));
  }, { shared: isUnavailable });
}

async function storeMany(db: Db, items: ReadonlyArray<{ message: InboundMessage; defaultLocale: string; triageId: string }>): Promise<Ingested[]> {
  if (items.length === 0) return [];
  const rows = items.map(({ message, defaultLocale, triageId }) => ({
    channel: message.channel,
    providerMessageId: message.providerMessageId,
    externalId: message.from.externalId,
    phone: message.from.phone ?? null,
    name: message.from.name ?? null,
    kind: message.kind,
    text: message.text,
    payload: payloadOf(message),
    receivedAt: message.receivedAt.toISOString(),
    defaultLocale,
    triageId,
  }));
  // One round trip for all of them, each stored in array order by the function whose
  // rules prisma/migrations/*_ingest_function keeps: a later message sees an earlier
  // one's contact and conversation, and a repeat within the batch is a duplicate.
  const stored = await db.sql<{ message_id: string; conversation_id: string; duplicate: boolean }>`
    SELECT f.message_id, f.conversation_id, f.duplicate
      FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS e(v, n)
      CROSS JOIN LATERAL baton_ingest_inbound(
        (e.v->>'channel')::"Channel", e.v->>'providerMessageId', e.v->>'externalId', e.v->>'phone', e.v->>'name',
        e.v->>'kind', e.v->>'text', e.v->'payload', (e.v->>'receivedAt')::timestamptz, e.v->>'defaultLocale', e.v->>'triageId') f
     ORDER BY e.n`;
  if (stored.length !== items.length) throw new Error(`stored ${stored.length} of ${items.length} inbound messages`);
  return stored.map((row) => ({ messageId: row.message_id, conversationId: row.conversation_id, duplicate: row.duplicate }));
}

function payloadOf(message: InboundMessage) {
  const { attachment, location, contacts, reaction, replyId, inReplyTo, providerType, optOut } = message;
  const media = inboundMedia(message);
  const payload = { attachment, location, contacts, reaction, replyId, inReplyTo, providerType, optOut, receivedAt: message.receivedAt.toISOString(), ...(media.length > 0 && { media }) };
  return JSON.parse(JSON.stringify(payload)) as object;
}

/**
 * PostgreSQL cannot store a NUL character in text or jsonb. It never means anything in a
 * chat message, so it is dropped rather than the customer's message refused.
 */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}
