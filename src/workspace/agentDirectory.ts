// Use cases: who is on the team right now (for the transfer picker: online, available,
// languages, skills, how many conversations each holds), an agent setting itself
// available or away, and giving waiting conversations to available agents by load.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import { claimConversation } from '../escalation/claimConversation.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { mayTake, skillsOf } from '../escalation/eligibility.ts';
import { parseContext } from '../handoff/context.ts';
import { Conflict, DomainError, Forbidden } from '../shared/errors.ts';

/** Seen within this long (the console says it is here every minute): online. */
export const ONLINE_MS = 2 * 60_000;
/** Auto-assignment gives an agent at most this many conversations at once. */
export const MAX_LOAD = 5;

export const Presence = z.enum(['available', 'away']);
export type Presence = z.infer<typeof Presence>;
export const PresenceBody = z.object({ presence: Presence });

export const TeamMember = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(['agent', 'supervisor']),
  languages: z.array(z.string()),
  skills: z.array(z.string()),
  presence: Presence,
  online: z.boolean().describe(`seen in the last ${ONLINE_MS / 60_000} minutes`),
  lastSeenAt: z.iso.datetime().nullable(),
  load: z.number().int().describe('conversations the agent holds now'),
});
export type TeamMember = z.infer<typeof TeamMember>;
export const Team = z.array(TeamMember);

async function loads(deps: Pick<EscalationDeps, 'db'>): Promise<Map<string, number>> {
  const rows = await deps.db.conversation.groupBy({ by: ['ownerId'], where: { status: 'agent', ownerType: 'agent' }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.ownerId ?? '', r._count._all]));
}

export async function listTeam(deps: Pick<EscalationDeps, 'db'>): Promise<TeamMember[]> {
  const [agents, load] = await Promise.all([deps.db.agent.findMany({ where: { active: true }, orderBy: { name: 'asc' } }), loads(deps)]);
  const now = Date.now();
  return agents.map((a) => ({
    id: a.id,
    name: a.name,
    role: a.role,
    languages: a.languages,
    skills: a.skills,
    presence: a.presence,
    online: !!a.lastSeenAt && now - a.lastSeenAt.getTime() < ONLINE_MS,
    lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
    load: load.get(a.id) ?? 0,
  }));
}

/** The agent is here (and says whether it takes new work); available agents are given waiting conversations. */
export async function setPresence(deps: EscalationDeps, actor: Actor, presence: Presence): Promise<{ presence: Presence; assigned: string[] }> {
  if (actor.kind !== 'agent') throw new Forbidden('forbidden', 'the admin token has no presence');
  await deps.db.agent.update({ where: { id: actor.id }, data: { presence, lastSeenAt: new Date() } });
  const assigned = presence === 'available' ? await assignWaiting(deps) : [];
  return { presence, assigned };
}

/**
 * Gives waiting conversations, most urgent first, to available, online agents who may
 * take them, the least loaded first, up to MAX_LOAD each. Each assignment is an ordinary
 * claim made for that agent, so of any number of concurrent passes and claims exactly
 * one wins a conversation; a lost race just moves on.
 */
export async function assignWaiting(deps: EscalationDeps, limit = 50): Promise<string[]> {
  const since = new Date(Date.now() - ONLINE_MS);
  const agents = await deps.db.agent.findMany({ where: { active: true, presence: 'available', lastSeenAt: { gte: since } } });
  if (agents.length === 0) return [];
  const load = await loads(deps);
  const waiting = await deps.db.conversation.findMany({
    where: { status: 'waiting', ownerType: 'queue' },
    orderBy: [{ priority: 'desc' }, { waitingSince: 'asc' }],
    take: limit,
  });
  const skillFor = skillsOf(deps.bots);
  const assigned: string[] = [];
  for (const c of waiting) {
    const context = parseContext(c.context);
    const need = { locale: c.locale, intent: context.intent, skill: context.queueSkill };
    const candidates = agents
      .filter((a) => (load.get(a.id) ?? 0) < MAX_LOAD && mayTake(a, need, skillFor))
      .sort((a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || (a.lastSeenAt?.getTime() ?? 0) - (b.lastSeenAt?.getTime() ?? 0));
    const agent = candidates[0];
    if (!agent) continue;
    try {
      await claimConversation(deps, { kind: 'agent', id: agent.id, role: agent.role, name: agent.name, languages: agent.languages, skills: agent.skills }, c.id);
      load.set(agent.id, (load.get(agent.id) ?? 0) + 1);
      assigned.push(c.id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (!(err instanceof Conflict)) deps.log.warn({ err, conversationId: c.id }, 'could not assign a waiting conversation');
    }
  }
  return assigned;
}

/** "Take next": the most urgent waiting conversation this agent may take, claimed (a lost race tries the next). */
export async function takeNext(deps: EscalationDeps, actor: Actor, waiting: string[]): Promise<string | null> {
  for (const id of waiting) {
    try {
      await claimConversation(deps, actor, id);
      return id;
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
    }
  }
  return null;
}
