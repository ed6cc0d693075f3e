// Use case: a person replies on the customer's channel. Only the holder (or a
// supervisor) may; on WhatsApp, outside the 24-hour customer service window only an
// approved template can be sent, and the agent is told so.
import type { Actor } from '../agents/authenticate.ts';
import { queueOutbound } from '../conversations/queueOutbound.ts';
import { Forbidden, NotFound, Unprocessable } from '../shared/errors.ts';
import type { EscalationDeps } from './deps.ts';
import { randomUUID } from 'node:crypto';

export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

export type AgentReplyInput = {
  text?: string | undefined;
  template?: { name: string; language: string; params: string[] } | undefined;
  clientMessageId?: string | undefined;
};

export async function agentReply(deps: EscalationDeps, actor: Actor, conversationId: string, input: AgentReplyInput) {
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId } });
  if (!conversation) throw new NotFound('not_found', 'no such conversation');
  const holds = conversation.ownerType === 'agent' && conversation.ownerId === actor.id;
  // Supervisors may step into any conversation a person holds, never one a bot or the
  // queue owns (that would bypass the claim and talk over the bot).
  if (!holds && !(actor.role === 'supervisor' && conversation.status === 'agent' && conversation.ownerType === 'agent')) {
    throw new Forbidden('forbidden', 'you can reply only to conversations you hold');
  }
  const outsideWindow =
    conversation.channel === 'whatsapp' && (!conversation.lastInboundAt || Date.now() - conversation.lastInboundAt.getTime() > WHATSAPP_WINDOW_MS);
  if (outsideWindow && !input.template) {
    throw new Unprocessable('template_required', 'the customer last wrote more than 24 hours ago: WhatsApp only allows an approved template now');
  }
  const text = input.template ? `[template ${input.template.name}] ${input.template.params.join(' · ')}`.trim() : input.text!;
  // Ownership is checked again where the reply is written, in one conditional update
  // with it: a conversation released or transferred since the read above gets nothing.
  const mayWrite = holds ? { ownerType: 'agent' as const, ownerId: actor.id } : { status: 'agent' as const, ownerType: 'agent' as const };
  const message = await queueOutbound(deps.db, deps.dispatcher, {
    conversationId,
    channel: conversation.channel,
    text,
    author: { type: 'agent', id: actor.id, name: actor.name },
    idempotencyKey: `agent:${actor.id}:${input.clientMessageId ?? randomUUID()}`,
    locale: conversation.locale,
    ...(input.template ? { payload: { template: input.template } } : {}),
  }, async (tx) => {
    const still = await tx.conversation.updateMany({ where: { id: conversationId, ...mayWrite }, data: { lastAgentReplyAt: new Date() } });
    if (still.count === 0) throw new Forbidden('forbidden', 'you no longer hold this conversation');
  });
  return message;
}
