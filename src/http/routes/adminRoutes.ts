// Admin API: agents (created, changed, deactivated, their token rotated; a token is
// shown exactly once), a contact's data (export, erasure), and dead letters (which
// supervisors may use too).
import { z } from 'zod';
import { AgentRole, AgentToken, AgentUpdated, createAgent, rotateAgentToken, updateAgent } from '../../workspace/manageAgents.ts';
import { Locale } from '../../config/env.ts';
import { ContactErased, ContactExport, eraseContact, exportContact } from '../../contacts/privacy.ts';
import { DeadLetterList, DeadLetterView, listDeadLetters, retryDeadLetter } from '../../conversations/retryDeadLetter.ts';
import { agentOwner } from '../../realtime/openStreams.ts';
import { route, type RouteDef } from '../route.ts';
import { PackRunning, reloadPack } from '../../packs/reloadPack.ts';

const AgentName = z.string().trim().min(1).max(100);
const Languages = z.array(Locale).min(1).max(23);
const Skills = z.array(z.string().trim().min(1).max(50)).max(50);

export const CreateAgentBody = z.object({
  name: AgentName,
  email: z.email().max(200),
  role: AgentRole,
  languages: Languages,
  skills: Skills.default([]),
});
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

export const UpdateAgentBody = z
  .strictObject({
    active: z.boolean().optional().describe('false deactivates: the token stops working at once and held conversations go back to the queue'),
    name: AgentName.optional(),
    role: AgentRole.optional(),
    languages: Languages.optional(),
    skills: Skills.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change: send at least one of active, name, role, languages, skills' });
export type UpdateAgentBody = z.infer<typeof UpdateAgentBody>;

const AgentParams = z.object({ id: z.uuid({ message: 'agent id must be a UUID' }).describe('agent id') });
const ContactParams = z.object({ id: z.uuid({ message: 'contact id must be a UUID' }).describe('contact id') });
const DeadLetterParams = z.object({ id: z.uuid({ message: 'dead letter id must be a UUID' }).describe('dead letter id') });

export const DeadLetterListQuery = z.object({
  /** Only those nobody has retried yet (or that failed again after a retry). */
  pending: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const adminRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/admin/pack/reload',
    operationId: 'reloadPack',
    tag: 'Admin',
    summary: 'Load the pack folder again and swap it in without a restart',
    description: 'The new pack is validated first; conversations in flight finish their turn with the old one, and other processes reload too.',
    auth: 'admin',
    responses: { 200: { description: 'The pack now running.', schema: PackRunning, name: 'PackRunning' } },
    customErrors: {
      422: { description: 'The pack does not validate; the old pack keeps running.', example: { error: 'invalid_pack', message: 'pack /srv/pack: pack.json intents[0].owner: intent "order.status" is owned by "shipping", which is not a bot of this pack' } },
    },
    handler: async ({ rt }) => ({ status: 200 as const, body: await reloadPack({ packs: rt.packs, bus: rt.bus, log: rt.log }) }),
  }),
  route({
    method: 'post',
    path: '/api/admin/agents',
    operationId: 'createAgent',
    tag: 'Admin',
    summary: 'Create a human agent',
    description: 'Admin token only. The returned token is shown exactly once.',
    auth: 'admin',
    body: { schema: CreateAgentBody, name: 'CreateAgentBody', example: { name: 'Ravi Kumar', email: 'ravi@example.com', role: 'agent', languages: ['en', 'hi'], skills: ['billing'] } },
    responses: { 201: { description: 'The agent and its bearer token.', schema: AgentToken, name: 'AgentCreated' } },
    customErrors: { 409: { description: 'An agent with this email exists.', example: { error: 'email_taken', message: 'an agent with email ravi@example.com exists' } } },
    handler: async ({ rt, body }) => ({ status: 201 as const, body: await createAgent(rt, body) }),
  }),
  route({
    method: 'patch',
    path: '/api/admin/agents/:id',
    operationId: 'updateAgent',
    tag: 'Admin',
    summary: 'Change an agent, or deactivate it',
    description:
      'Admin token only. `active: false` deactivates the agent: its token answers 401 from the next request, its open event streams end, ' +
      'and every conversation it holds goes back to the queue (a `released` handoff on the ledger each). `active: true` reactivates it.',
    auth: 'admin',
    params: AgentParams,
    body: { schema: UpdateAgentBody, name: 'UpdateAgentBody', example: { active: false } },
    responses: { 200: { description: 'The agent after the change.', schema: AgentUpdated, name: 'AgentUpdated' } },
    errors: ['NotFound'],
    handler: async ({ rt, params, body }) => {
      const agent = await updateAgent(rt.escalation, params.id, body);
      if (!agent.active) rt.streams.endOwner(agentOwner(agent.id));
      return { status: 200 as const, body: agent };
    },
  }),
  route({
    method: 'post',
    path: '/api/admin/agents/:id/token',
    operationId: 'rotateAgentToken',
    tag: 'Admin',
    summary: "Rotate an agent's token",
    description: 'Admin token only. The old token answers 401 from the next request and the event streams opened with it end; the new one is shown exactly once.',
    auth: 'admin',
    params: AgentParams,
    responses: { 200: { description: 'The agent id and its new bearer token.', schema: AgentToken, name: 'AgentCreated' } },
    errors: ['NotFound'],
    handler: async ({ rt, params }) => {
      const rotated = await rotateAgentToken(rt, params.id);
      rt.streams.endOwner(agentOwner(params.id));
      return { status: 200 as const, body: rotated };
    },
  }),
  route({
    method: 'get',
    path: '/api/admin/contacts/:id/export',
    operationId: 'exportContact',
    tag: 'Admin',
    summary: "Export everything Baton holds about a contact (the customer's right of access)",
    auth: 'admin',
    params: ContactParams,
    responses: {
      200: {
        description: 'The contact, its channel identities, conversations, messages and handoffs.',
        schema: ContactExport,
        name: 'ContactExport',
        headers: { 'Content-Disposition': { schema: { type: 'string' }, description: 'attachment; filename="contact-<id>.json"' } },
      },
    },
    errors: ['NotFound'],
    handler: async ({ rt, params }) => ({
      status: 200 as const,
      headers: { 'Content-Disposition': `attachment; filename="contact-${params.id}.json"` },
      body: await exportContact(rt.db, params.id),
    }),
  }),
  route({
    method: 'delete',
    path: '/api/admin/contacts/:id',
    operationId: 'eraseContact',
    tag: 'Admin',
    summary: "Erase a contact's personal data (the customer's right to erasure)",
    description: 'Keeps the fact that conversations and handoffs happened (who handed to whom, when, why) but not what was said or known.',
    auth: 'admin',
    params: ContactParams,
    responses: { 200: { description: 'What was erased.', schema: ContactErased, name: 'ContactErased' } },
    errors: ['NotFound'],
    handler: async ({ rt, params }) => ({ status: 200 as const, body: await eraseContact({ db: rt.db, locks: rt.locks, media: rt.mediaStore }, params.id) }),
  }),
  route({
    method: 'get',
    path: '/api/admin/dead-letters',
    operationId: 'listDeadLetters',
    tag: 'Admin',
    summary: 'Replies whose every send attempt failed',
    description: 'Supervisors and the admin token. `pending=true` lists only those not retried yet (or that failed again after a retry).',
    auth: 'supervisor',
    query: DeadLetterListQuery,
    responses: { 200: { description: 'Dead letters, newest first.', schema: DeadLetterList, name: 'DeadLetterList' } },
    handler: async ({ rt, query }) => ({ status: 200 as const, body: { deadLetters: await listDeadLetters(rt.db, query) } }),
  }),
  route({
    method: 'post',
    path: '/api/admin/dead-letters/:id/retry',
    operationId: 'retryDeadLetter',
    tag: 'Admin',
    summary: 'Send a dead-lettered reply again',
    description: 'The reply keeps its id (so the provider sees the same idempotency key) and goes back through the outbox.',
    auth: 'supervisor',
    params: DeadLetterParams,
    responses: { 202: { description: 'Queued again.', schema: DeadLetterView, name: 'DeadLetter' } },
    errors: ['NotFound'],
    customErrors: { 409: { description: 'Not retryable now: no message, not failed, or being sent.', example: { error: 'not_failed', message: 'the message is sent; only a failed message can be retried' } } },
    handler: async ({ rt, params }) => ({ status: 202 as const, body: await retryDeadLetter(rt, params.id) }),
  }),
];
