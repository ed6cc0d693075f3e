// /admin/queues: the BullMQ dashboard behind the admin token. Refused without it (401
// JSON) and with an agent token; served with the admin bearer; `?token=` trades the
// token for a short-lived HttpOnly SameSite=Strict cookie that the dashboard's own
// asset and API requests then carry; its API lists Baton's three queues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let agentToken: string;
const admin = { authorization: `Bearer ${SECRETS.adminToken}` };

beforeAll(async () => {
  h = await startHarness({ workers: false });
  const created = await h.http
    .post('/api/admin/agents')
    .set(admin)
    .send({ name: 'Queue Peeker', email: `queues-${Date.now()}@example.com`, role: 'supervisor', languages: ['en'], skills: [] });
  expect(created.status).toBe(201);
  agentToken = created.body.token;
});
afterAll(async () => {
  await h?.close();
});

const expectRefused = (res: { status: number; headers: Record<string, string>; body: unknown }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String) });
  expect(res.headers['set-cookie']).toBeUndefined();
};

describe('/admin/queues', () => {
  it('answers 401 JSON without a valid token, on the page and on its API', async () => {
    for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      expectRefused(await h.http.get(path), 401);
    }
    expectRefused(await h.http.get('/admin/queues').set('authorization', 'Bearer not-the-admin-token'), 401);
    expectRefused(await h.http.get('/admin/queues').set('authorization', 'Basic YWRtaW46YWRtaW4='), 401);
    expectRefused(await h.http.get('/admin/queues?token=not-the-admin-token'), 401);
    const refused = await h.http.get('/admin/queues');
    expect(refused.body.error).toBe('unauthorized');
  });

  it('refuses an agent token, even a supervisor’s', async () => {
    expectRefused(await h.http.get('/admin/queues').set('authorization', `Bearer ${agentToken}`), 403);
    expectRefused(await h.http.get(`/admin/queues?token=${encodeURIComponent(agentToken)}`), 403);
    expectRefused(await h.http.get('/admin/queues/api/queues').set('authorization', `Bearer ${agentToken}`), 403);
  });

  it('serves the dashboard page with the admin bearer token, under a CSP relaxed for it alone', async () => {
    const res = await h.http.get('/admin/queues').set(admin);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<base href="/admin/queues/"');
    expect(res.text).toContain('Baton queues');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();

    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain('https://fonts.googleapis.com');
    expect(csp).toContain("frame-ancestors 'none'");
    // Everywhere else the app's own strict policy still holds.
    const elsewhere = await h.http.get('/healthz');
    expect(String(elsewhere.headers['content-security-policy'])).not.toContain('fonts.googleapis.com');

    // The page's scripts and styles load with the same credentials.
    const assets = [...res.text.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const file = await h.http.get(`/admin/queues/${asset}`).set(admin);
      expect(file.status, asset).toBe(200);
    }
  });

  it('lists the three queues on its API', async () => {
    const res = await h.http.get('/admin/queues/api/queues').set(admin);
    expect(res.status).toBe(200);
    const names = (res.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual(['escalation', 'inbound', 'outbound']);
  });

  it('trades ?token= for a short-lived HttpOnly SameSite=Strict cookie the browser UI then uses', async () => {
    const opened = await h.http.get(`/admin/queues?token=${encodeURIComponent(SECRETS.adminToken)}`);
    expect(opened.status).toBe(302);
    expect(opened.headers.location).toBe('/admin/queues');
    const setCookie = ([] as string[]).concat(opened.headers['set-cookie'] ?? []);
    expect(setCookie).toHaveLength(1);
    const cookie = setCookie[0]!;
    expect(cookie).toMatch(/^baton_queues=/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\/admin\/queues/i);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(24 * 3600);
    // The cookie is not the admin token itself.
    expect(cookie).not.toContain(SECRETS.adminToken);

    // Other query params survive the redirect; only the token is dropped.
    const deep = await h.http.get(`/admin/queues/queue/inbound?status=failed&token=${encodeURIComponent(SECRETS.adminToken)}`);
    expect(deep.status).toBe(302);
    expect(deep.headers.location).toBe('/admin/queues/queue/inbound?status=failed');

    const pair = cookie.split(';')[0]!;
    const page = await h.http.get('/admin/queues').set('cookie', pair);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const api = await h.http.get('/admin/queues/api/queues').set('cookie', pair);
    expect(api.status).toBe(200);
    expect((api.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(['escalation', 'inbound', 'outbound']);

    // A forged or altered cookie is worth nothing.
    const [name, value] = pair.split('=') as [string, string];
    const [expires, mac] = value.split('.') as [string, string];
    const later = `${name}=${Number(expires) + 3600}.${mac}`;
    expectRefused(await h.http.get('/admin/queues/api/queues').set('cookie', later), 401);
    expectRefused(await h.http.get('/admin/queues/api/queues').set('cookie', `${name}=${expires}.${'A'.repeat(mac.length)}`), 401);
    // A wrong bearer header is not rescued by a good cookie.
    expectRefused(await h.http.get('/admin/queues').set('cookie', pair).set('authorization', 'Bearer wrong'), 401);
  });
});
