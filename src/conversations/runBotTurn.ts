// Use case: answer a conversation's pending inbound messages, one at a time, in
// arrival order. Whichever worker holds the conversation's lock answers everything
// pending, so a job that finds its message already answered does nothing.
import { conductTurn, type TurnDeps as ConductDeps } from '../bots/conductTurn.ts';
import type { Locks } from '../db/locks.ts';
import { transaction } from '../db/transaction.ts';
import { asJson } from '../db/json.ts';
import { recoverStuckHandoffs } from '../handoff/protocol.ts';
import { parseContext, parseMemory } from './context.ts';
import type { Dispatch, Dispatcher } from './dispatcher.ts';
import type { AgentEvents } from '../escalation/agentEvents.ts';
import { messageView } from './messageView.ts';

export type TurnDeps = ConductDeps & { locks: Locks; dispatcher: Dispatcher; events: AgentEvents };

export async function runBotTurn(deps: TurnDeps, conversationId: string): Promise<number> {
  const sends: Dispatch[] = [];
  const answered = await deps.locks.withLock('conversation', conversationId, async () => {
    await recoverStuckHandoffs(deps.db, conversationId);
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

  // A person holds it, or it waits for one: bots stay silent; the agent sees the message.
  if (conversation.ownerType !== 'bot' || !conversation.ownerId) {
    const handled = await deps.db.message.update({ where: { id: message.id }, data: { handledAt: new Date() } });
    if (conversation.ownerType === 'agent' && conversation.ownerId) {
      await deps.events.toAgent(conversation.ownerId, { event: 'message', data: { conversationId, message: messageView(handled) } });
    }
    return [];
  }
  const payload = (message.payload ?? {}) as { replyId?: string };
  const recent = await deps.db.message.findMany({
    where: { conversationId, direction: 'inbound', id: { not: message.id }, handledAt: { not: null } },
    orderBy: { seq: 'desc' },
    take: 3,
    select: { text: true },
  });
  const outcome = await conductTurn(deps, {
    conversation: { ...conversation, ownerId: conversation.ownerId },
    contact: { id: conversation.contact.id, name: conversation.contact.name },
    message: { id: message.id, text: message.text, kind: message.kind, ...(payload.replyId ? { replyId: payload.replyId } : {}) },
    recentInbound: recent.reverse().map((m) => m.text),
    context: parseContext(conversation.context),
    chosenLocale: conversation.contact.locale,
  });

  return transaction(deps.db, async (tx) => {
    const claimed = await tx.message.updateMany({ where: { id: message.id, handledAt: null }, data: { handledAt: new Date() } });
    if (claimed.count === 0) return []; // answered already (a retried job after a crash)
    const sends: Dispatch[] = [];
    for (const [index, reply] of outcome.replies.entries()) {
      const out = await tx.message.create({
        data: {
          conversationId,
          direction: 'outbound',
          authorType: 'bot',
          authorId: reply.by ?? conversation.ownerId,
          authorName: reply.by ?? conversation.ownerId,
          channel: conversation.channel,
          text: reply.text,
          payload: reply.options || reply.asks ? asJson({ options: reply.options, asks: reply.asks }) : undefined,
          idempotencyKey: `${message.id}:${index}`,
          status: 'queued',
          locale: outcome.locale,
        },
      });
      await tx.outbox.create({ data: { kind: 'send', conversationId, messageId: out.id } });
      sends.push({ kind: 'send', conversationId, messageId: out.id });
    }
    await tx.conversation.update({ where: { id: conversationId }, data: { context: asJson(outcome.context) } });
    const escalation = outcome.handoffs.findLast((h) => h.escalated)?.escalated;
    if (escalation && outcome.owner.type === 'queue') {
      await tx.outbox.create({ data: { kind: 'escalate', conversationId, messageId: escalation.handoffId } });
      sends.push({ kind: 'escalate', conversationId, messageId: escalation.handoffId });
    }
    const memory = parseMemory(conversation.contact.memory);
    await tx.contact.update({
      where: { id: conversation.contactId },
      data: { memory: asJson({ ...memory, slots: { ...memory.slots, ...outcome.context.slots } }) },
    });
    return sends;
  });
}
