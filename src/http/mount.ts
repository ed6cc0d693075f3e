// Builds the Express routes from the route table (./routeTable.ts): auth by kind, the
// body's content type and parser, zod parsing of params/query/body at the edge, the
// handler's one use case, and the reply. Under NODE_ENV=test every JSON reply is also
// checked against the schema documented for its status, so the docs cannot drift.
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { authenticate, requireAdmin } from '../agents/authenticate.ts';
import { authenticateSession, type WebchatSessionRow } from '../conversations/webchatSessions.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { ClientError, Forbidden } from '../shared/errors.ts';
import { actorOf, bearerToken } from './middleware/auth.ts';
import { requireContentType } from './middleware/requireContentType.ts';
import type { AuthKind, RouteDef } from './route.ts';

const BODY_LIMIT = '1mb';

function authMiddleware(rt: Runtime, kind: AuthKind): RequestHandler[] {
  const actor: RequestHandler = async (req, res, next) => {
    res.locals.actor = await authenticate(rt.db, rt.config.adminToken, bearerToken(req));
    next();
  };
  switch (kind) {
    case 'agent':
      return [actor];
    case 'admin':
      return [
        actor,
        (_req, res, next) => {
          requireAdmin(actorOf(res));
          next();
        },
      ];
    case 'supervisor':
      return [
        actor,
        (_req, res, next) => {
          if (actorOf(res).role !== 'supervisor') throw new Forbidden('forbidden', 'this route is for supervisors and the admin token');
          next();
        },
      ];
    case 'session':
      return [
        async (req, res, next) => {
          res.locals.session = await authenticateSession(rt.db, String(req.params.id), bearerToken(req), rt.config.webchatSessionTtlMs);
          next();
        },
      ];
    case 'public':
    case 'queueDashboard': // bespoke: it also takes a cookie
      return [];
  }
}

function bodyMiddleware(def: RouteDef): RequestHandler[] {
  if (!def.body || def.bespoke) return [];
  const type = def.body.type ?? 'application/json';
  return [
    requireContentType(type),
    type === 'application/json' ? express.json({ limit: BODY_LIMIT }) : express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 200 }),
  ];
}

/** Path parameters that fail their schema are a 400 `invalid_id` with the schema's message. */
function parseParams(schema: z.ZodType, raw: unknown): unknown {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ClientError(400, 'invalid_id', parsed.error.issues[0]?.message ?? 'invalid path parameter');
}

function handle(rt: Runtime, def: RouteDef, table: readonly RouteDef[]): RequestHandler {
  const where = `${def.method.toUpperCase()} ${def.path}`;
  const checkReplies = rt.config.env === 'test';
  return async (req, res) => {
    const ctx = {
      rt,
      req,
      res,
      table,
      params: def.params ? parseParams(def.params, req.params) : req.params,
      query: def.query ? def.query.parse(req.query) : req.query,
      body: def.body ? def.body.schema.parse(req.body ?? {}) : undefined,
      actor: () => {
        if (!res.locals.actor) throw new Error(`${where} has no actor (auth ${def.auth})`);
        return actorOf(res);
      },
      session: () => {
        if (!res.locals.session) throw new Error(`${where} has no session (auth ${def.auth})`);
        return res.locals.session as WebchatSessionRow;
      },
    };
    const reply = (await def.handler!(ctx as never)) as { status: number; body: unknown; type?: string; headers?: Record<string, string> };
    const doc = def.responses[reply.status];
    if (!doc) throw new Error(`${where} answered ${reply.status}, which its route does not declare`);
    if (checkReplies && doc.schema) {
      const checked = doc.schema.safeParse(reply.body);
      if (!checked.success) throw new Error(`${where} ${reply.status} does not match its documented schema: ${z.prettifyError(checked.error)}`);
    }
    if (reply.headers) res.set(reply.headers);
    res.status(reply.status);
    if (reply.type) res.type(reply.type).send(reply.body);
    else res.json(reply.body);
  };
}

/** One router with every route of the table, in table order. */
export function mountRoutes(rt: Runtime, table: readonly RouteDef[]): Router {
  const router = Router();
  for (const def of table) {
    const before = def.before?.(rt) ?? [];
    const auth = [...authMiddleware(rt, def.auth), ...(def.afterAuth?.(rt) ?? [])];
    const chain = def.bespoke
      ? [...before, ...auth, ...def.bespoke(rt)]
      : [...before, ...auth, ...bodyMiddleware(def), handle(rt, def, table)];
    if (def.prefix && def.bespoke) router.use(def.path, ...chain);
    else router[def.method](def.path, ...chain);
  }
  return router;
}
