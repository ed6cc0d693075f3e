// Resolves the bearer token (header, or ?token= for EventSource) to an Actor.
import type { Request, RequestHandler } from 'express';
import { authenticate, type Actor } from '../../agents/authenticate.ts';
import type { Runtime } from '../../main/runtime.ts';

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return typeof req.query.token === 'string' ? req.query.token : undefined;
}

export function withActor(rt: Runtime): RequestHandler {
  return async (req, res, next) => {
    res.locals.actor = await authenticate(rt.db, rt.config.adminToken, bearerToken(req));
    next();
  };
}

export const actorOf = (res: { locals: Record<string, unknown> }) => res.locals.actor as Actor;
