// Request duration by route pattern (not raw path: ids would explode the label set).
import type { RequestHandler } from 'express';
import { metrics } from '../../observability/metrics.ts';

export const httpMetrics: RequestHandler = (req, res, next) => {
  const end = metrics.http.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ route, method: req.method, status: String(res.statusCode) });
  });
  next();
};
