// Fault 6: a handoff interrupted half-way. The protocol pauses the conversation (owner
// `handoff_pending`, a `pending` ledger row) before it transmits; a worker killed before
// the release leaves it like that. Two ways in:
//  - for real: triage hands a customer to the orders bot, and a trigger in this test's
//    own database holds the release statement open; the worker is SIGKILLed there. The
//    turn's job stalls, another worker re-runs it, the stuck handoff is rolled back and
//    run again.
//  - as stored state: a conversation left `handoff_pending` with a pending ledger row
//    (its job long gone); the customer's next message brings it back.
// Either way the conversation has an owner again and every message is answered once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoPack } from '../support/packs.ts';
import { handoffIdFor } from '../../src/handoff/handoffId.ts';
import { converse, customer, startFaultEnv, until, type Customer, type FaultEnv } from './support/baton.ts';
import { report, settle } from './support/tally.ts';

let env: FaultEnv;
let admin: pg.Client;
beforeAll(async () => {
  env = await startFaultEnv({ name: 'handoff' });
  await (await loadDemoPack(env.databaseUrl)).seed();
  admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  // A backend whose client died notices within half a second, even inside pg_sleep.
  const database = new URL(env.databaseUrl).pathname.slice(1);
  await admin.query(`ALTER DATABASE "${database}" SET client_connection_check_interval = '500ms'`);
  await admin.query(`
    CREATE FUNCTION fault_hold_handoff_release() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'pending' AND NEW.status = 'accepted' THEN PERFORM pg_sleep(20); END IF;
      RETURN NEW;
    END $$`);
  await env.startApi();
});
afterAll(async () => {
  await admin?.end();
  await env?.close();
});

const ownerOf = (conversationId: string) => env.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { ownerType: true, ownerId: true, status: true } });

describe('fault: a handoff interrupted between pause and release', () => {
  it('gives the conversation an owner again after the worker died mid-handoff', async () => {
    await admin.query(`CREATE TRIGGER fault_hold_handoff_release BEFORE UPDATE ON "HandoffEvent" FOR EACH ROW EXECUTE FUNCTION fault_hold_handoff_release()`);
    const worker = await env.startWorker();
    const asker: Customer = { ...customer(1, 'handoff'), texts: ['where is my order ORD-1001 please'] };
    const others = [customer(2, 'bystander'), customer(2, 'bystander')];
    await converse(env.apiUrl, [asker, ...others]);

    const inbound = await env.db.message.findFirstOrThrow({ where: { providerMessageId: asker.ids[0] } });
    const handoffId = handoffIdFor(inbound.id, 0);
    // Paused and transmitted, held in the release: the ledger says pending, nobody owns it.
    await until('the handoff to be held in its release step', async () => {
      const [held] = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query ILIKE '%HandoffEvent%'`).then((r) => r.rows as Array<{ n: number }>);
      return held!.n > 0;
    }, 30_000);
    expect(await env.db.handoffEvent.findUniqueOrThrow({ where: { id: handoffId } })).toMatchObject({ status: 'pending', fromId: 'triage', toId: 'orders' });
    expect((await ownerOf(inbound.conversationId)).ownerType).toBe('handoff_pending');

    await worker.kill('SIGKILL');
    await admin.query(`DROP TRIGGER fault_hold_handoff_release ON "HandoffEvent"`);
    // What the crash left behind: still paused, and the release never committed.
    expect((await ownerOf(inbound.conversationId)).ownerType).toBe('handoff_pending');

    await env.startWorker();
    const result = await settle('6a handoff: worker SIGKILL before release', env.db, env.provider, [asker, ...others], 150_000);
    report(result);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 5, stored: 5, answered: 5, duplicated: 0, lost: 0 });

    // The conversation has an owner again: the orders bot the handoff was for.
    expect(await ownerOf(inbound.conversationId)).toEqual({ ownerType: 'bot', ownerId: 'orders', status: 'bot' });
    const ledger = await env.db.handoffEvent.findMany({ where: { conversationId: inbound.conversationId } });
    expect(ledger.map((h) => h.status)).not.toContain('pending');
    expect(ledger.find((h) => h.id === handoffId)).toMatchObject({ status: 'accepted', fromId: 'triage', toId: 'orders', pattern: expect.any(String), reason: expect.any(String) });
    // The customer was answered about the order, once.
    const replies = await env.db.message.findMany({ where: { idempotencyKey: { startsWith: `${inbound.id}:` } } });
    expect(replies.some((r) => r.text.includes('ORD-1001'))).toBe(true);
  });

  it('gives a conversation left paused with a pending ledger row an owner at the next message', async () => {
    if (!env.processes.some((p) => p.role === 'worker' && p.alive())) await env.startWorker();
    const stuck = customer(2, 'stuck');
    await converse(env.apiUrl, [{ ...stuck, ids: stuck.ids.slice(0, 1), texts: stuck.texts.slice(0, 1) }]);
    const first = await env.db.message.findFirstOrThrow({ where: { providerMessageId: stuck.ids[0] } });
    await until('the first message to be answered', async () => (await env.db.message.findUniqueOrThrow({ where: { id: first.id } })).handledAt, 30_000);

    // The state a crash between transmit and acknowledge leaves, with its job gone.
    const handoffId = '0b0e1a58-0000-8000-8000-00000000f06a';
    await env.db.$transaction([
      env.db.conversation.update({ where: { id: first.conversationId }, data: { ownerType: 'handoff_pending' } }),
      env.db.handoffEvent.create({
        data: {
          id: handoffId,
          conversationId: first.conversationId,
          fromType: 'bot',
          fromId: 'triage',
          toType: 'bot',
          toId: 'billing',
          pattern: 'orchestrator',
          reason: 'intent:billing.invoice',
          status: 'pending',
          steps: [{ step: 'pause', at: new Date().toISOString() }, { step: 'transmit', at: new Date().toISOString() }],
          envelope: {},
        },
      }),
    ]);

    await converse(env.apiUrl, [{ ...stuck, ids: stuck.ids.slice(1), texts: stuck.texts.slice(1) }]);
    const result = await settle('6b handoff: left pending, next message', env.db, env.provider, [stuck], 30_000);
    report(result);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 2, stored: 2, answered: 2, duplicated: 0, lost: 0 });
    // Rolled back to the source, recorded as such in the ledger.
    expect(await ownerOf(first.conversationId)).toEqual({ ownerType: 'bot', ownerId: 'triage', status: 'bot' });
    const event = await env.db.handoffEvent.findUniqueOrThrow({ where: { id: handoffId } });
    expect(event.status).toBe('rolled_back');
    expect((event.steps as Array<{ step: string }>).map((s) => s.step)).toEqual(['pause', 'transmit', 'recovered']);
  });
});
