// GET /openapi.json: the OpenAPI 3.1 description of every route (see ../openapi.ts),
// with this deployment's public URL as its server.
import { Router } from 'express';
import type { Runtime } from '../../main/runtime.ts';
import { openApiDocument } from '../openapi.ts';

export function openapiRoutes(rt: Runtime): Router {
  const router = Router();
  const body = JSON.stringify({ ...openApiDocument(), servers: [{ url: rt.config.publicBaseUrl, description: 'PUBLIC_BASE_URL' }] });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').set('Cache-Control', 'public, max-age=300').send(body);
  });
  return router;
}
