// Live events between processes over Redis pub/sub: a worker publishes a reply, the
// API process that holds the customer's SSE stream pushes it. Pub/sub is only the
// fast path; every event is also in PostgreSQL and clients catch up from history.
import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.ts';

type Listener = (payload: unknown) => void;
export type EventBus = ReturnType<typeof createEventBus>;

export function createEventBus(redisUrl: string, prefix: string, log: Logger) {
  const publisher = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<Listener>>();
  publisher.on('error', (err) => log.debug({ err }, 'event bus publisher'));

  function ensureSubscriber(): Redis {
    if (subscriber) return subscriber;
    subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
    subscriber.on('error', (err) => log.debug({ err }, 'event bus subscriber'));
    subscriber.on('message', (channel: string, raw: string) => {
      const set = listeners.get(channel);
      if (!set) return;
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        return;
      }
      for (const listener of set) listener(payload);
    });
    return subscriber;
  }

  return {
    async publish(topic: string, payload: unknown): Promise<void> {
      await publisher.publish(`${prefix}:${topic}`, JSON.stringify(payload));
    },
    /** Returns the function that unsubscribes. */
    subscribe(topic: string, listener: Listener): () => void {
      const channel = `${prefix}:${topic}`;
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        void ensureSubscriber().subscribe(channel).catch((err) => log.warn({ err }, 'subscribe failed'));
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(channel);
          void subscriber?.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async close(): Promise<void> {
      publisher.disconnect();
      subscriber?.disconnect();
    },
  };
}
