// GET /openapi.json against the contract and the real app: the document is OpenAPI 3.1
// in shape, names every contract route with its method, every documented route exists,
// request schemas agree with the zod schemas the routes parse with, and the documented
// examples are accepted by the real routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { requestSchemas } from '../../src/http/openapi.ts';
import { openApiPath } from '../../src/http/route.ts';
import { ROUTES } from '../../src/http/routeTable.ts';
import { DeadLetterListQuery } from '../../src/http/routes/adminRoutes.ts';
import { ConversationListQuery, HandoffListQuery } from '../../src/http/routes/ledgerRoutes.ts';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, twilioForm } from '../support/payloads.ts';

type Json = Record<string, any>;

/** Every route of /work/shared/contract.md, as `METHOD path` (Express `:param` style). */
const CONTRACT_ROUTES = [
  // Channels in
  'GET /webhooks/whatsapp',
  'POST /webhooks/whatsapp',
  'POST /webhooks/sms',
  'POST /webhooks/sms/status',
  'GET /widget.js',
  'GET /chat',
  'POST /webchat/sessions',
  'POST /webchat/sessions/:id/messages',
  'GET /webchat/sessions/:id/messages',
  'GET /webchat/sessions/:id/events',
  // Human agents
  'POST /api/admin/agents',
  'GET /api/inbox',
  'POST /api/conversations/:id/claim',
  'POST /api/conversations/:id/messages',
  'POST /api/conversations/:id/release',
  'POST /api/conversations/:id/transfer',
  'POST /api/conversations/:id/resolve',
  'GET /api/conversations/:id',
  'GET /api/conversations',
  'GET /api/handoffs',
  'GET /api/events',
  // Operations
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /admin/queues',
  // Served by Baton though not listed in the contract's route lines
  'GET /schemas/handoff-envelope.v1.json',
  'GET /agent',
  'GET /agent.js',
  'GET /agent.css',
  'GET /api/me',
  'GET /api/admin/contacts/:id/export',
  'DELETE /api/admin/contacts/:id',
  'GET /api/admin/dead-letters',
  'POST /api/admin/dead-letters/:id/retry',
  'PATCH /api/admin/agents/:id',
  'POST /api/admin/agents/:id/token',
] as const;

/** The zod schema each documented request component is generated from (the routes' own). */
const ZOD_OF = Object.fromEntries(requestSchemas(ROUTES)) as Record<string, z.ZodObject>;

const toOpenApiPath = openApiPath;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let h: Harness;
let doc: Json;
beforeAll(async () => {
  h = await startHarness({ workers: false });
  const res = await h.http.get('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.body as Json;
});
afterAll(async () => {
  await h?.close();
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );

function resolveRef(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

const schemaOfBody = (op: Json) => {
  const content = op.requestBody?.content as Record<string, Json> | undefined;
  const [type, media] = Object.entries(content ?? {})[0] ?? [];
  const name = String(media?.schema?.$ref ?? '').replace('#/components/schemas/', '');
  return { type, media, name };
};

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document in shape', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Baton', version: expect.any(String) });
    expect(typeof doc.paths).toBe('object');
    expect(doc.servers).toEqual([expect.objectContaining({ url: SECRETS.publicBaseUrl })]);
    for (const path of Object.keys(doc.paths)) expect(path.startsWith('/')).toBe(true);

    const ids = new Set<string>();
    const tags = new Set((doc.tags as Json[]).map((t) => t.name));
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^\w+$/);
      expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const status of Object.keys(op.responses)) expect(status, where).toMatch(/^[1-5]\d\d$/);
      for (const tag of op.tags ?? []) expect(tags.has(tag), `${where}: undeclared tag ${tag}`).toBe(true);
      for (const requirement of op.security ?? []) for (const name of Object.keys(requirement)) expect(schemes.has(name), `${where}: unknown scheme ${name}`).toBe(true);

      // Every path template variable is declared, required, as a path parameter.
      const params = (op.parameters ?? []).map((p: Json) => (p.$ref ? resolveRef(p.$ref) : p) as Json);
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(params.find((p: Json) => p.in === 'path' && p.name === name), `${where}: path param ${name}`).toMatchObject({ required: true });
      }
      for (const p of params) expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
    }

    // Every $ref in the document resolves.
    for (const ref of collectRefs(doc)) expect(resolveRef(ref), ref).toBeDefined();
  });

  it('documents every contract route with its method', () => {
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const missing = CONTRACT_ROUTES.map((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return `${method} ${toOpenApiPath(path)}`;
    }).filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
  });

  it('documents every route the app defines', () => {
    // Walks the Express router stack: every `router.METHOD(path)` in every router the
    // app mounts (all at the root), so a route added later without docs fails here.
    type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const defined: string[] = [];
    const walk = (stack: Layer[]) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const p of ([] as string[]).concat(layer.route.path)) {
            for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') defined.push(`${method.toUpperCase()} ${toOpenApiPath(p)}`);
          }
        } else if (Array.isArray(layer.handle?.stack)) walk(layer.handle.stack);
      }
    };
    walk((h.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(defined.length).toBeGreaterThan(20);
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    expect(defined.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('documents exactly the routes of the route table, the one place routes are declared', () => {
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort();
    expect(documented).toEqual(ROUTES.map((r) => `${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`).sort());
  });

  it('documents only routes the app serves', async () => {
    const fakeId = '00000000-0000-4000-8000-000000000000';
    for (const { path, method } of operations()) {
      const url = path.replace(/\{\w+\}/g, fakeId);
      const res = await h.http[method as 'get' | 'post' | 'patch' | 'delete'](url).timeout(5_000);
      const unrouted = res.status === 404 && String(res.body?.message ?? '').startsWith('no route for');
      expect(unrouted, `${method.toUpperCase()} ${path} is documented but not served`).toBe(false);
    }
  });

  it('documents the error shape {error, message} and the security schemes', () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      properties: { error: { type: 'string' }, message: { type: 'string' } },
      required: ['error', 'message'],
    });
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.agentToken).toMatchObject({ type: 'http', scheme: 'bearer' });

    const op = (method: string, path: string) => doc.paths[path][method] as Json;
    expect(op('post', '/api/admin/agents').security).toEqual([{ adminToken: [] }]);
    for (const path of ['/api/inbox', '/api/conversations', '/api/conversations/{id}', '/api/handoffs']) {
      expect(op('get', path).security).toContainEqual({ agentToken: [] });
    }
    expect(op('post', '/api/conversations/{id}/claim').responses['409']).toBeDefined();
    expect(op('get', '/admin/queues').security).toContainEqual({ adminToken: [] });
    for (const path of ['/webhooks/whatsapp', '/webhooks/sms', '/webhooks/sms/status', '/healthz', '/webchat/sessions']) {
      expect(op(path === '/healthz' ? 'get' : 'post', path).security).toEqual([]);
    }
    // The webhook signatures are documented as required header parameters.
    const header = (path: string, name: string) => (op('post', path).parameters as Json[]).find((p) => p.in === 'header' && p.name === name);
    expect(header('/webhooks/whatsapp', 'X-Hub-Signature-256')).toMatchObject({ required: true });
    expect(header('/webhooks/sms', 'X-Twilio-Signature')).toMatchObject({ required: true });
    expect(header('/webhooks/sms/status', 'X-Twilio-Signature')).toMatchObject({ required: true });
    // The verification handshake's query params.
    const verify = (op('get', '/webhooks/whatsapp').parameters as Json[]).map((p) => `${p.in}:${p.name}:${p.required}`);
    expect(verify).toEqual(['query:hub.mode:true', 'query:hub.verify_token:true', 'query:hub.challenge:true']);
  });

  it('generates request schemas from the routes’ zod schemas: same fields, same required ones, examples that parse', () => {
    const seen = new Set<string>();
    for (const { path, method, op } of operations()) {
      if (!op.requestBody) continue;
      const { media, name } = schemaOfBody(op);
      const zod = ZOD_OF[name];
      expect(zod, `${method} ${path}: body component ${name} has no zod schema`).toBeDefined();
      seen.add(name);
      const schema = doc.components.schemas[name] as Json;
      const shape = zod!.shape as Record<string, z.ZodType>;
      expect(Object.keys(schema.properties).sort(), name).toEqual(Object.keys(shape).sort());
      const required = Object.entries(shape)
        .filter(([, field]) => !field.safeParse(undefined).success)
        .map(([key]) => key)
        .sort();
      expect([...(schema.required ?? [])].sort(), `${name} required`).toEqual(required);
      // The documented example is a body the route's parser accepts.
      const parsed = zod!.safeParse(media?.example);
      expect(parsed.success, `${name} example: ${parsed.error?.message}`).toBe(true);
    }
    expect([...seen].sort()).toEqual(
      [
        ...['AgentMessageBody', 'AttachmentBody', 'CreateAgentBody', 'CreateSessionBody', 'MeasureBody', 'PostMessageBody', 'ReleaseBody', 'TemplateInput', 'TransferBody'],
        ...['TwilioInbound', 'TwilioStatus', 'UpdateAgentBody', 'WhatsAppWebhook', 'LabelsBody', 'NewCannedResponse', 'NoteBody', 'PresenceBody', 'CorrectionBody'],
      ].sort(),
    );
  });

  it('documents the list filters as the query schemas’ fields', () => {
    for (const [path, zod] of [
      ['/api/conversations', ConversationListQuery],
      ['/api/handoffs', HandoffListQuery],
      ['/api/admin/dead-letters', DeadLetterListQuery],
    ] as const) {
      const params = (doc.paths[path].get.parameters as Json[]).filter((p) => p.in === 'query');
      expect(params.map((p) => p.name).sort()).toEqual(Object.keys(zod.shape).sort());
      for (const p of params) expect(p.required).toBe(false);
    }
    const status = (doc.paths['/api/conversations'].get.parameters as Json[]).find((p) => p.name === 'status');
    expect(status?.schema.enum).toEqual(['bot', 'waiting', 'agent', 'resolved']);
  });

  it('its documented examples are accepted by the real routes', async () => {
    const example = (method: string, path: string) => schemaOfBody(doc.paths[path][method]).media?.example as Json;

    const session = await h.http.post('/webchat/sessions').send(example('post', '/webchat/sessions'));
    expect(session.status).toBe(201);
    expect(Object.keys(session.body).sort()).toEqual(['sessionId', 'token']);

    const message = await h.http
      .post(`/webchat/sessions/${session.body.sessionId}/messages`)
      .set('authorization', `Bearer ${session.body.token}`)
      .send(example('post', '/webchat/sessions/{id}/messages'));
    expect(message.status).toBe(202);
    expect(message.body).toEqual({ messageId: expect.any(String) });

    // Emails are unique: the example's own is swapped for one no other test uses.
    const agent = await h.http
      .post('/api/admin/agents')
      .set('authorization', `Bearer ${SECRETS.adminToken}`)
      .send({ ...example('post', '/api/admin/agents'), email: `openapi-${Date.now()}@example.com` });
    expect(agent.status).toBe(201);
    expect(Object.keys(agent.body).sort()).toEqual(['id', 'token']);

    const whatsapp = JSON.stringify(example('post', '/webhooks/whatsapp'));
    const wa = await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(whatsapp)).send(whatsapp);
    expect(wa.status).toBe(200);
    expect(wa.body).toEqual({ received: 1, statuses: 0 });

    const { body, signature } = twilioForm(example('post', '/webhooks/sms') as Record<string, string>);
    const sms = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
    expect(sms.status).toBe(200);
    expect(sms.text).toBe(doc.paths['/webhooks/sms'].post.responses['200'].content['text/xml'].example);
    expect(sms.text).toContain('<Response></Response>');

    // A refused body answers the documented error shape.
    const bad = await h.http.post('/webchat/sessions').send({ locale: 'xx' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['error', 'message']);
  });
});
