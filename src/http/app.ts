// The Express app: middleware in order, then the routes of the route table
// (./routeTable.ts, mounted by ./mount.ts). No business logic.
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import type { Runtime } from '../runtime/runtime.ts';
import { ClientError } from '../shared/errors.ts';
import { errorHandler, notFound } from './middleware/errors.ts';
import { httpMetrics } from './middleware/httpMetrics.ts';
import { rateLimit, refusalLimit } from './middleware/rateLimit.ts';
import { requestLogger } from './middleware/requestLogger.ts';
import { mountRoutes } from './mount.ts';
import { RATE_LIMITED_PREFIXES } from './route.ts';
import { ROUTES } from './routeTable.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(rt: Runtime): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', rt.config.trustProxy);
  app.use(requestLogger(rt.log));
  app.use(httpMetrics);
  // The 1 MiB limit holds on every route, including those that never read a body.
  app.use((req, _res, next) => {
    if (Number(req.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      throw new ClientError(413, 'payload_too_large', 'request bodies are limited to 1 MiB');
    }
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          connectSrc: ["'self'"],
          // blob: the widget shows a file it fetched with the session token.
          imgSrc: ["'self'", 'data:', 'blob:'],
        },
      },
      // The widget is embedded on customers' sites.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // The widget calls the API from other origins (its files too); only bearer tokens, never cookies.
  app.use(['/webchat', '/widget.js', '/api/media'], (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  const perAddress = { name: 'ip', max: rt.config.rateLimits.ipPerMinute, windowMs: 60_000 };
  // Signed provider deliveries are limited only when refused; everything else per address.
  const isDelivery = (req: Request) => req.method === 'POST' && req.originalUrl.startsWith('/webhooks/');
  app.use('/webhooks', refusalLimit(rt.producerRedis, rt.config.queuePrefix, { ...perAddress, name: 'ip-refused', key: (req) => (isDelivery(req) ? req.ip : undefined) }));
  app.use(RATE_LIMITED_PREFIXES, rateLimit(rt.producerRedis, rt.config.queuePrefix, { ...perAddress, key: (req) => (isDelivery(req) ? undefined : req.ip) }));
  app.use(mountRoutes(rt, ROUTES));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
