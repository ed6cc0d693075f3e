// Fault 3: Redis goes away for ten seconds while customers keep writing. A webhook is
// either stored (200; the outbox sweep enqueues it once Redis is back) or refused with
// 503 so Meta delivers it again; nothing taken is lost, nothing answered twice. The
// Redis here is this test's own redis-server, never the shared test one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converse, customer, sleep, startFaultEnv, type Attempt, type FaultEnv } from './support/baton.ts';
import { ownRedis, type OwnRedis } from './support/services.ts';
import { report, settle } from './support/tally.ts';

let redis: OwnRedis;
let env: FaultEnv;
beforeAll(async () => {
  redis = await ownRedis('outage');
  env = await startFaultEnv({ name: 'redis', redisUrl: redis.url });
  await env.startApi();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
  await redis?.destroy();
});

describe('fault: Redis stopped for ~10 s under load', () => {
  it('answers every webhook 200 or 503 and, once Redis is back, every taken message exactly once', async () => {
    const customers = Array.from({ length: 5 }, () => customer(8, 'redis'));
    const attempts: Attempt[] = [];
    const talking = converse(env.apiUrl, customers, { gapMs: 600, attempts, deadlineMs: 90_000 });

    await sleep(2000);
    await redis.stop();
    const downAt = Date.now();
    await sleep(1500);
    const ready = await fetch(`${env.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ redis: 'unavailable', database: 'ok' });
    await sleep(10_000 - 1500);
    await redis.start();
    const upAt = Date.now();
    await talking;

    const result = await settle('3 Redis down 10 s under load', env.db, env.provider, customers, 60_000);
    report(result);
    const during = attempts.filter((a) => a.at >= downAt && a.at < upAt);
    console.log(
      `webhooks while Redis was down: ${during.length} (${during.filter((a) => a.status === 200).length} stored, ` +
        `${during.filter((a) => a.status === 503).length} refused with 503), slowest ${Math.max(...during.map((a) => a.ms))} ms`,
    );

    // Every answer was a 200 (stored) or a 503 (Meta retries); never a 500 or a dropped connection.
    expect(attempts.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    // The outage really was under load: messages were taken while Redis was down, and
    // taken promptly (the enqueue gives up after 2 s and leaves the row to the sweep).
    expect(during.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(5000);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 40, stored: 40, answered: 40, duplicated: 0, lost: 0 });
    expect(result.resentAfterAccept).toBe(0);
    // Nothing is left behind in the outbox.
    expect(await env.db.outbox.count()).toBe(0);
  });
});
