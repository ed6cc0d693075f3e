// Bad input and limits: bodies over 1 MiB are refused with 413 on every route (GET ones
// too, and chunked bodies without a length), wrong content types with 415, too many
// requests from one address or one web chat session with 429 and Retry-After, and a
// client that sends its request slowly cannot hold a connection open forever.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultEnv, type FaultEnv } from '../faults/support/baton.ts';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { signWhatsApp, twilioForm, whatsappText } from '../support/payloads.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { rawRequest, slowClient } from './support/rawHttp.ts';

const MiB = 1024 * 1024;
const ID = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';

/** Every route Baton serves (and one it does not), with a method that reaches it. */
const ROUTES: Array<[string, string]> = [
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/openapi.json'],
  ['GET', '/admin/queues'],
  ['GET', '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1'],
  ['POST', '/webhooks/whatsapp'],
  ['POST', '/webhooks/sms'],
  ['POST', '/webhooks/sms/status'],
  ['GET', '/widget.js'],
  ['GET', '/chat'],
  ['POST', '/webchat/sessions'],
  ['POST', `/webchat/sessions/${ID}/messages`],
  ['GET', `/webchat/sessions/${ID}/messages`],
  ['GET', `/webchat/sessions/${ID}/events`],
  ['GET', '/agent'],
  ['GET', '/agent.js'],
  ['GET', '/agent.css'],
  ['GET', '/schemas/handoff-envelope.v1.json'],
  ['GET', '/api/me'],
  ['GET', '/api/inbox'],
  ['GET', '/api/events'],
  ['GET', '/api/conversations'],
  ['GET', `/api/conversations/${ID}`],
  ['POST', `/api/conversations/${ID}/claim`],
  ['POST', `/api/conversations/${ID}/messages`],
  ['POST', `/api/conversations/${ID}/release`],
  ['POST', `/api/conversations/${ID}/transfer`],
  ['POST', `/api/conversations/${ID}/resolve`],
  ['GET', '/api/handoffs'],
  ['POST', '/api/admin/agents'],
  ['GET', `/api/admin/contacts/${ID}/export`],
  ['DELETE', `/api/admin/contacts/${ID}`],
  ['GET', '/api/admin/dead-letters'],
  ['POST', `/api/admin/dead-letters/${ID}/retry`],
  ['GET', '/no/such/route'],
];

const expectError = (res: { status: number; headers: Record<string, unknown>; body: string }, status: number, error?: string) => {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/json');
  const body = JSON.parse(res.body) as { error: unknown; message: unknown };
  expect(body).toEqual({ error: error ?? expect.any(String), message: expect.any(String) });
};

let scratch: ScratchDatabase;
let h: Harness;
let server: Listening;
beforeAll(async () => {
  scratch = await createScratchDatabase('limits');
  h = await startHarness({ workers: false, env: { DATABASE_URL: scratch.url } });
  server = await listen(h.app);
});
afterAll(async () => {
  await server?.close();
  await h?.close();
  await scratch?.drop();
});

describe('request bodies over 1 MiB', () => {
  it('are refused with 413 {error, message} on every route, GET routes included, whatever the token', async () => {
    const body = Buffer.alloc(MiB + 1, 'a');
    for (const [method, path] of ROUTES) {
      const res = await rawRequest(server.url + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.adminToken}` },
        body,
      });
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 413 });
      expectError(res, 413, 'payload_too_large');
    }
  });

  it('are refused with 413 when streamed chunked without a Content-Length, on every route that reads a body', async () => {
    const session = (await h.http.post('/webchat/sessions').send({})).body as { sessionId: string; token: string };
    const big = Buffer.concat([Buffer.from('{"text":"'), Buffer.alloc(MiB, 'b'), Buffer.from('"}')]);
    const form = Buffer.from(`Body=${'c'.repeat(MiB)}`);
    const cases: Array<[string, Record<string, string>, Buffer]> = [
      ['/webhooks/whatsapp', { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsApp(big.toString()) }, big],
      ['/webhooks/sms', { 'content-type': 'application/x-www-form-urlencoded' }, form],
      ['/webhooks/sms/status', { 'content-type': 'application/x-www-form-urlencoded' }, form],
      ['/webchat/sessions', { 'content-type': 'application/json' }, big],
      [`/webchat/sessions/${session.sessionId}/messages`, { 'content-type': 'application/json', authorization: `Bearer ${session.token}` }, big],
      ['/api/admin/agents', { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.adminToken}` }, big],
    ];
    for (const [path, headers, body] of cases) {
      const res = await rawRequest(server.url + path, { method: 'POST', headers, body, chunked: true });
      expect({ path, status: res.status }).toEqual({ path, status: 413 });
      expectError(res, 413, 'payload_too_large');
    }
  });

  it('takes a webhook of exactly 1 MiB', async () => {
    const id = `wamid.exactly-1MiB-${randomUUID()}`;
    const text = whatsappText({ from: '919811100001', id, text: 'a long one' });
    const body = text.slice(0, -1) + ' '.repeat(MiB - Buffer.byteLength(text)) + '}';
    expect(Buffer.byteLength(body)).toBe(MiB);
    const res = await rawRequest(`${server.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsApp(body) },
      body: Buffer.from(body),
    });
    expect(res.status).toBe(200);
    expect(await h.rt.db.message.count({ where: { providerMessageId: id } })).toBe(1);
  });
});

describe('wrong content types', () => {
  it('are refused with 415 {error, message} by every route that reads a body', async () => {
    const session = (await h.http.post('/webchat/sessions').send({})).body as { sessionId: string; token: string };
    const agent = await h.http
      .post('/api/admin/agents')
      .set('authorization', `Bearer ${SECRETS.adminToken}`)
      .send({ name: 'Limits', email: `limits-${randomUUID().slice(0, 8)}@example.test`, role: 'agent', languages: ['en'], skills: [] });
    const json = JSON.stringify({ text: 'hello', clientMessageId: 'x' });
    const form = twilioForm({ MessageSid: 'SM1', From: '+919811100002', To: SECRETS.twilioFrom, Body: 'hi' });
    const cases: Array<[string, string | undefined, string, Record<string, string>]> = [
      ['/webhooks/whatsapp', 'text/plain', json, { 'x-hub-signature-256': signWhatsApp(json) }],
      ['/webhooks/whatsapp', 'application/x-www-form-urlencoded', json, { 'x-hub-signature-256': signWhatsApp(json) }],
      ['/webhooks/sms', 'application/json', JSON.stringify({ MessageSid: 'SM1' }), { 'x-twilio-signature': form.signature }],
      ['/webhooks/sms/status', 'text/plain', form.body, {}],
      ['/webchat/sessions', 'text/plain', '{}', {}],
      ['/webchat/sessions', undefined, '{}', {}],
      [`/webchat/sessions/${session.sessionId}/messages`, 'application/x-www-form-urlencoded', 'text=hi&clientMessageId=1', { authorization: `Bearer ${session.token}` }],
      [`/webchat/sessions/${session.sessionId}/messages`, 'multipart/form-data; boundary=x', json, { authorization: `Bearer ${session.token}` }],
      ['/api/admin/agents', 'text/plain', '{}', { authorization: `Bearer ${SECRETS.adminToken}` }],
      [`/api/conversations/${ID}/messages`, 'text/plain', '{"text":"hi"}', { authorization: `Bearer ${agent.body.token}` }],
      [`/api/conversations/${ID}/release`, 'application/xml', '<to>bot</to>', { authorization: `Bearer ${agent.body.token}` }],
      [`/api/conversations/${ID}/transfer`, 'text/csv', 'agentId', { authorization: `Bearer ${agent.body.token}` }],
    ];
    for (const [path, type, body, headers] of cases) {
      const res = await rawRequest(server.url + path, { method: 'POST', headers: { ...(type ? { 'content-type': type } : {}), ...headers }, body: Buffer.from(body) });
      expect({ path, type, status: res.status }).toEqual({ path, type, status: 415 });
      expectError(res, 415, 'unsupported_media_type');
    }
  });
});

describe('rate limits', () => {
  let limited: Harness;
  let limitedServer: Listening;
  beforeAll(async () => {
    limited = await startHarness({ workers: false, env: { DATABASE_URL: scratch.url, RATE_LIMIT_IP_PER_MINUTE: '20', RATE_LIMIT_SENDER_PER_MINUTE: '3' } });
    limitedServer = await listen(limited.app);
  });
  afterAll(async () => {
    await limitedServer?.close();
    await limited?.close();
  });

  /** The limits count per clock minute: start a burst where it cannot straddle two. */
  async function freshWindow() {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
  }
  // Requests come from loopback, a trusted proxy: X-Forwarded-For names the client.
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('answers 429 with Retry-After past the per-IP limit, for that address only', async () => {
    await freshWindow();
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const path = `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${SECRETS.verifyToken}&hub.challenge=42`;
    for (let i = 0; i < 20; i++) {
      const ok = await fetch(limitedServer.url + path, { headers: from(ip) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(19 - i));
    }
    const refused = await fetch(limitedServer.url + path, { headers: from(ip) });
    expectError({ status: refused.status, headers: Object.fromEntries(refused.headers), body: await refused.text() }, 429, 'rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other public routes share the address's budget; another address has its own.
    expect((await fetch(`${limitedServer.url}/webchat/sessions`, { method: 'POST', headers: { ...from(ip), 'content-type': 'application/json' }, body: '{}' })).status).toBe(429);
    expect((await fetch(limitedServer.url + path, { headers: from('198.51.100.77') })).status).toBe(200);
    // Health checks are never limited.
    expect((await fetch(`${limitedServer.url}/healthz`, { headers: from(ip) })).status).toBe(200);
  });

  it("never refuses a provider's verified webhooks by address, but limits refused (forged) ones", async () => {
    await freshWindow();
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const post = (body: string, signature: string) =>
      fetch(`${limitedServer.url}/webhooks/whatsapp`, { method: 'POST', headers: { ...from(ip), 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    // Twice the per-address limit of signed deliveries from one address (Meta's): all stored.
    for (let i = 0; i < 40; i++) {
      const body = whatsappText({ from: '919812300000', id: `wamid.limit-${randomUUID()}`, text: `message ${i}` });
      expect((await post(body, signWhatsApp(body))).status).toBe(200);
    }
    // Forged deliveries are refused (401) and count: past the limit the address gets 429.
    const forged = whatsappText({ from: '919812300000', id: 'wamid.forged', text: 'hi' });
    for (let i = 0; i < 20; i++) expect((await post(forged, 'sha256=00')).status).toBe(401);
    const refused = await post(forged, 'sha256=00');
    expectError({ status: refused.status, headers: Object.fromEntries(refused.headers), body: await refused.text() }, 429, 'rate_limited');
  });

  it('answers 429 with Retry-After past the per-session limit of web chat, for that session only', async () => {
    await freshWindow();
    const ip = `192.0.2.${1 + Math.floor(Math.random() * 250)}`;
    const open = async () => (await (await fetch(`${limitedServer.url}/webchat/sessions`, { method: 'POST', headers: { ...from(ip), 'content-type': 'application/json' }, body: '{}' })).json()) as { sessionId: string; token: string };
    const say = (s: { sessionId: string; token: string }, n: number) =>
      fetch(`${limitedServer.url}/webchat/sessions/${s.sessionId}/messages`, {
        method: 'POST',
        headers: { ...from(ip), 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ text: `message ${n}`, clientMessageId: `m${n}` }),
      });
    const chatty = await open();
    for (let n = 1; n <= 3; n++) expect((await say(chatty, n)).status).toBe(202);
    const refused = await say(chatty, 4);
    expectError({ status: refused.status, headers: Object.fromEntries(refused.headers), body: await refused.text() }, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The fourth message was not stored; a quieter session of the same address goes through.
    expect(await limited.rt.db.message.count({ where: { conversation: { externalId: chatty.sessionId } } })).toBe(3);
    const quiet = await open();
    expect((await say(quiet, 1)).status).toBe(202);
  });
});

describe('a busy WhatsApp number under the default limits', () => {
  let defaults: Harness;
  let server: Listening;
  beforeAll(async () => {
    // RATE_LIMIT_IP_PER_MINUTE unset: the limit `npm start` runs with.
    defaults = await startHarness({ workers: false, env: { DATABASE_URL: scratch.url, RATE_LIMIT_IP_PER_MINUTE: undefined } });
    server = await listen(defaults.app);
  });
  afterAll(async () => {
    await server?.close();
    await defaults?.close();
  });

  it('stores 5,000 signed webhooks from one address in a minute, none refused; forged ones are still limited', async () => {
    const limit = defaults.rt.config.rateLimits.ipPerMinute;
    expect(limit).toBeLessThan(5000);
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const from = `9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const post = (body: string, signature: string) =>
      fetch(`${server.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'x-forwarded-for': ip, 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    const statuses: Record<number, number> = {};
    let next = 0;
    // 25 deliveries in flight at a time, as Meta's webhook senders do for a busy number.
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < 5000) {
          const i = next++;
          const body = whatsappText({ from, id: `wamid.busy-${randomUUID()}`, text: `message ${i}` });
          const { status } = await post(body, signWhatsApp(body));
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    expect(statuses).toEqual({ 200: 5000 });
    expect(await defaults.rt.db.message.count({ where: { direction: 'inbound', conversation: { channel: 'whatsapp', externalId: from } } })).toBe(5000);
    // Unsigned (forged) deliveries from the same address still count and are refused past the limit.
    const forged = whatsappText({ from, id: 'wamid.busy-forged', text: 'hi' });
    const answers = new Set<number>();
    for (let i = 0; i <= limit; i++) answers.add((await post(forged, 'sha256=00')).status);
    expect([...answers].sort()).toEqual([401, 429]);
  }, 120_000);
});

describe('slow clients (a real API process, as `npm run api` starts it)', () => {
  let env: FaultEnv;
  beforeAll(async () => {
    env = await startFaultEnv({ name: 'slowclients' });
    await env.startApi();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('cannot hold connections open by sending headers or a body very slowly', async () => {
    const port = Number(new URL(env.apiUrl).port);
    // Headers never finish (a byte a second): headersTimeout (15 s) ends them.
    const slowHeaders = Array.from({ length: 5 }, () => slowClient(port, ['GET /healthz HTTP/1.1\r\n', 'Host: baton\r\n', 'X-Slow: '], 1000));
    // Headers arrive, the body never does: requestTimeout (30 s) ends them.
    const slowBody = Array.from({ length: 3 }, () =>
      slowClient(port, ['POST /webchat/sessions HTTP/1.1\r\nHost: baton\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', '{"name":"'], 1000, 'a'),
    );
    try {
      // Meanwhile everyone else is served normally.
      await new Promise((r) => setTimeout(r, 3000));
      const started = Date.now();
      expect((await fetch(`${env.apiUrl}/healthz`)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);

      const headerResults = await Promise.all(slowHeaders.map((c) => c.closed));
      for (const { afterMs, received } of headerResults) {
        expect(afterMs).toBeGreaterThanOrEqual(14_000);
        expect(afterMs).toBeLessThan(50_000);
        expect(received).toMatch(/^HTTP\/1\.1 408 |^$/);
      }
      const bodyResults = await Promise.all(slowBody.map((c) => c.closed));
      for (const { afterMs, received } of bodyResults) {
        expect(afterMs).toBeGreaterThanOrEqual(29_000);
        expect(afterMs).toBeLessThan(65_000);
        expect(received).toMatch(/^HTTP\/1\.1 408 |^$/);
      }
      expect((await fetch(`${env.apiUrl}/healthz`)).status).toBe(200);
    } finally {
      for (const c of [...slowHeaders, ...slowBody]) c.stop();
    }
  }, 90_000);
});
