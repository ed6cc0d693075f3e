// Fault 4: PostgreSQL stops (a fast shutdown, as `pg_ctl stop` does) for ten seconds
// while customers keep writing, then starts again. While it is down the webhook cannot
// store anything and must say so with 503 (Meta retries), never 500 and never a 200 for
// a message it did not keep; afterwards everything taken is answered exactly once. The
// PostgreSQL here is this test's own embedded server, never the shared test one. One
// customer's only message is mid-turn when the database goes: its job must wait out
// the outage rather than use up its tries, since no later message would wake it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converse, customer, sleep, startFaultEnv, until, type Attempt, type FaultEnv } from './support/baton.ts';
import { ownPostgres, type OwnPostgres } from './support/services.ts';
import { report, settle } from './support/tally.ts';

let postgres: OwnPostgres;
let env: FaultEnv;
beforeAll(async () => {
  postgres = await ownPostgres('outage');
  env = await startFaultEnv({ name: 'postgres', databaseUrl: postgres.url });
  await env.startApi();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
  await postgres?.destroy();
});

describe('fault: PostgreSQL stopped for ~10 s under load', () => {
  it('refuses webhooks with 503 while it is down and answers everything it took once it is back', async () => {
    const customers = Array.from({ length: 5 }, () => customer(8, 'pg'));
    const attempts: Attempt[] = [];
    const talking = converse(env.apiUrl, customers, { gapMs: 600, retryMs: 500, attempts, deadlineMs: 120_000 });

    // A customer whose only message is taken just before the stop, its turn still
    // running (the model is slow) when PostgreSQL goes: nothing later will wake it up.
    const lastWord = customer(1, 'pglast');
    env.llm.holdNext(lastWord.texts[0]!, 3000);
    await sleep(1500);
    await converse(env.apiUrl, [lastWord], { attempts });
    await until('the last word\'s turn to be waiting on the model', () => env.llm.pending() > 0, 10_000, 20);
    const stoppingAt = Date.now();
    await postgres.stop();
    const downAt = Date.now();
    await sleep(1500);
    const ready = await fetch(`${env.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ database: 'unavailable', redis: 'ok' });
    await sleep(10_000 - 1500);
    await postgres.start();
    const upAt = Date.now();
    await talking;

    const result = await settle('4 PostgreSQL down 10 s under load', env.db, env.provider, [...customers, lastWord], 90_000);
    report(result);
    const during = attempts.filter((a) => a.at >= downAt && a.at < upAt);
    const refused = during.filter((a) => a.status === 503);
    console.log(`webhooks while PostgreSQL was down: ${during.length} (${refused.length} refused with 503, ${during.filter((a) => a.status === 200).length} stored)`);

    // Never a 500, never a dropped connection: 200 when stored, 503 when it could not be.
    expect(attempts.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    // A refusal is prompt (Meta's webhook times out after a few seconds anyway).
    expect(Math.max(...refused.map((a) => a.ms))).toBeLessThan(8000);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 41, stored: 41, answered: 41, duplicated: 0, lost: 0 });
    // A reply the provider took just as the database went away could not be recorded as
    // sent, so it was asked again under the same key (delivered once). No other reply was.
    const firstAccepted = (key: string) => env.provider.raw.find((r) => r.key === key && r.outcome === 200)!.at;
    expect(result.resentKeys.filter((key) => firstAccepted(key) < stoppingAt - 1000 || firstAccepted(key) > upAt)).toEqual([]);
    expect(await env.db.outbox.count()).toBe(0);
  });
});
