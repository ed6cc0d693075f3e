// A route, declared once: method, path, who may call it, the zod schemas of its path
// parameters, query, body and responses, the documentation, and the handler that calls
// one use case. src/http/mount.ts builds the Express routes from these declarations
// and src/http/openapi.ts the OpenAPI document, so the two cannot drift.
//
// Routes whose wire format is not JSON in/JSON out (webhooks verified over raw bytes,
// SSE streams, static pages) declare `bespoke` handlers instead of `handler`; they are
// still declared here, with their documentation.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { WebchatSessionRow } from '../conversations/webchatSessions.ts';
import type { Runtime } from '../runtime/runtime.ts';

export type Json = Record<string, unknown>;
export type Method = 'get' | 'post' | 'patch' | 'delete';

/**
 * Who may call: `admin` the ADMIN_TOKEN only; `agent` an agent token or the admin
 * token; `supervisor` a supervisor's agent token or the admin token; `session` the
 * web chat session token of the `:id` in the path; `public` anyone (webhooks check
 * their own signatures); `queueDashboard` the admin token by header, `?token=` or cookie.
 */
export type AuthKind = 'public' | 'admin' | 'agent' | 'supervisor' | 'session' | 'queueDashboard';

/** Error responses every route of a kind can give; the mount and the doc agree on them. */
export type StandardError = 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'PayloadTooLarge' | 'UnsupportedMediaType' | 'TooManyRequests' | 'Unavailable';

export type ErrorDoc = { description: string; example: { error: string; message: string } };

export type ResponseDoc = {
  description: string;
  /** JSON body schema; its type is what the handler must return for this status. */
  schema?: z.ZodType;
  /** The component name of `schema` in the OpenAPI document. */
  name?: string;
  /** Non-JSON content: its media type (and an optional example). */
  type?: string;
  example?: unknown;
  headers?: Json;
};

export type BodyDoc<B extends z.ZodType = z.ZodType> = {
  schema: B;
  name: string;
  type?: 'application/json' | 'application/x-www-form-urlencoded';
  example: z.input<B>;
  description?: string;
};

type Responses = Record<number, ResponseDoc>;

type ReplyOf<R extends Responses> = {
  [K in keyof R & number]: R[K] extends { schema: infer S extends z.ZodType }
    ? { status: K; body: z.output<S>; headers?: Record<string, string> }
    : { status: K; body: string; type: string; headers?: Record<string, string> };
}[keyof R & number];

export type Ctx<P, Q, B> = {
  rt: Runtime;
  params: P;
  query: Q;
  body: B;
  /** The caller (routes with auth agent, supervisor or admin). */
  actor: () => Actor;
  /** The web chat session (routes with auth session). */
  session: () => WebchatSessionRow;
  req: Request;
  res: Response;
  /** The whole route table this route was mounted from (for the OpenAPI document). */
  table: readonly RouteDef[];
};

export type RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends Responses = Responses,
> = {
  method: Method;
  /** Express style (`/api/conversations/:id`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: AuthKind;
  /** The bearer token may also come as `?token=` (EventSource cannot set headers). */
  tokenInQuery?: boolean;
  params?: P;
  query?: Q;
  body?: BodyDoc<B>;
  /** Documentation of parameters the schemas above do not describe (headers, bespoke queries). */
  extraParameters?: Json[];
  responses: R;
  /** Error responses beyond those implied by auth, schemas and body (see mount.ts/openapi.ts). */
  errors?: StandardError[];
  /** Route-specific errors, e.g. 409 already_claimed. */
  customErrors?: Record<number, ErrorDoc>;
  /** Does the route never touch PostgreSQL or Redis (no 503)? */
  noBackingServices?: boolean;
  /** Bespoke only: mount with `router.use(path)`, so sub-paths reach the handlers too (the queue dashboard). */
  prefix?: boolean;
  /** Middleware run before auth (e.g. a per-address rate limit). */
  before?: (rt: Runtime) => RequestHandler[];
  /**
   * Middleware run once the caller is authenticated (e.g. a per-session rate limit: run
   * before auth, anyone knowing a session id could use up that session's allowance).
   */
  afterAuth?: (rt: Runtime) => RequestHandler[];
} & (
  | { handler: (ctx: Ctx<z.output<P>, z.output<Q>, z.output<B>>) => Promise<ReplyOf<R>>; bespoke?: never }
  | { bespoke: (rt: Runtime) => RequestHandler[]; handler?: never }
);

/** Declares a route (an identity function that lets TypeScript infer the schema types). */
export function route<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, const R extends Responses = Responses>(
  def: RouteDef<P, Q, B, R>,
): RouteDef {
  return def as unknown as RouteDef;
}

/** `/a/:id/b` → `/a/{id}/b` */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The prefixes app.ts puts behind the per-IP rate limit. */
export const RATE_LIMITED_PREFIXES = ['/webhooks', '/webchat', '/api'];
