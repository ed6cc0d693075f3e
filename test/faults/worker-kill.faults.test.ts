// Fault 2: a worker process dies (SIGKILL: no cleanup, no goodbye) in the middle of a bot
// turn and in the middle of a send. Another worker starts; BullMQ's stalled-job check
// hands it the two interrupted jobs. The turn runs again and the send goes out again
// with the same Idempotency-Key: the customer gets each answer exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converse, customer, startFaultEnv, until, type FaultEnv } from './support/baton.ts';
import { report, settle } from './support/tally.ts';

let env: FaultEnv;
beforeAll(async () => {
  // Provider and model timeouts long enough that the held requests are still open when the
  // kill lands (seconds after they start), and no longer: the reply the dead worker had in
  // flight falls due again after 2 x the timeout + 5 s, and that wait is most of the settle.
  env = await startFaultEnv({ name: 'workerkill', env: { PROVIDER_TIMEOUT_MS: '30000' } });
  await env.startApi();
});
afterAll(async () => {
  await env?.close();
});

describe('fault: a worker killed mid-turn and mid-send', () => {
  it('recovers both interrupted jobs on another worker, answering every message once', async () => {
    const first = await env.startWorker();
    // The slow turn and the hanging send are the last work of their conversations, so
    // nothing but the stalled-job check can bring them back.
    const slowTurn = customer(1, 'slowturn');
    const slowSend = customer(1, 'slowsend');
    const load = [customer(3, 'load'), customer(3, 'load'), customer(3, 'load')];
    const customers = [slowTurn, slowSend, ...load];
    env.llm.holdNext(slowTurn.texts[0]!, 120_000);
    env.provider.script(slowSend.waId, { hang: true });

    await converse(env.apiUrl, customers, { gapMs: 50 });
    await until('a turn waiting on the model and a send waiting on the provider', () => env.llm.pending() >= 1 && env.provider.hanging() >= 1, 30_000);

    // The kill lands while the turn has not committed and the reply is being sent.
    const turnMessage = await env.db.message.findFirstOrThrow({ where: { providerMessageId: slowTurn.ids[0] } });
    expect(turnMessage.handledAt).toBeNull();
    const sendInbound = await env.db.message.findFirstOrThrow({ where: { providerMessageId: slowSend.ids[0] } });
    const hungReply = await env.db.message.findUniqueOrThrow({ where: { idempotencyKey: `${sendInbound.id}:0` } });
    expect(hungReply.status).toBe('sending');
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await first.exited).signal).toBe('SIGKILL');
    // Replies the dead worker had handed to the provider without recording the answer.
    const inFlight = (await env.db.message.findMany({ where: { direction: 'outbound', status: 'sending' }, select: { id: true } })).map((m) => m.id);
    expect(inFlight).toContain(hungReply.id);

    await env.startWorker();
    const result = await settle('2 worker SIGKILL mid-turn + mid-send', env.db, env.provider, customers, 150_000);
    report(result);
    console.log(`recovered ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (BullMQ lock 30 s + stalled check)`);

    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 11, stored: 11, answered: 11, duplicated: 0, lost: 0 });
    // The interrupted send was asked again under the same key and delivered once.
    const hungRequests = env.provider.raw.filter((r) => r.key === hungReply.id);
    expect(hungRequests.map((r) => r.outcome)).toEqual(['hang', 200]);
    expect(env.provider.deliveries.filter((d) => d.key === hungReply.id)).toHaveLength(1);
    // By raw requests: the only replies asked for again after the provider took them are
    // ones the killed worker had in flight (the key made that harmless); no other reply
    // was ever requested twice.
    expect(result.resentKeys.filter((key) => !inFlight.includes(key))).toEqual([]);
    expect(result.rawSends).toBe(result.replies + 1 + result.resentAfterAccept);
    // The interrupted turn ran again (the model was asked twice) and answered once.
    expect(env.llm.texts.filter((t) => t === slowTurn.texts[0])).toHaveLength(2);
    const turnReplies = await env.db.message.count({ where: { idempotencyKey: { startsWith: `${turnMessage.id}:` } } });
    expect(turnReplies).toBeGreaterThan(0);
    expect(env.provider.deliveries.filter((d) => d.to === slowTurn.waId)).toHaveLength(turnReplies);
  });
});
