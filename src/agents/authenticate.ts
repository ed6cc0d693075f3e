// Who is calling the agent API: a person with an agent token, or an operator with the
// admin token (who acts with a supervisor's reach). Tokens are compared as hashes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { Forbidden, Unauthenticated } from '../shared/errors.ts';

export type Actor =
  | { kind: 'admin'; id: 'admin'; role: 'supervisor'; name: string; languages: string[]; skills: string[] }
  | { kind: 'agent'; id: string; role: 'agent' | 'supervisor'; name: string; languages: string[]; skills: string[] };

export const hashAgentToken = (token: string) => createHash('sha256').update(`baton-agent:${token}`).digest('hex');

const sameSecret = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

export async function authenticate(db: Db, adminToken: string, token: string | undefined): Promise<Actor> {
  if (!token) throw new Unauthenticated('unauthorized', 'Authorization: Bearer <token> is required');
  if (sameSecret(token, adminToken)) return { kind: 'admin', id: 'admin', role: 'supervisor', name: 'admin', languages: [], skills: [] };
  const agent = await db.agent.findUnique({ where: { tokenHash: hashAgentToken(token) } });
  if (!agent?.active) throw new Unauthenticated('unauthorized', 'the token is not valid');
  return { kind: 'agent', id: agent.id, role: agent.role, name: agent.name, languages: agent.languages, skills: agent.skills };
}

export function requireAdmin(actor: Actor): void {
  if (actor.kind !== 'admin') throw new Forbidden('forbidden', 'this route needs the admin token');
}
