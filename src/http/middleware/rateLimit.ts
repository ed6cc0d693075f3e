// Fixed-window rate limits in Redis, shared by every API process. Over the limit:
// 429 with Retry-After. If Redis cannot answer, requests pass: refusing customers
// because the limiter is down would lose more than it protects.
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { ClientError } from '../../shared/errors.ts';

export type Limit = { name: string; max: number; windowMs: number; key: (req: Request) => string | undefined };

/** The Redis key of this request's subject in the current window, or undefined when the limit does not apply. */
function windowOf(prefix: string, limit: Limit, req: Request) {
  const subject = limit.key(req);
  if (!subject) return undefined;
  const window = Math.floor(Date.now() / limit.windowMs);
  return { key: `${prefix}:ratelimit:${limit.name}:${subject}:${window}`, retryAfter: Math.max(1, Math.ceil(((window + 1) * limit.windowMs - Date.now()) / 1000)) };
}

const tooMany = (what: string, retryAfter: number) => new ClientError(429, 'rate_limited', `${what}; retry in ${retryAfter} s`, { 'Retry-After': String(retryAfter) });

export function rateLimit(redis: Redis, prefix: string, limit: Limit): RequestHandler {
  return async (req, res, next) => {
    const at = windowOf(prefix, limit, req);
    if (!at) return next();
    let count: number;
    try {
      const [[, n]] = (await redis.multi().incr(at.key).pexpire(at.key, limit.windowMs).exec()) as [[null, number], unknown];
      count = n;
    } catch {
      return next();
    }
    res.setHeader('RateLimit-Limit', String(limit.max));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit.max - count)));
    if (count > limit.max) throw tooMany(`too many requests (${limit.name})`, at.retryAfter);
    next();
  };
}

/**
 * For provider webhooks: only refused requests (4xx: a bad signature, not a webhook)
 * count against the address. Meta and Twilio deliver from a handful of addresses, so a
 * verified webhook is never refused by an address limit, however busy the number is.
 */
export function refusalLimit(redis: Redis, prefix: string, limit: Limit): RequestHandler {
  return async (req, res, next) => {
    const at = windowOf(prefix, limit, req);
    if (!at) return next();
    let count = 0;
    try {
      count = Number((await redis.get(at.key)) ?? 0);
    } catch {
      return next();
    }
    if (count >= limit.max) throw tooMany(`too many refused requests (${limit.name})`, at.retryAfter);
    res.on('finish', () => {
      if (res.statusCode < 400 || res.statusCode >= 500 || res.statusCode === 429) return;
      redis.multi().incr(at.key).pexpire(at.key, limit.windowMs).exec().catch(() => {});
    });
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
