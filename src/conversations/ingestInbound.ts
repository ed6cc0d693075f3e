// Use case: store inbound customer messages durably, then hand them to the workers.
// A webhook may only answer 200 once this has returned; a repeated provider id stores
// nothing new and returns the id it got the first time.
import type { InboundMessage } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../shared/logger.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';
import { metrics } from '../observability/metrics.ts';
import { inboundMedia, recordInboundMedia } from '../media/inboundMedia.ts';
import { inSpan } from '../observability/tracing.ts';

/** `triageId`: the running pack's triage bot, which every new conversation starts with. */
export type IngestDeps = { db: Db; dispatcher: Dispatcher; log: Logger; defaultLocale: string; triageId: string };
export type Ingested = { messageId: string; conversationId: string; duplicate: boolean };

export function ingestInbound(deps: IngestDeps, messages: readonly InboundMessage[]): Promise<Ingested[]> {
  return inSpan('inbound', { 'baton.channel': messages[0]?.channel ?? 'none', 'baton.messages': messages.length }, async () => {
    const results: Ingested[] = [];
    for (const message of messages.map(withoutNul)) {
      const stored = await inSpan('ingest', { 'baton.channel': message.channel }, async (span) => {
        const result = await storeOne(deps, message);
        span.setAttributes({ 'baton.conversation_id': result.conversationId, 'baton.message_id': result.messageId, 'baton.duplicate': result.duplicate });
        return result;
      });
      if (!stored.duplicate) metrics.inbound.inc({ channel: message.channel });
      results.push(stored);
    }
    const fresh = results.filter((r) => !r.duplicate);
    // Every result, repeats too: a repeat may follow a crash between the two statements.
    const withFiles = results.filter((_, i) => messages[i]!.attachment || messages[i]!.attachments);
    const media = await recordInboundMedia(deps.db, withFiles.map((r) => r.messageId));
    await deps.dispatcher.dispatch([...fresh.map((r) => ({ kind: 'turn' as const, conversationId: r.conversationId, messageId: r.messageId })), ...media]);
    return results;
  });
}

async function storeOne(deps: IngestDeps, message: InboundMessage): Promise<Ingested> {
  // One round trip: see prisma/migrations/*_ingest_function for the rules it keeps.
  const rows = await deps.db.$queryRaw<Array<{ message_id: string; conversation_id: string; duplicate: boolean }>>`
    SELECT message_id, conversation_id, duplicate FROM baton_ingest_inbound(
      ${message.channel}::"Channel", ${message.providerMessageId}, ${message.from.externalId}, ${message.from.phone ?? null},
      ${message.from.name ?? null}, ${message.kind}, ${message.text}, ${JSON.stringify(payloadOf(message))}::jsonb,
      ${message.receivedAt}, ${deps.defaultLocale}, ${deps.triageId})`;
  const row = rows[0]!;
  return { messageId: row.message_id, conversationId: row.conversation_id, duplicate: row.duplicate };
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
