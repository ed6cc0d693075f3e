// Redis connections. Workers block on Redis and must never give up a command
// (maxRetriesPerRequest: null); producers in request paths must fail fast instead, so
// a webhook can fall back to the outbox rather than hang while Redis is down.
import { Redis } from 'ioredis';

export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export function producerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
