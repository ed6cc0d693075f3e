// The public shapes of a conversation and of a ledger row, as the contract names them.
import type { Conversation, Contact, HandoffEvent, Message } from '../generated/prisma/client.ts';
import { parseContext } from './context.ts';
import { messageView } from './messageView.ts';

export type HandoffView = ReturnType<typeof handoffView>;

export function handoffView(h: HandoffEvent) {
  return {
    id: h.id,
    conversationId: h.conversationId,
    from: `${h.fromType}:${h.fromId}`,
    to: `${h.toType}:${h.toId}`,
    pattern: h.pattern,
    reason: h.reason,
    confidence: h.confidence,
    status: h.status,
    latencyMs: h.latencyMs,
    createdAt: h.createdAt.toISOString(),
    steps: h.steps,
    ...(h.error ? { error: h.error } : {}),
  };
}

export function ownerOf(c: Pick<Conversation, 'ownerType' | 'ownerId'>) {
  return { type: c.ownerType === 'handoff_pending' ? 'bot' : c.ownerType, id: c.ownerId };
}

export function conversationSummary(c: Conversation & { contact: Contact }) {
  return {
    id: c.id,
    channel: c.channel,
    contact: { id: c.contact.id, name: c.contact.name, phone: c.contact.phone },
    locale: c.locale,
    status: c.status,
    owner: ownerOf(c),
    priority: c.priority,
    reason: c.escalationReason,
    waitingSince: c.waitingSince?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function conversationView(c: Conversation & { contact: Contact; messages: Message[]; handoffs: HandoffEvent[] }) {
  return {
    ...conversationSummary(c),
    context: parseContext(c.context),
    messages: c.messages.map(messageView),
    handoffs: c.handoffs.map(handoffView),
  };
}
