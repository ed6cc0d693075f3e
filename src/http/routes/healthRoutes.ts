// Liveness and readiness. Readiness asks PostgreSQL and Redis themselves, with a short
// timeout, so a load balancer stops sending traffic while either is down.
import { Router } from 'express';
import type { Runtime } from '../../main/runtime.ts';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes(rt: Runtime): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([
      withTimeout(rt.db.$queryRaw`SELECT 1`, 2000).then(() => 'ok', () => 'unavailable'),
      withTimeout(rt.producerRedis.ping(), 2000).then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = database === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database, redis });
  });
  return router;
}
