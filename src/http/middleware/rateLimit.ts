// Fixed-window rate limits in Redis, shared by every API process. Over the limit:
// 429 with Retry-After. If Redis cannot answer, requests pass: refusing customers
// because the limiter is down would lose more than it protects.
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { ClientError } from '../../shared/errors.ts';

export type Limit = { name: string; max: number; windowMs: number; key: (req: Request) => string | undefined };

export function rateLimit(redis: Redis, prefix: string, limit: Limit): RequestHandler {
  return async (req, res, next) => {
    const subject = limit.key(req);
    if (!subject) return next();
    const window = Math.floor(Date.now() / limit.windowMs);
    const key = `${prefix}:ratelimit:${limit.name}:${subject}:${window}`;
    let count: number;
    try {
      const [[, n]] = (await redis.multi().incr(key).pexpire(key, limit.windowMs).exec()) as [[null, number], unknown];
      count = n;
    } catch {
      return next();
    }
    res.setHeader('RateLimit-Limit', String(limit.max));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit.max - count)));
    if (count > limit.max) {
      const retryAfter = Math.ceil(((window + 1) * limit.windowMs - Date.now()) / 1000);
      throw new ClientError(429, 'rate_limited', `too many requests (${limit.name}); retry in ${retryAfter} s`, { 'Retry-After': String(Math.max(1, retryAfter)) });
    }
    next();
  };
}

/**
 * The same fixed window, in this process's memory: for the operations routes (/readyz,
 * /metrics, /admin/queues), which must keep working, and stay cheap, while Redis is
 * the thing that is down. Keyed by client address.
 */
export function localRateLimit(limit: Omit<Limit, 'key'> & { key?: Limit['key'] }): RequestHandler {
  const counts = new Map<string, number>();
  let window = 0;
  return (req, res, next) => {
    const now = Math.floor(Date.now() / limit.windowMs);
    if (now !== window) {
      window = now;
      counts.clear();
    }
    const subject = (limit.key ?? ((r: Request) => r.ip))(req) ?? 'unknown';
    const count = (counts.get(subject) ?? 0) + 1;
    counts.set(subject, count);
    res.setHeader('RateLimit-Limit', String(limit.max));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit.max - count)));
    if (count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * limit.windowMs - Date.now()) / 1000));
      throw new ClientError(429, 'rate_limited', `too many requests (${limit.name}); retry in ${retryAfter} s`, { 'Retry-After': String(retryAfter) });
    }
    next();
  };
}
