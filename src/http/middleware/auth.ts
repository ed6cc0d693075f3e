// The bearer token (header, or ?token= for EventSource), and the Actor the route
// table's auth middleware (../mount.ts) resolved it to.
import type { Request } from 'express';
import type { Actor } from '../../agents/authenticate.ts';

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return typeof req.query.token === 'string' ? req.query.token : undefined;
}

export const actorOf = (res: { locals: Record<string, unknown> }) => res.locals.actor as Actor;
