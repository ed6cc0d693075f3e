// Use cases: the admin creates agents, changes them, deactivates them (their token
// stops working at once and the conversations they hold go back to the queue, on the
// ledger) and rotates their token. A token is shown exactly once, when it is made.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Locale } from '../config/env.ts';
import { isUniqueViolation } from '../db/dbErrors.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { releaseConversation } from '../escalation/handOn.ts';
import type { Agent } from '../generated/prisma/client.ts';
import { Conflict, DomainError, NotFound } from '../shared/errors.ts';
import { hashAgentToken, type Actor } from '../agents/authenticate.ts';

export const AgentRole = z.enum(['agent', 'supervisor']);

export const AgentView = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: AgentRole,
  languages: z.array(z.string()),
  skills: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().nullable(),
  deactivatedAt: z.iso.datetime().nullable(),
});
export type AgentView = z.infer<typeof AgentView>;

export const AgentUpdated = AgentView.extend({
  releasedConversations: z.array(z.uuid()).describe('conversations this change sent back to the queue (deactivation)'),
});
export type AgentUpdated = z.infer<typeof AgentUpdated>;

export const AgentToken = z.object({ id: z.uuid(), token: z.string().describe('the agent bearer token; shown exactly once') });
export type AgentToken = z.infer<typeof AgentToken>;

export type NewAgent = { name: string; email: string; role: 'agent' | 'supervisor'; languages: Locale[]; skills: string[] };
export type AgentChanges = { active?: boolean | undefined; name?: string | undefined; role?: 'agent' | 'supervisor' | undefined; languages?: Locale[] | undefined; skills?: string[] | undefined };

const newToken = () => `agt_${randomBytes(24).toString('base64url')}`;

/** The admin acting on the agent's conversations (a supervisor's reach, see heldBy). */
const ADMIN: Actor = { kind: 'admin', id: 'admin', role: 'supervisor', name: 'admin', languages: [], skills: [] };

export function agentView(a: Agent): AgentView {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    role: a.role,
    languages: a.languages,
    skills: a.skills,
    active: a.active,
    createdAt: a.createdAt.toISOString(),
    lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
    deactivatedAt: a.deactivatedAt?.toISOString() ?? null,
  };
}

export async function createAgent(deps: Pick<EscalationDeps, 'db'>, input: NewAgent): Promise<AgentToken> {
  const token = newToken();
  try {
    const agent = await deps.db.agent.create({
      data: { name: input.name, email: input.email.toLowerCase(), role: input.role, languages: input.languages, skills: input.skills, tokenHash: hashAgentToken(token) },
    });
    return { id: agent.id, token };
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('email_taken', `an agent with email ${input.email} exists`);
    throw err;
  }
}

/**
 * Changes an agent. `active: false` takes effect on the next request (tokens are looked
 * up every time) and releases every conversation the agent holds to the queue through
 * the ordinary release use case, so the ledger shows each one.
 */
export async function updateAgent(deps: EscalationDeps, agentId: string, changes: AgentChanges): Promise<AgentUpdated> {
  const existing = await deps.db.agent.findUnique({ where: { id: agentId } });
  if (!existing) throw new NotFound('not_found', `no agent ${agentId}`);
  const deactivating = changes.active === false && existing.active;
  const agent = await deps.db.agent.update({
    where: { id: agentId },
    data: {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.languages !== undefined ? { languages: changes.languages } : {}),
      ...(changes.skills !== undefined ? { skills: changes.skills } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(deactivating ? { deactivatedAt: new Date() } : {}),
    },
  });
  const released = changes.active === false ? await releaseHeldConversations(deps, agentId) : [];
  return { ...agentView(agent), releasedConversations: released };
}

async function releaseHeldConversations(deps: EscalationDeps, agentId: string): Promise<string[]> {
  const held = await deps.db.conversation.findMany({ where: { status: 'agent', ownerType: 'agent', ownerId: agentId }, select: { id: true } });
  const released: string[] = [];
  for (const { id } of held) {
    try {
      await releaseConversation(deps, ADMIN, id, { to: 'queue', note: 'The agent who held this conversation was deactivated.' });
      released.push(id);
    } catch (err) {
      // Someone else acted on it meanwhile (it is no longer this agent's to release).
      if (!(err instanceof DomainError)) throw err;
      deps.log.warn({ err, conversationId: id, agentId }, 'could not release a conversation of a deactivated agent');
    }
  }
  for (const conversationId of released) await deps.events.toAgent(agentId, { event: 'released', data: { conversationId, reason: 'deactivated' } });
  return released;
}

/** A new token for the agent; the old one stops working at once. */
export async function rotateAgentToken(deps: Pick<EscalationDeps, 'db'>, agentId: string): Promise<AgentToken> {
  const token = newToken();
  const { count } = await deps.db.agent.updateMany({ where: { id: agentId }, data: { tokenHash: hashAgentToken(token) } });
  if (count === 0) throw new NotFound('not_found', `no agent ${agentId}`);
  return { id: agentId, token };
}
