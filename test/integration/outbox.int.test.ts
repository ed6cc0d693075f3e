// The outbox: a webhook answers 200 as soon as the message is stored, even while Redis
// is down; the sweeper later moves the stored work into Redis and the customer gets
// exactly one reply. Enqueueing the same work again never produces a second reply.
// Runs on a database of its own: every harness's sweeper takes every old outbox row of
// its database, and this file leaves rows old on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { startStandInLlm, type StandInLlm } from '../support/standInLlm.ts';
import { postWhatsAppText, sendsTo, sleep } from '../support/whatsappFlow.ts';
import { jobId } from '../../src/queues/jobs.ts';

let llm: StandInLlm;
let scratch: ScratchDatabase;
let up: Harness | undefined;
beforeAll(async () => {
  // Every message reads as "thanks": exactly one reply per customer message.
  llm = await startStandInLlm(() => ({ intent: 'thanks', confidence: 0.99 }));
  scratch = await createScratchDatabase('outbox');
});
afterAll(async () => {
  await up?.close();
  await scratch?.drop();
  await llm?.close();
});

const env = (extra: Record<string, string> = {}) => ({ ...llm.env, DATABASE_URL: scratch.url, OUTBOX_SWEEP_MS: '300', ...extra });

/** A Baton whose workers run on the real Redis, started once and shared by the tests below. */
async function liveBaton(): Promise<Harness> {
  up ??= await startHarness({ env: env() });
  return up;
}

describe('outbox', () => {
  // Starts two Batons, the second with workers (which trains the built-in classifier):
  // slow on a busy machine.
  it('stores and answers 200 while Redis is down; once Redis is back the sweep gets the reply out exactly once', { timeout: 120_000 }, async () => {
    // An API process whose Redis is unreachable (nothing listens on port 1).
    const down = await startHarness({ workers: false, env: env({ REDIS_URL: 'redis://127.0.0.1:1' }) });
    for (const queue of Object.values(down.rt.producer.queues)) queue.on('error', () => {}); // BullMQ prints every reconnect otherwise
    const waId = randomPhone();
    const wamid = `wamid.outbox-${waId}`;
    try {
      const started = Date.now();
      const res = await postWhatsAppText(down, { from: waId, id: wamid, text: 'is anyone there' });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000); // bounded, not hung on Redis

      const stored = await down.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: wamid } } });
      expect(stored.text).toBe('is anyone there');
      expect(await down.rt.db.outbox.findMany({ where: { messageId: stored.id }, select: { kind: true, conversationId: true } })).toEqual([
        { kind: 'turn', conversationId: stored.conversationId },
      ]);
      expect((await down.http.get('/readyz')).status).toBe(503);
      expect(down.provider.requests).toHaveLength(0);
    } finally {
      await down.close();
    }

    // Redis is back: a process with workers starts; its sweeper finds the row.
    const live = await liveBaton();
    await eventually(async () => sendsTo(live.provider, waId).length >= 1, 15_000, 'the reply after the sweep');
    await sleep(800); // more than two sweep intervals: a second send would show up
    expect(sendsTo(live.provider, waId)).toHaveLength(1);

    const conversation = await live.rt.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp', externalId: waId } });
    const messages = await live.rt.db.message.findMany({ where: { conversationId: conversation.id }, orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.direction, m.status])).toEqual([
      ['inbound', 'received'],
      ['outbound', 'sent'],
    ]);
    expect(messages[0]!.handledAt).not.toBeNull();
    await eventually(async () => (await live.rt.db.outbox.count()) === 0, 5_000, 'an empty outbox');
  });

  it('sends a reply from the worker that answered: no send job, and no outbox row left', { timeout: 120_000 }, async () => {
    const live = await liveBaton();
    const waId = randomPhone();
    expect((await postWhatsAppText(live, { from: waId, id: `wamid.direct-${waId}`, text: 'thanks' })).status).toBe(200);
    await eventually(async () => sendsTo(live.provider, waId).length >= 1, 15_000, 'the reply');
    const reply = await eventually(() =>
      live.rt.db.message.findFirst({ where: { direction: 'outbound', status: 'sent', conversation: { externalId: waId } } }).then((m) => m ?? undefined),
    );
    expect(await live.rt.producer.queues.outbound.getJob(jobId.send(reply.id))).toBeUndefined();
    await eventually(async () => (await live.rt.db.outbox.count({ where: { conversationId: reply.conversationId } })) === 0, 5_000, 'no outbox row');
  });

  it('a reply left behind by a worker that died after its commit goes out once its row falls due, not before', { timeout: 120_000 }, async () => {
    const live = await liveBaton();
    const waId = randomPhone();
    expect((await postWhatsAppText(live, { from: waId, id: `wamid.orphan-${waId}`, text: 'thanks' })).status).toBe(200);
    await eventually(async () => sendsTo(live.provider, waId).length >= 1, 15_000, 'the first reply');
    const conversation = await live.rt.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp', externalId: waId } });
    // What a turn commits: a queued reply and its outbox row, due 3 s from now. Nobody delivers it.
    const orphan = await live.rt.db.message.create({
      data: { conversationId: conversation.id, direction: 'outbound', authorType: 'bot', authorId: 'triage', channel: 'whatsapp', text: 'left behind', idempotencyKey: `orphan-${waId}`, status: 'queued' },
    });
    const committedAt = Date.now();
    await live.rt.db.$executeRaw`INSERT INTO "Outbox" (kind, "conversationId", "messageId", "dueAt") VALUES ('send', ${conversation.id}::uuid, ${orphan.id}::uuid, now() + interval '3 seconds')`;
    await sleep(1500); // past a sweep interval: not due yet, not sent
    expect(sendsTo(live.provider, waId)).toHaveLength(1);
    await eventually(async () => sendsTo(live.provider, waId).length === 2, 15_000, 'the left-behind reply');
    expect(Date.now() - committedAt).toBeGreaterThanOrEqual(3000);
    await sleep(800);
    expect(sendsTo(live.provider, waId)).toHaveLength(2);
    expect((await live.rt.db.message.findUniqueOrThrow({ where: { id: orphan.id } })).status).toBe('sent');
  });

  it('sends no second reply when the same turn or send is enqueued again', { timeout: 120_000 }, async () => {
    const live = await liveBaton();
    const waId = randomPhone();
    const wamid = `wamid.twice-${waId}`;
    expect((await postWhatsAppText(live, { from: waId, id: wamid, text: 'where is my refund' })).status).toBe(200);
    await eventually(async () => sendsTo(live.provider, waId).length >= 1, 15_000, 'the first reply');
    const inbound = await live.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: wamid } } });
    const reply = await eventually(() =>
      live.rt.db.message.findFirst({ where: { conversationId: inbound.conversationId, direction: 'outbound', status: 'sent' } }).then((m) => m ?? undefined),
    );
    const turn = { conversationId: inbound.conversationId, messageId: inbound.id };
    const send = { conversationId: inbound.conversationId, messageId: reply.id };

    // The fast path and the sweep both dispatching, twice each, and a direct add.
    await Promise.all([live.rt.dispatcher.dispatch([{ kind: 'turn', ...turn }]), live.rt.dispatcher.dispatch([{ kind: 'turn', ...turn }])]);
    await Promise.all([live.rt.dispatcher.dispatch([{ kind: 'send', ...send }]), live.rt.dispatcher.dispatch([{ kind: 'send', ...send }])]);
    await live.rt.producer.turn(turn);

    // Even a job that really runs again (its completed twin removed first) answers nothing
    // and sends nothing: the database, not Redis, is the last guard.
    const { inbound: turns, outbound: sends } = live.rt.producer.queues;
    expect(await turns.remove(jobId.turn(inbound.id))).toBe(1);
    await live.rt.producer.turn(turn);
    // The reply went out from its turn's worker: this job is the one dispatched above.
    await eventually(async () => (await sends.getJob(jobId.send(reply.id)))?.isCompleted(), 10_000, 'the dispatched send job to complete');
    expect(await sends.remove(jobId.send(reply.id))).toBe(1);
    await live.rt.producer.send(send);
    const rerun = await eventually(async () => {
      const [t, s] = await Promise.all([turns.getJob(jobId.turn(inbound.id)), sends.getJob(jobId.send(reply.id))]);
      return t && s && (await t.isCompleted()) && (await s.isCompleted()) && { t, s };
    }, 10_000, 'the re-run jobs to complete');
    expect(rerun.t.returnvalue).toBe(0); // no pending inbound message found

    await sleep(500);
    expect(sendsTo(live.provider, waId)).toHaveLength(1);
    expect(await live.rt.db.message.count({ where: { conversationId: inbound.conversationId, direction: 'outbound' } })).toBe(1);
    expect(await live.rt.db.outbox.count({ where: { conversationId: inbound.conversationId } })).toBe(0);
  });
});
