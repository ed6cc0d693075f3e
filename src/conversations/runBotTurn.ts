// Use case: answer a conversation's pending inbound messages, one at a time, in
// arrival order. Whichever worker holds the conversation's lock answers everything
// pending, so a job that finds its message already answered does nothing.
import type { BotRegistry } from '../bots/registry.ts';
import type { Db } from '../db/client.ts';
import type { Locks } from '../db/locks.ts';
import { transaction } from '../db/transaction.ts';
import { asJson } from '../db/json.ts';
import { translator } from '../i18n/i18n.ts';
import type { Logger } from '../shared/logger.ts';
import { parseContext } from './context.ts';
import type { Dispatch, Dispatcher } from './dispatcher.ts';

export type TurnDeps = { db: Db; locks: Locks; bots: BotRegistry; dispatcher: Dispatcher; log: Logger };

export async function runBotTurn(deps: TurnDeps, conversationId: string): Promise<number> {
  const sends: Dispatch[] = [];
  const answered = await deps.locks.withLock('conversation', conversationId, async () => {
    const pending = await deps.db.message.findMany({
      where: { conversationId, direction: 'inbound', handledAt: null },
      orderBy: { seq: 'asc' },
    });
    for (const message of pending) sends.push(...(await answerOne(deps, conversationId, message)));
    return pending.length;
  });
  await deps.dispatcher.dispatch(sends);
  return answered;
}

async function answerOne(
  deps: TurnDeps,
  conversationId: string,
  message: { id: string; text: string; kind: string; payload: unknown },
): Promise<Dispatch[]> {
  const conversation = await deps.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { contact: true } });
  const markHandled = () => deps.db.message.update({ where: { id: message.id }, data: { handledAt: new Date() } });

  // A person holds it, or it waits for one: bots stay silent; the agent sees the message.
  if (conversation.ownerType !== 'bot' || !conversation.ownerId) {
    await markHandled();
    return [];
  }
  const bot = deps.bots.get(conversation.ownerId) ?? deps.bots.get('triage');
  if (!bot) throw new Error(`no bot "${conversation.ownerId}" and no triage bot registered`);

  const payload = (message.payload ?? {}) as { replyId?: string };
  const result = await bot.handle({
    conversationId,
    channel: conversation.channel,
    locale: conversation.locale,
    contact: { id: conversation.contact.id, name: conversation.contact.name },
    message: { id: message.id, text: message.text, kind: message.kind, ...(payload.replyId ? { replyId: payload.replyId } : {}) },
    context: parseContext(conversation.context),
    t: translator(conversation.locale),
    db: deps.db,
  });

  return transaction(deps.db, async (tx) => {
    const claimed = await tx.message.updateMany({ where: { id: message.id, handledAt: null }, data: { handledAt: new Date() } });
    if (claimed.count === 0) return []; // answered already (a retried job after a crash)
    const sends: Dispatch[] = [];
    for (const [index, reply] of result.replies.entries()) {
      const out = await tx.message.create({
        data: {
          conversationId,
          direction: 'outbound',
          authorType: 'bot',
          authorId: bot.id,
          authorName: bot.id,
          channel: conversation.channel,
          text: reply.text,
          payload: reply.options ? { options: reply.options } : undefined,
          idempotencyKey: `${message.id}:${index}`,
          status: 'queued',
          locale: conversation.locale,
        },
      });
      await tx.outbox.create({ data: { kind: 'send', conversationId, messageId: out.id } });
      sends.push({ kind: 'send', conversationId, messageId: out.id });
    }
    await tx.conversation.update({ where: { id: conversationId }, data: { context: asJson(result.context) } });
    return sends;
  });
}
