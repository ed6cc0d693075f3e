// The public shapes of a conversation and of a ledger row, as the contract names them.
// Each schema is the one definition: the views return its type, the API documents it.
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import type { Conversation, Contact, HandoffEvent, Message } from '../generated/prisma/client.ts';
import { HandoffPattern } from '../handoff/envelope.ts';
import { ConversationContext, parseContext } from '../handoff/context.ts';
import { MessageView, messageView } from './messageView.ts';

const Timestamp = z.iso.datetime();
export const ConversationStatus = z.enum(['bot', 'waiting', 'agent', 'resolved']);

export const HandoffView = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  from: z.string().describe('type:id, e.g. bot:orders'),
  to: z.string().describe('type:id, e.g. queue:human'),
  pattern: HandoffPattern,
  reason: z.string(),
  confidence: z.number().nullable(),
  status: z.enum(['pending', 'accepted', 'rejected', 'rolled_back', 'failed']),
  latencyMs: z.number().int().nullable(),
  createdAt: Timestamp,
  steps: z.array(z.unknown()).describe('protocol steps with timestamps: pause, transmit, validate, ack, release'),
  error: z.string().optional(),
  packVersion: z.string().nullable().describe('the version of the pack whose bots decided this handoff (null for rows older than packs)'),
});
export type HandoffView = z.infer<typeof HandoffView>;

export const ConversationSummary = z.object({
  id: z.uuid(),
  channel: ChannelName,
  contact: z.object({ id: z.uuid(), name: z.string().nullable(), phone: z.string().nullable() }),
  locale: z.string(),
  status: ConversationStatus,
  owner: z.object({ type: z.enum(['bot', 'agent', 'queue']), id: z.string().nullable() }),
  priority: z.number().int(),
  reason: z.string().nullable().describe('why the conversation was escalated, when it was'),
  waitingSince: Timestamp.nullable(),
  labels: z.array(z.string()).describe('what the team tagged it with'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const ConversationView = ConversationSummary.extend({
  context: ConversationContext.describe('what the bots learned; context.slots holds what the customer told any bot (e.g. orderId)'),
  messages: z.array(MessageView),
  handoffs: z.array(HandoffView),
});
export type ConversationView = z.infer<typeof ConversationView>;

export function handoffView(h: HandoffEvent): HandoffView {
  return {
    id: h.id,
    conversationId: h.conversationId,
    from: `${h.fromType}:${h.fromId}`,
    to: `${h.toType}:${h.toId}`,
    pattern: h.pattern as HandoffView['pattern'],
    reason: h.reason,
    confidence: h.confidence,
    status: h.status,
    latencyMs: h.latencyMs,
    createdAt: h.createdAt.toISOString(),
    steps: h.steps as unknown[],
    packVersion: h.packVersion,
    ...(h.error ? { error: h.error } : {}),
  };
}

export function ownerOf(c: Pick<Conversation, 'ownerType' | 'ownerId'>): ConversationSummary['owner'] {
  return { type: c.ownerType === 'handoff_pending' ? 'bot' : c.ownerType, id: c.ownerId };
}

export function conversationSummary(c: Conversation & { contact: Contact }): ConversationSummary {
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
    labels: c.labels ?? [],
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function conversationView(c: Conversation & { contact: Contact; messages: Message[]; handoffs: HandoffEvent[] }): ConversationView {
  return {
    ...conversationSummary(c),
    context: parseContext(c.context),
    messages: c.messages.map(messageView),
    handoffs: c.handoffs.map(handoffView),
  };
}
