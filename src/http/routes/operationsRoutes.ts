// Operations: liveness, readiness (503 from the moment shutdown begins), Prometheus
// metrics and this API's own OpenAPI document. /readyz and /metrics are rate limited
// per address in memory (they must answer while Redis is down). On the API port,
// /metrics needs METRICS_TOKEN when one is set, and in production is not served there
// without one (worker processes serve it on METRICS_PORT); its gauges that cost a query
// are cached (src/observability/metrics.ts), so scrapes do not load the database.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Router } from 'express';
import { localRateLimit } from '../middleware/rateLimit.ts';
import { ClientError } from '../../shared/errors.ts';
import { z } from 'zod';
import type { Runtime } from '../../runtime/runtime.ts';
import { registry } from '../../observability/metrics.ts';
import { openApiDocument } from '../openapi.ts';
import { mountRoutes } from '../mount.ts';
import { route, type RouteDef } from '../route.ts';

export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({
  status: z.enum(['ready', 'unavailable', 'draining']).describe('draining: the process is shutting down'),
  database: z.enum(['ok', 'unavailable']),
  redis: z.enum(['ok', 'unavailable']),
});
type Readiness = z.infer<typeof Readiness>;

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

async function readiness(rt: Runtime): Promise<Readiness> {
  const [database, redis] = await Promise.all([
    withTimeout(rt.db.$queryRaw`SELECT 1`, 2000).then(() => 'ok' as const, () => 'unavailable' as const),
    withTimeout(rt.producerRedis.ping(), 2000).then(() => 'ok' as const, () => 'unavailable' as const),
  ]);
  if (rt.lifecycle.draining) return { status: 'draining', database, redis };
  return { status: database === 'ok' && redis === 'ok' ? 'ready' : 'unavailable', database, redis };
}

export const opsRateLimit = (rt: Runtime, name: string) => localRateLimit({ name, max: rt.config.rateLimits.opsPerMinute, windowMs: 60_000 });

const digest = (v: string) => createHash('sha256').update(v).digest();

/** /metrics on the public API port: behind METRICS_TOKEN, or closed in production without one. */
function metricsGate(rt: Runtime): RequestHandler {
  return (req, _res, next) => {
    const token = rt.config.metricsToken;
    if (token) {
      const header = req.get('authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!timingSafeEqual(digest(given), digest(token))) throw new ClientError(401, 'unauthorized', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    } else if (rt.config.production) {
      throw new ClientError(404, 'not_found', 'metrics are served on METRICS_PORT, or here with METRICS_TOKEN set');
    }
    next();
  };
}

const metricsRouteFor = (gate: boolean) =>
  route({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics (text exposition format)',
    description: 'On the API port: needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; in production without it, not served here.',
    auth: 'public',
    noBackingServices: true,
    before: (rt) => [opsRateLimit(rt, 'metrics'), ...(gate ? [metricsGate(rt)] : [])],
    responses: { 200: { description: 'Metrics.', type: 'text/plain; version=0.0.4', example: '# TYPE baton_escalations_waiting gauge\nbaton_escalations_waiting 0\n' } },
    handler: async () => ({ status: 200 as const, type: registry.contentType, body: await registry.metrics() }),
  });

export const metricsRoute = metricsRouteFor(true);

export const operationsRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    tag: 'Operations',
    summary: 'Liveness: the process answers',
    auth: 'public',
    noBackingServices: true,
    responses: { 200: { description: 'Alive.', schema: Health, name: 'Health' } },
    handler: async () => ({ status: 200 as const, body: { status: 'ok' as const } }),
  }),
  route({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    tag: 'Operations',
    summary: 'Readiness: PostgreSQL and Redis are reachable, and the process is not shutting down',
    auth: 'public',
    noBackingServices: true,
    before: (rt) => [opsRateLimit(rt, 'readyz')],
    responses: {
      200: { description: 'Ready.', schema: Readiness, name: 'Readiness' },
      503: { description: 'PostgreSQL or Redis is unreachable, or the process is shutting down.', schema: Readiness, name: 'Readiness' },
    },
    handler: async ({ rt }) => {
      const body = await readiness(rt);
      return body.status === 'ready' ? { status: 200 as const, body } : { status: 503 as const, body };
    },
  }),
  metricsRoute,
  route({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tag: 'Operations',
    summary: 'This document',
    auth: 'public',
    noBackingServices: true,
    responses: { 200: { description: 'OpenAPI 3.1 document.', type: 'application/json' } },
    handler: async ({ rt, table }) => ({
      status: 200 as const,
      type: 'application/json',
      headers: { 'Cache-Control': 'public, max-age=300' },
      body: JSON.stringify({ ...openApiDocument(table), servers: [{ url: rt.config.publicBaseUrl, description: 'PUBLIC_BASE_URL' }] }),
    }),
  }),
];

/** A worker-only process still exposes its own counters for Prometheus. */
export const metricsOnly = (rt: Runtime): Router => mountRoutes(rt, [metricsRouteFor(false)]);
