// Read side of conversations and the handoff ledger, plus the envelope's JSON Schema.
import { z } from 'zod';
import { ChannelName } from '../../channels/channel.ts';
import { ConversationStatus, ConversationView } from '../../conversations/conversationView.ts';
import { ConversationList, getConversation, HandoffList, listConversations, listHandoffs } from '../../workspace/readSide.ts';
import { envelopeJsonSchema } from '../../handoff/envelope.ts';
import { route, type RouteDef } from '../route.ts';
import { ConversationParams } from './agentRoutes.ts';
import { skillsOf } from '../../escalation/eligibility.ts';

export const ConversationListQuery = z.object({
  status: ConversationStatus.optional(),
  channel: ChannelName.optional(),
  contact: z.string().trim().min(1).max(100).optional(),
  label: z.string().trim().toLowerCase().min(1).max(40).optional(),
  locale: z.string().min(2).max(10).optional(),
  agent: z.uuid().optional().describe('the agent holding the conversation'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

export const HandoffListQuery = z.object({
  conversationId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type HandoffListQuery = z.infer<typeof HandoffListQuery>;

export const ledgerRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/schemas/handoff-envelope.v1.json',
    operationId: 'handoffEnvelopeSchema',
    tag: 'Operations',
    summary: 'JSON Schema (2020-12) of the handoff context envelope, version 1',
    description: 'The schema itself is also in this document as `#/components/schemas/HandoffEnvelopeV1`.',
    auth: 'public',
    noBackingServices: true,
    responses: { 200: { description: 'A JSON Schema document.', type: 'application/schema+json' } },
    handler: async () => ({ status: 200 as const, type: 'application/schema+json', body: JSON.stringify(envelopeJsonSchema()) }),
  }),
  route({
    method: 'get',
    path: '/api/conversations',
    operationId: 'listConversations',
    tag: 'Conversations',
    summary: 'List conversations, newest first, paginated',
    description: '`contact` matches a phone number or a channel external id; `label`, `locale` and `agent` (who holds it) filter too. Pass `nextCursor` back as `cursor` for the next page.',
    auth: 'agent',
    query: ConversationListQuery,
    responses: { 200: { description: 'A page of conversations.', schema: ConversationList, name: 'ConversationList' } },
    handler: async ({ rt, actor, query }) => ({ status: 200 as const, body: await listConversations(rt.db, actor(), query, skillsOf(rt.packs.current().bots)) }),
  }),
  route({
    method: 'get',
    path: '/api/conversations/:id',
    operationId: 'getConversation',
    tag: 'Conversations',
    summary: 'One conversation with context, messages and handoffs',
    description: 'Agents see those they hold and those waiting for people that they may take (language and skill); supervisors and the admin token see all.',
    auth: 'agent',
    params: ConversationParams,
    responses: { 200: { description: 'The conversation.', schema: ConversationView, name: 'Conversation' } },
    errors: ['NotFound'],
    handler: async ({ rt, actor, params }) => ({ status: 200 as const, body: await getConversation(rt.db, actor(), params.id, skillsOf(rt.packs.current().bots)) }),
  }),
  route({
    method: 'get',
    path: '/api/handoffs',
    operationId: 'listHandoffs',
    tag: 'Conversations',
    summary: 'The handoff audit ledger, newest first, paginated',
    description: 'Agents must pass `conversationId`; supervisors and the admin token may list everything.',
    auth: 'agent',
    query: HandoffListQuery,
    responses: { 200: { description: 'A page of handoff events.', schema: HandoffList, name: 'HandoffList' } },
    errors: ['Forbidden'],
    handler: async ({ rt, actor, query }) => ({ status: 200 as const, body: await listHandoffs(rt.db, actor(), query, skillsOf(rt.packs.current().bots)) }),
  }),
];
