// Issue #15, operations routes: /readyz, /metrics and /admin/queues are rate limited per
// address (in memory: they must work while Redis is down), /metrics is behind
// METRICS_TOKEN when one is set and not served on the API port in production without
// one, and its gauges that cost a query are cached between scrapes.
import { describe, expect, it } from 'vitest';
import { cachedSource } from '../../src/observability/metrics.ts';
import { useHarness } from './support.ts';

const TOKEN = 'metrics-token-0123456789';
const h = useHarness('operations', { RATE_LIMIT_OPS_PER_MINUTE: '5', METRICS_TOKEN: TOKEN });

describe('GET /metrics on the API port', () => {
  it('needs the metrics token when one is set', async () => {
    expect((await h.http.get('/metrics')).status).toBe(401);
    expect((await h.http.get('/metrics').set('authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await h.http.get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/baton_escalations_waiting/);
  });

  it('is not served in production without a token', async () => {
    const config = h.rt.config as { metricsToken?: string; production: boolean };
    const saved = { ...config };
    Object.assign(config, { metricsToken: undefined, production: true });
    try {
      expect((await h.http.get('/metrics').set('x-forwarded-for', '10.0.0.9')).status).toBe(404);
    } finally {
      Object.assign(config, saved);
    }
  });
});

describe('the operations routes', () => {
  it('answer 429 past the per-address limit: /readyz, /metrics and /admin/queues each', async () => {
    // The limit counts per minute of the clock: start well inside one, or the count resets midway.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5000) await new Promise((r) => setTimeout(r, left + 100));
    for (const path of ['/readyz', '/admin/queues']) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await h.http.get(path)).status);
      expect(statuses.slice(0, 5)).not.toContain(429);
      expect(statuses.slice(5)).toEqual([429, 429]);
    }
    // /metrics: the limit is 5 (the tests above may have used some of this minute's).
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await h.http.get('/metrics').set('authorization', `Bearer ${TOKEN}`)).status);
    expect(statuses).toContain(429);
  });
});

describe('gauges that cost a query', () => {
  it('are read at most once per cache period, however often they are scraped', async () => {
    let calls = 0;
    const source = cachedSource(async () => ++calls, 200, 0);
    expect(await Promise.all([source(), source(), source()])).toEqual([1, 1, 1]);
    expect(await source()).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    expect(await source()).toBe(2);
    expect(calls).toBe(2);
  });
});
