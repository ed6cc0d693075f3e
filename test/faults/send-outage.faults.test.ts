// Fault 7: PostgreSQL goes away while a reply is on its way to the provider and stays
// away longer than all the reply's send tries would take (2 tries, 100 ms apart here).
// The provider takes the reply, but Baton cannot record it. Before issue #15 the tries
// were spent on the outage, the dead-letter write failed with them, and the reply stayed
// `sending` with no job: the customer's next reply then waited behind it for ever. Now
// the send waits the outage out without spending tries, records the reply (sent again
// under the same Idempotency-Key: delivered once), and the next reply follows in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converse, customer, sleep, startFaultEnv, until, type FaultEnv } from './support/baton.ts';
import { ownPostgres, type OwnPostgres } from './support/services.ts';
import { report, settle } from './support/tally.ts';

let postgres: OwnPostgres;
let env: FaultEnv;
beforeAll(async () => {
  postgres = await ownPostgres('send-outage');
  env = await startFaultEnv({ name: 'send-outage', databaseUrl: postgres.url, env: { OUTBOUND_ATTEMPTS: '2', OUTBOUND_BACKOFF_MS: '100', PROVIDER_TIMEOUT_MS: '8000' } });
  await env.startApi();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
  await postgres?.destroy();
});

describe('fault: PostgreSQL down for longer than a reply\'s send tries', () => {
  it('sends the reply once PostgreSQL is back, and the later replies after it', async () => {
    const c = customer(2, 'sendout');
    // The first reply's send: the provider takes it and answers 4 s later.
    env.provider.script(c.waId, { acceptThenStallMs: 4000 });
    await converse(env.apiUrl, [{ ...c, ids: c.ids.slice(0, 1), texts: c.texts.slice(0, 1) }]);
    await until('the first reply to reach the provider', () => env.provider.raw.some((r) => r.to === c.waId), 20_000, 20);
    await postgres.stop();
    await sleep(8000); // the provider answers meanwhile; two tries would be long spent
    await postgres.start();
    await converse(env.apiUrl, [{ ...c, ids: c.ids.slice(1), texts: c.texts.slice(1) }], { retryMs: 500, deadlineMs: 60_000 });

    // Promptly: not only once the stale-send sweep (STALE_SEND_MS, 60 s) would rescue it.
    const result = await settle('7 PostgreSQL down past the send tries', env.db, env.provider, [c], 30_000);
    report(result);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 2, stored: 2, answered: 2, duplicated: 0, lost: 0 });
    expect(await env.db.deadLetter.count()).toBe(0);
    expect(await env.db.message.count({ where: { direction: 'outbound', status: { in: ['queued', 'sending', 'failed'] } } })).toBe(0);
  });
});
