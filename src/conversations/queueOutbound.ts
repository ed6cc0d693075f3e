// Queue one outbound message for delivery: stored with its outbox row in one
// transaction, then handed to the dispatcher. The idempotency key makes a retried
// request (same agent action, same turn) store nothing new.
import type { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { asJson } from '../db/json.ts';
import { isUniqueViolation } from '../db/dbErrors.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export type OutboundDraft = {
  conversationId: string;
  channel: ChannelName;
  text: string;
  author: { type: 'bot' | 'agent' | 'system'; id: string; name: string };
  idempotencyKey: string;
  locale?: string;
  payload?: Record<string, unknown>;
};

/**
 * In the same transaction: `guard` runs first (e.g. a conditional update proving the
 * author may still write here; when it throws, nothing is stored), and `alongside`
 * writes more rows that belong to the message (its files).
 */
export async function queueOutbound(
  db: Db,
  dispatcher: Dispatcher,
  draft: OutboundDraft,
  extra: { guard?: (tx: Tx) => Promise<void>; alongside?: (tx: Tx, messageId: string) => Promise<unknown> } = {},
) {
  let message;
  try {
    message = await db.$transaction(async (tx) => {
      await extra.guard?.(tx);
      const created = await tx.message.create({
        data: {
          conversationId: draft.conversationId,
          direction: 'outbound',
          authorType: draft.author.type,
          authorId: draft.author.id,
          authorName: draft.author.name,
          channel: draft.channel,
          text: draft.text,
          payload: draft.payload ? asJson(draft.payload) : undefined,
          idempotencyKey: draft.idempotencyKey,
          status: 'queued',
          locale: draft.locale ?? null,
        },
      });
      await extra.alongside?.(tx, created.id);
      await tx.outbox.create({ data: { kind: 'send', conversationId: draft.conversationId, messageId: created.id } });
      return created;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return db.message.findUniqueOrThrow({ where: { idempotencyKey: draft.idempotencyKey } });
  }
  await dispatcher.dispatch([{ kind: 'send', conversationId: draft.conversationId, messageId: message.id }]);
  return message;
}
