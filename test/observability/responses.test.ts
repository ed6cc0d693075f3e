// Real responses of the main routes against the response schemas of the route table
// (the ones /openapi.json documents): every body parses, and carries no field the
// schema leaves out. Also: under NODE_ENV=test the mount itself refuses to send a reply
// that does not match its schema, so every other test checks the docs too.
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorHandler } from '../../src/http/middleware/errors.ts';
import { mountRoutes } from '../../src/http/mount.ts';
import { openApiPath, route } from '../../src/http/route.ts';
import { ROUTES } from '../../src/http/routeTable.ts';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';

type Json = Record<string, unknown>;
const ADMIN = { authorization: `Bearer ${SECRETS.adminToken}` };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Paths in `actual` that the schema's parse dropped (fields the docs do not name). */
function undocumented(actual: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(actual)) return actual.flatMap((v, i) => undocumented(v, (parsed as unknown[] | undefined)?.[i], `${at}[${i}]`));
  if (actual === null || typeof actual !== 'object' || parsed === null || typeof parsed !== 'object') return [];
  return Object.entries(actual).flatMap(([k, v]) => (k in parsed ? undocumented(v, (parsed as Json)[k], `${at}.${k}`) : [`${at}.${k}`]));
}

const checked = new Set<string>();
/** Parses a response with the schema its route documents for its status. */
function expectDocumented(method: string, path: string, res: { status: number; body: unknown }) {
  const def = ROUTES.find((r) => r.method === method && r.path === path);
  expect(def, `${method} ${path} is in the route table`).toBeDefined();
  const schema = def!.responses[res.status]?.schema;
  expect(schema, `${method} ${path} documents a JSON body for ${res.status}`).toBeDefined();
  const parsed = schema!.safeParse(res.body);
  expect(parsed.success, `${method} ${path} ${res.status}: ${parsed.error ? z.prettifyError(parsed.error) : ''}`).toBe(true);
  expect(undocumented(res.body, parsed.data), `${method} ${path} ${res.status}: undocumented fields`).toEqual([]);
  checked.add(`${method.toUpperCase()} ${openApiPath(path)}`);
}

describe('responses match the route table', () => {
  it('for web chat, agents, conversations, the ledger, admin and operations', async () => {
    const call = async (method: 'get' | 'post' | 'patch' | 'delete', path: string, url: string, auth: Json = {}, body?: unknown) => {
      let req = h.http[method](url).set(auth as Record<string, string>);
      if (body !== undefined) req = req.send(body as object);
      const res = await req;
      expectDocumented(method, path, res);
      return res.body as Json;
    };

    const session = await call('post', '/webchat/sessions', '/webchat/sessions', {}, { locale: 'en', name: 'Schema Check' });
    const auth = { authorization: `Bearer ${session.token as string}` };
    await call('post', '/webchat/sessions/:id/messages', `/webchat/sessions/${session.sessionId as string}/messages`, auth, { text: 'I want to talk to a human', clientMessageId: 'schema-1' });
    await eventually(async () => {
      const res = await h.http.get(`/webchat/sessions/${session.sessionId as string}/messages`).set(auth);
      return (res.body as { messages: Array<{ direction: string; status: string }> }).messages.some((m) => m.direction === 'outbound' && m.status !== 'queued');
    });
    await call('get', '/webchat/sessions/:id/messages', `/webchat/sessions/${session.sessionId as string}/messages`, auth);
    await call('get', '/webchat/strings', '/webchat/strings?locale=ur');

    const agent = await call('post', '/api/admin/agents', '/api/admin/agents', ADMIN, { name: 'Schema Agent', email: `schema-${Date.now()}@example.test`, role: 'agent', languages: ['en'] });
    const agentAuth = { authorization: `Bearer ${agent.token as string}` };
    await call('get', '/api/me', '/api/me', agentAuth);
    await call('get', '/api/me', '/api/me', ADMIN);
    const conversationId = await eventually(async () => {
      const c = await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: session.sessionId as string, status: 'waiting' } });
      return c?.id;
    });
    await call('get', '/api/inbox', '/api/inbox', agentAuth);
    await call('post', '/api/conversations/:id/claim', `/api/conversations/${conversationId}/claim`, agentAuth);
    await call('post', '/api/conversations/:id/messages', `/api/conversations/${conversationId}/messages`, agentAuth, { text: 'Hello, I am here.' });
    await call('get', '/api/conversations', '/api/conversations?limit=5', ADMIN);
    await call('get', '/api/conversations/:id', `/api/conversations/${conversationId}`, ADMIN);
    await call('get', '/api/handoffs', `/api/handoffs?conversationId=${conversationId}`, agentAuth);
    await call('post', '/api/conversations/:id/release', `/api/conversations/${conversationId}/release`, agentAuth, { to: 'queue', note: 'checking schemas' });
    await call('patch', '/api/admin/agents/:id', `/api/admin/agents/${agent.id as string}`, ADMIN, { skills: ['billing'] });
    await call('post', '/api/admin/agents/:id/token', `/api/admin/agents/${agent.id as string}/token`, ADMIN);
    await call('get', '/api/admin/dead-letters', '/api/admin/dead-letters', ADMIN);

    const contactId = (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).contactId;
    await call('get', '/api/admin/contacts/:id/export', `/api/admin/contacts/${contactId}/export`, ADMIN);
    await call('delete', '/api/admin/contacts/:id', `/api/admin/contacts/${contactId}`, ADMIN);
    await call('get', '/healthz', '/healthz');
    await call('get', '/readyz', '/readyz');

    // The main JSON routes were all seen.
    expect(checked.size).toBeGreaterThanOrEqual(20);
  });
});

describe('the mount under NODE_ENV=test', () => {
  it('answers 500 (and says why in the log) when a handler replies off its documented schema', async () => {
    const drifting = route({
      method: 'get',
      path: '/drift',
      operationId: 'drift',
      tag: 'Operations',
      summary: 'a route whose handler drifted from its schema',
      auth: 'public',
      responses: { 200: { description: 'x', schema: z.object({ n: z.number() }), name: 'Drift' } },
      handler: async () => ({ status: 200 as const, body: { n: 'one' } as unknown as { n: number } }),
    });
    const app = express().use(mountRoutes(h.rt, [drifting])).use(errorHandler);
    const res = await request(app).get('/drift');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal', message: 'internal error' });
  });
});
