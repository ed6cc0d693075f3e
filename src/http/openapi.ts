// The OpenAPI 3.1 description of every route, served at GET /openapi.json, generated
// from the route table (./routeTable.ts): paths, methods, security, parameters and
// request bodies from each route's declaration and zod schemas, responses from the
// schemas the handlers' replies are typed by (and, under NODE_ENV=test, checked
// against). Nothing here restates a route.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Locale } from '../config/env.ts';
import { HandoffEnvelopeV1 } from '../handoff/envelope.ts';
import { openApiPath, RATE_LIMITED_PREFIXES, type AuthKind, type Json, type RouteDef, type StandardError } from './route.ts';
import { QUEUE_DASHBOARD_COOKIE } from './routes/queueDashboardRoutes.ts';

export const ErrorBody = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid_request, unauthorized, already_claimed'),
    message: z.string().describe('human-readable explanation'),
  })
  .meta({ examples: [{ error: 'invalid_request', message: 'text: text must not be empty' }] });

// ---------------------------------------------------------------------------------
// zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), cross-referenced by name.

const COMPONENT = (name: string) => `#/components/schemas/${name}`;
const ref = (name: string) => ({ $ref: COMPONENT(name) });

function generate(schemas: Map<string, z.ZodType>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of schemas) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, unrepresentable: 'any', uri: COMPONENT }) as { schemas: Record<string, Json> };
  const result: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(out)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    result[id] = io === 'output' ? open(rest) : rest;
  }
  return result;
}

/** A schema that is not a component (path and query parameters), inline. */
function inline(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/**
 * Output mode closes every object (`additionalProperties: false`); responses are
 * documented open instead, so clients accept fields added later.
 */
function open<T>(node: T): T {
  if (Array.isArray(node)) return node.map(open) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = open(v);
  }
  return out as T;
}

/** Names each schema once; the same name for two different schemas is a table bug. */
function collect(into: Map<string, z.ZodType>, name: string, schema: z.ZodType, where: string) {
  const known = into.get(name);
  if (known && known !== schema) throw new Error(`${where}: component ${name} names two different schemas`);
  into.set(name, schema);
}

/** Request bodies by component name: exactly the schemas the routes parse with. */
export function requestSchemas(table: readonly RouteDef[]): Map<string, z.ZodType> {
  const out = new Map<string, z.ZodType>();
  for (const def of table) if (def.body) collect(out, def.body.name, def.body.schema, `${def.method} ${def.path}`);
  return out;
}

function responseSchemas(table: readonly RouteDef[]): Map<string, z.ZodType> {
  const out = new Map<string, z.ZodType>([
    ['Error', ErrorBody],
    ['HandoffEnvelopeV1', HandoffEnvelopeV1],
  ]);
  for (const def of table) {
    for (const [status, doc] of Object.entries(def.responses)) {
      if (!doc.schema) continue;
      if (!doc.name) throw new Error(`${def.method} ${def.path} ${status}: a response schema needs a component name`);
      collect(out, doc.name, doc.schema, `${def.method} ${def.path}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Security and errors, by the route's declared auth.

type Security = Array<Record<string, string[]>>;

function securityOf(auth: AuthKind, tokenInQuery: boolean): Security {
  const query = tokenInQuery ? [{ tokenQuery: [] }] : [];
  switch (auth) {
    case 'public':
      return [];
    case 'admin':
      return [{ adminToken: [] }];
    case 'agent':
    case 'supervisor':
      return [{ agentToken: [] }, { adminToken: [] }, ...query];
    case 'session':
      return [{ sessionToken: [] }, ...query];
    case 'queueDashboard':
      return [{ adminToken: [] }, { queueDashboardToken: [] }, { queueDashboardCookie: [] }];
  }
}

const errorResponse = (description: string, example?: { error: string; message: string }) => ({
  description,
  content: { 'application/json': { schema: ref('Error'), ...(example ? { example } : {}) } },
});

const ERROR_RESPONSES: Record<StandardError, Json> = {
  BadRequest: errorResponse('The request is malformed or fails validation.', { error: 'invalid_request', message: 'text: text must not be empty' }),
  Unauthorized: errorResponse('No token, or not a valid one.', { error: 'unauthorized', message: 'Authorization: Bearer <token> is required' }),
  Forbidden: errorResponse('The token is valid but may not do this.', { error: 'forbidden', message: 'this route needs the admin token' }),
  NotFound: errorResponse('No such resource, or not one the caller may see.', { error: 'not_found', message: 'no such conversation' }),
  Conflict: errorResponse('Someone else acted first.', { error: 'conflict', message: 'someone else acted on this conversation first' }),
  PayloadTooLarge: errorResponse('Request bodies are limited to 1 MiB, on every route.', { error: 'payload_too_large', message: 'request bodies are limited to 1 MiB' }),
  UnsupportedMediaType: errorResponse('The body is not of the content type this route reads.', { error: 'unsupported_media_type', message: 'expected Content-Type application/json' }),
  TooManyRequests: {
    ...errorResponse('Over the rate limit (per IP; web chat messages also per session).', { error: 'rate_limited', message: 'too many requests (ip); retry in 12 s' }),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } },
  },
  Unavailable: {
    ...errorResponse('PostgreSQL or Redis is unreachable; retry after the given delay.', { error: 'unavailable', message: 'a backing service is unavailable; retry shortly' }),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } },
  },
};

const STATUS_OF: Record<StandardError, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  Unavailable: 503,
};

/** The errors a route can answer: implied by its declaration, plus those it names. */
function errorsOf(def: RouteDef): StandardError[] {
  const implied: StandardError[] = [];
  if (def.params || def.query || def.body) implied.push('BadRequest');
  if (['admin', 'agent', 'supervisor', 'session'].includes(def.auth)) implied.push('Unauthorized');
  if (def.auth === 'admin' || def.auth === 'supervisor') implied.push('Forbidden');
  if (def.body) implied.push('PayloadTooLarge', 'UnsupportedMediaType');
  if (RATE_LIMITED_PREFIXES.some((p) => def.path === p || def.path.startsWith(`${p}/`))) implied.push('TooManyRequests');
  if (!def.noBackingServices) implied.push('Unavailable');
  return [...new Set([...implied, ...(def.errors ?? [])])];
}

// ---------------------------------------------------------------------------------
// Parameters.

const TOKEN_QUERY_PARAM = { name: 'token', in: 'query', required: false, description: 'the bearer token, for EventSource (which cannot set headers)', schema: { type: 'string' } };

/** One parameter per property of an object schema. */
function paramsOf(schema: z.ZodType, where: 'path' | 'query'): Json[] {
  const json = inline(schema);
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function parametersOf(def: RouteDef): Json[] {
  const params = def.params ? paramsOf(def.params, 'path') : [];
  for (const [, name] of def.path.matchAll(/:(\w+)/g)) {
    if (!params.some((p) => p.name === name)) params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  const query = def.query ? paramsOf(def.query, 'query') : [];
  if (def.tokenInQuery && !query.some((p) => p.name === 'token')) query.push(TOKEN_QUERY_PARAM);
  return [...params, ...query, ...(def.extraParameters ?? [])];
}

// ---------------------------------------------------------------------------------

function responsesOf(def: RouteDef): Json {
  const out: Record<string, Json> = {};
  for (const [status, doc] of Object.entries(def.responses)) {
    const content = doc.schema
      ? { 'application/json': { schema: ref(doc.name!) } }
      : doc.type
        ? { [doc.type]: { schema: { type: doc.type === 'application/json' || doc.type.endsWith('+json') ? 'object' : 'string' }, ...(doc.example !== undefined ? { example: doc.example } : {}) } }
        : undefined;
    const sse = doc.type === 'text/event-stream';
    out[status] = {
      description: doc.description,
      ...(doc.headers ? { headers: doc.headers } : {}),
      ...(sse
        ? { content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events: `event: <name>`, `data: <JSON>` blocks, `: keep-alive` comments every 15 s' } } } }
        : content
          ? { content }
          : {}),
    };
  }
  for (const name of errorsOf(def)) out[String(STATUS_OF[name])] ??= { $ref: `#/components/responses/${name}` };
  for (const [status, e] of Object.entries(def.customErrors ?? {})) out[status] = errorResponse(e.description, e.example);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function buildDocument(table: readonly RouteDef[]): Json {
  const requests = generate(requestSchemas(table), 'input');
  const responses = generate(responseSchemas(table), 'output');
  // zod cannot express AgentMessageBody's refinement; say it in the schema.
  if (requests.AgentMessageBody) requests.AgentMessageBody = { ...requests.AgentMessageBody, anyOf: [{ required: ['text'] }, { required: ['template'] }] };

  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();
  for (const def of table) {
    if (ids.has(def.operationId)) throw new Error(`duplicate operationId ${def.operationId}`);
    ids.add(def.operationId);
    const parameters = parametersOf(def);
    (paths[openApiPath(def.path)] ??= {})[def.method] = {
      operationId: def.operationId,
      tags: [def.tag],
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      security: securityOf(def.auth, def.tokenInQuery ?? false),
      ...(parameters.length ? { parameters } : {}),
      ...(def.body
        ? {
            requestBody: {
              required: true,
              ...(def.body.description ? { description: def.body.description } : {}),
              content: { [def.body.type ?? 'application/json']: { schema: ref(def.body.name), example: def.body.example } },
            },
          }
        : {}),
      responses: responsesOf(def),
    };
  }

  const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Baton',
      version,
      summary: 'Omnichannel customer conversations with specialist bots that hand off without losing context',
      description:
        'JSON uses camelCase. Every error is `{"error": "<code>", "message": "<human text>"}`. ' +
        'Request bodies over 1 MiB are refused with 413 on every route; /webhooks, /webchat and /api answer 429 with Retry-After over their rate limits. Supported locales: ' +
        Locale.options.join(', ') +
        '.',
    },
    tags: [
      { name: 'Webhooks', description: 'Provider webhooks (WhatsApp Cloud API, Twilio), authenticated by signature headers.' },
      { name: 'Web chat', description: 'The web chat widget and its session API.' },
      { name: 'Admin', description: 'Administration, with the ADMIN_TOKEN.' },
      { name: 'Agents', description: 'The human side: inbox, claims, replies, hand-ons, live events.' },
      { name: 'Conversations', description: 'Read side: conversations and the handoff ledger.' },
      { name: 'Media', description: 'Files messages carry, kept by Baton.' },
      { name: 'Pages', description: 'Browser pages and their assets.' },
      { name: 'Operations', description: 'Health, readiness, metrics, schemas, the queue dashboard.' },
    ],
    paths,
    components: {
      schemas: { ...requests, ...responses },
      responses: ERROR_RESPONSES,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN. Acts with a supervisor’s reach on the agent API.' },
        agentToken: { type: 'http', scheme: 'bearer', description: 'An agent token from POST /api/admin/agents.' },
        sessionToken: { type: 'http', scheme: 'bearer', description: 'The web chat session token from POST /webchat/sessions.' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'The same bearer token as `?token=`, for EventSource.' },
        queueDashboardToken: { type: 'apiKey', in: 'query', name: 'token', description: 'ADMIN_TOKEN as `?token=` on /admin/queues; sets the dashboard cookie.' },
        queueDashboardCookie: { type: 'apiKey', in: 'cookie', name: QUEUE_DASHBOARD_COOKIE, description: 'Set by /admin/queues?token=; short-lived.' },
      },
    },
  };
}

const cache = new WeakMap<readonly RouteDef[], Json>();

/** The OpenAPI 3.1 document of a route table (built on first call, then shared; do not mutate it). */
export function openApiDocument(table: readonly RouteDef[]): Json {
  let doc = cache.get(table);
  if (!doc) cache.set(table, (doc = buildDocument(table)));
  return doc;
}
