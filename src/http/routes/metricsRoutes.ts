// Prometheus scrape endpoint.
import { Router } from 'express';
import { registry } from '../../observability/metrics.ts';

export function metricsRoutes(): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
