// Use case: store inbound customer messages durably, then hand them to the workers.
// A webhook may only answer 200 once this has returned; a repeated provider id stores
// nothing new and returns the id it got the first time.
import type { InboundMessage } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transaction.ts';
import type { Logger } from '../shared/logger.ts';
import { resolveContact } from './resolveContact.ts';
import { openConversation } from './openConversation.ts';
import type { Dispatcher } from './dispatcher.ts';
import { metrics } from '../observability/metrics.ts';

export type IngestDeps = { db: Db; dispatcher: Dispatcher; log: Logger; defaultLocale: string };
export type Ingested = { messageId: string; conversationId: string; duplicate: boolean };

export async function ingestInbound(deps: IngestDeps, messages: readonly InboundMessage[]): Promise<Ingested[]> {
  const results: Ingested[] = [];
  for (const message of messages.map(withoutNul)) {
    const stored = await storeOne(deps, message);
    if (!stored.duplicate) metrics.inbound.inc({ channel: message.channel });
    results.push(stored);
  }
  const fresh = results.filter((r) => !r.duplicate);
  await deps.dispatcher.dispatch(fresh.map((r) => ({ kind: 'turn', conversationId: r.conversationId, messageId: r.messageId })));
  return results;
}

async function storeOne(deps: IngestDeps, message: InboundMessage): Promise<Ingested> {
  const key = { channel: message.channel, providerMessageId: message.providerMessageId };
  return transaction(deps.db, async (tx) => {
    const seen = await tx.message.findUnique({ where: { channel_providerMessageId: key } });
    if (seen) return { messageId: seen.id, conversationId: seen.conversationId, duplicate: true };

    const contact = await resolveContact(tx, { ...message.from, channel: message.channel });
    const conversation = await openConversation(tx, contact, message.channel, message.from.externalId, deps.defaultLocale);
    // Row-lock the conversation before the message takes its seq: concurrent messages of
    // one conversation then commit in seq order, so a bot turn never answers a later
    // message before an earlier one that was still uncommitted.
    await tx.conversation.update({ where: { id: conversation.id }, data: { lastInboundAt: message.receivedAt } });
    const stored = await tx.message.create({
      data: {
        conversationId: conversation.id,
        direction: 'inbound',
        authorType: 'contact',
        authorId: contact.id,
        authorName: message.from.name ?? contact.name,
        channel: message.channel,
        kind: message.kind,
        text: message.text,
        payload: payloadOf(message),
        providerMessageId: message.providerMessageId,
        status: 'received',
        createdAt: new Date(),
      },
    });
    await tx.outbox.create({ data: { kind: 'turn', conversationId: conversation.id, messageId: stored.id } });
    return { messageId: stored.id, conversationId: conversation.id, duplicate: false };
  });
}

function payloadOf(message: InboundMessage) {
  const { attachment, location, contacts, reaction, replyId, inReplyTo, providerType } = message;
  const payload = { attachment, location, contacts, reaction, replyId, inReplyTo, providerType, receivedAt: message.receivedAt.toISOString() };
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
