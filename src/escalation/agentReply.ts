// Use case: a person replies on the customer's channel. Only the holder (or a
// supervisor) may; on WhatsApp, outside the 24-hour customer service window only an
// approved template can be sent, and the agent is told so.
import { outsideWhatsAppWindow } from '../channels/whatsapp/window.ts';
import type { Actor } from '../agents/authenticate.ts';
import { MAX_TEXT } from '../channels/limits.ts';
import { assertNotOptedOut } from '../conversations/optOut.ts';
import { queueOutbound } from '../conversations/queueOutbound.ts';
import { Forbidden, NotFound, Unprocessable } from '../shared/errors.ts';
import type { EscalationDeps } from './deps.ts';
import type { Db } from '../db/client.ts';
import { randomUUID } from 'node:crypto';


export type AgentReplyInput = {
  text?: string | undefined;
  template?: { name: string; language: string; params: string[] } | undefined;
  clientMessageId?: string | undefined;
};

export async function agentReply(deps: EscalationDeps, actor: Actor, conversationId: string, input: AgentReplyInput) {
  const { conversation, outsideWindow, holds } = await conversationToReplyTo(deps, actor, conversationId);
  if (outsideWindow && !input.template) throw templateRequired();
  const limit = MAX_TEXT[conversation.channel];
  if (input.text && Array.from(input.text).length > limit) {
    throw new Unprocessable('too_long', `${conversation.channel} takes at most ${limit} characters in one message`);
  }
  const text = input.template ? `[template ${input.template.name}] ${input.template.params.join(' · ')}`.trim() : input.text!;
  const message = await queueOutbound(deps.db, deps.dispatcher, {
    conversationId,
    channel: conversation.channel,
    text,
    author: { type: 'agent', id: actor.id, name: actor.name },
    idempotencyKey: agentIdempotencyKey(actor, input.clientMessageId),
    locale: conversation.locale,
    ...(input.template ? { payload: { template: input.template } } : {}),
  }, { guard: stillMayWrite(conversationId, actor, holds) });
  return message;
}

/**
 * Ownership checked again where the reply is written, in one conditional update with
 * it: a conversation released or transferred since the read gets nothing.
 */
export const stillMayWrite = (conversationId: string, actor: Actor, holds: boolean) => async (tx: Pick<Db, 'conversation'>) => {
  const mayWrite = holds ? { ownerType: 'agent' as const, ownerId: actor.id } : { status: 'agent' as const, ownerType: 'agent' as const };
  const still = await tx.conversation.updateMany({ where: { id: conversationId, ...mayWrite }, data: { lastAgentReplyAt: new Date() } });
  if (still.count === 0) throw new Forbidden('forbidden', 'you no longer hold this conversation');
};

/** Is this a WhatsApp conversation whose customer last wrote more than 24 hours ago (templates only)? */

export const agentIdempotencyKey = (actor: Actor, clientMessageId: string | undefined) => `agent:${actor.id}:${clientMessageId ?? randomUUID()}`;

export const templateRequired = () =>
  new Unprocessable('template_required', 'the customer last wrote more than 24 hours ago: WhatsApp only allows an approved template now');

/** The conversation, when this person may write on it now: they hold it (or supervise it) and the customer has not opted out. */
export async function conversationToReplyTo(deps: Pick<EscalationDeps, 'db'>, actor: Actor, conversationId: string) {
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId } });
  if (!conversation) throw new NotFound('not_found', 'no such conversation');
  const holds = conversation.ownerType === 'agent' && conversation.ownerId === actor.id;
  // Supervisors may step into any conversation a person holds, never one a bot or the
  // queue owns (that would bypass the claim and talk over the bot).
  if (!holds && !(actor.role === 'supervisor' && conversation.status === 'agent' && conversation.ownerType === 'agent')) {
    throw new Forbidden('forbidden', 'you can reply only to conversations you hold');
  }
  await assertNotOptedOut(deps.db, conversation.channel, conversation.externalId);
  return { conversation, holds, outsideWindow: outsideWhatsAppWindow(conversation) };
}
