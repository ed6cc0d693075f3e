// Issue #15, sending replies: a PostgreSQL outage longer than the send retries does not
// leave a reply queued forever (the send waits the outage out without spending tries),
// a reply whose job was lost is re-queued by the sweep, and waiting behind an earlier
// reply has a bound.
import { describe, expect, it } from 'vitest';
import { deliverOutbound } from '../../src/conversations/deliverOutbound.ts';
import { queueOutbound } from '../../src/conversations/queueOutbound.ts';
import { workerConnection } from '../../src/queues/connection.ts';
import { jobId } from '../../src/queues/jobs.ts';
import { startOutboundWorker } from '../../src/workers/outboundWorker.ts';
import { requeueStaleSends } from '../../src/workers/staleSends.ts';
import { eventually, randomPhone } from '../support/harness.ts';
import { sendsTo, sleep, WHATSAPP_SEND_PATH } from '../support/whatsappFlow.ts';
import { customerWrites, stubClassifier, switchableDb, turnDeps, useHarness } from './support.ts';
import { createReplyDelivery } from '../../src/turn/deliverReplies.ts';
import { runBotTurn } from '../../src/turn/runBotTurn.ts';

const h = useHarness('delivery', { OUTBOUND_ATTEMPTS: '2' });

async function reply(conversationId: string, text: string, key = `rel:${Math.random()}`) {
  return queueOutbound(h.rt.db, { dispatch: async () => {} } as never, {
    conversationId,
    channel: 'whatsapp',
    text,
    author: { type: 'bot', id: 'test', name: 'test' },
    idempotencyKey: key,
  });
}

describe('sending through a database outage', () => {
  it('waits without spending tries while PostgreSQL is away, then sends the reply once', async () => {
    const waId = randomPhone();
    const inbound = await customerWrites(h, waId, 'hi there');
    const { db, state } = switchableDb(h.rt.db);
    const connection = workerConnection(h.rt.redisUrl);
    const worker = startOutboundWorker({ db, senders: h.rt.senders, log: h.rt.log }, connection, { prefix: h.rt.config.queuePrefix, concurrency: 2, backoffMs: 50 });
    try {
      state.down = true;
      const message = await reply(inbound.conversationId, 'during the outage');
      await h.rt.producer.send({ conversationId: inbound.conversationId, messageId: message.id });
      // Two tries with a 50 ms backoff would be spent in well under a second.
      await sleep(2500);
      const job = await h.rt.producer.queues.outbound.getJob(jobId.send(message.id));
      expect(await job!.getState()).toBe('delayed');
      expect(job!.attemptsMade).toBe(0);
      state.down = false;
      const sent = await eventually(
        () => h.rt.db.message.findUniqueOrThrow({ where: { id: message.id } }).then((m) => (m.status === 'sent' ? m : undefined)),
        15_000,
        'the reply to be sent',
      );
      expect(sent.attempts).toBe(1);
      expect(sendsTo(h.provider, waId)).toHaveLength(1);
      expect(await h.rt.db.deadLetter.count({ where: { messageId: message.id } })).toBe(0);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  }, 30_000);
});

describe('the stale-send sweep', () => {
  it('re-queues a reply left queued with no job and no outbox row, and touches one whose job still waits', async () => {
    const inbound = await customerWrites(h, randomPhone(), 'hello');
    const lost = await reply(inbound.conversationId, 'lost');
    await h.rt.db.outbox.deleteMany({ where: { messageId: lost.id } });
    const waiting = await reply(inbound.conversationId, 'waiting');
    await h.rt.db.outbox.deleteMany({ where: { messageId: waiting.id } });
    await h.rt.producer.queues.outbound.add('send', { conversationId: inbound.conversationId, messageId: waiting.id }, { jobId: jobId.send(waiting.id), delay: 60_000 });
    await h.rt.db.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '10 minutes' WHERE id IN (${lost.id}::uuid, ${waiting.id}::uuid)`;

    expect(await requeueStaleSends(h.rt, 60_000)).toBe(1);
    expect(await h.rt.producer.queues.outbound.getJob(jobId.send(lost.id))).toBeDefined();
    const touched = await h.rt.db.message.findMany({ where: { id: { in: [lost.id, waiting.id] } } });
    for (const m of touched) expect(Date.now() - m.updatedAt.getTime()).toBeLessThan(30_000);
    // Nothing is stale any more: a second sweep does nothing.
    expect(await requeueStaleSends(h.rt, 60_000)).toBe(0);
  });

  it('re-queues a reply whose job failed for good but whose row was never marked', async () => {
    const inbound = await customerWrites(h, randomPhone(), 'hello');
    const stuck = await reply(inbound.conversationId, 'stuck');
    await h.rt.db.outbox.deleteMany({ where: { messageId: stuck.id } });
    const job = await h.rt.producer.queues.outbound.add('send', { conversationId: inbound.conversationId, messageId: stuck.id }, { jobId: jobId.send(stuck.id) });
    await job.remove();
    await h.rt.db.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '10 minutes' WHERE id = ${stuck.id}::uuid`;
    expect(await requeueStaleSends(h.rt, 60_000)).toBe(1);
    const again = await h.rt.producer.queues.outbound.getJob(jobId.send(stuck.id));
    expect(await again!.getState()).toMatch(/waiting|prioritized/);
  });
});

describe('waiting behind an earlier reply', () => {
  it('is bounded: an earlier reply nobody has touched for the hold time no longer holds later ones', async () => {
    const waId = randomPhone();
    const inbound = await customerWrites(h, waId, 'hello');
    const earlier = await reply(inbound.conversationId, 'earlier');
    const later = await reply(inbound.conversationId, 'later');
    const deps = { db: h.rt.db, senders: h.rt.senders, log: h.rt.log, orderHoldMs: 60_000 };
    // Recently touched: it holds the later one.
    expect(await deliverOutbound(deps, inbound.conversationId, later.id)).toHaveProperty('wait');
    await h.rt.db.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '2 minutes' WHERE id = ${earlier.id}::uuid`;
    expect(await deliverOutbound(deps, inbound.conversationId, later.id)).toEqual({ done: 'sent' });
  });
});

describe('a reply recorded sent claims the next one in the same statement', () => {
  const bodies = (waId: string) => sendsTo(h.provider, waId).map((r) => (r.json as { text?: { body?: string } }).text?.body);

  it('sends the next without a claim of its own, in order, and never claims one an unsent reply is ahead of', async () => {
    const waId = randomPhone();
    const { conversationId } = await customerWrites(h, waId, 'hi there');
    const deps = { db: h.rt.db, senders: h.rt.senders, log: h.rt.log };
    const first = await reply(conversationId, 'first');
    const second = await reply(conversationId, 'second');

    const sent = await deliverOutbound(deps, conversationId, first.id, { next: second.id });
    expect(sent).toMatchObject({ done: 'sent', next: { id: second.id, claimed: true } });
    expect(await h.rt.db.message.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: 'sending', attempts: 1 });
    const next = 'next' in sent ? sent.next : undefined;
    expect(await deliverOutbound(deps, conversationId, second.id, { claimed: next })).toEqual({ done: 'sent' });
    expect(await h.rt.db.message.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: 'sent', attempts: 1 });
    expect(bodies(waId)).toEqual(['first', 'second']);

    // Order still holds: with "fourth" queued, recording "third" does not claim "fifth".
    const third = await reply(conversationId, 'third');
    const fourth = await reply(conversationId, 'fourth');
    const fifth = await reply(conversationId, 'fifth');
    const thirdSent = await deliverOutbound(deps, conversationId, third.id, { next: fifth.id });
    expect(thirdSent).toMatchObject({ done: 'sent', next: { id: fifth.id, claimed: false, earlier: true } });
    expect(await deliverOutbound(deps, conversationId, fifth.id, { claimed: 'next' in thirdSent ? thirdSent.next : undefined })).toHaveProperty('wait');
    expect(await deliverOutbound(deps, conversationId, fourth.id)).toEqual({ done: 'sent' });
    expect(await deliverOutbound(deps, conversationId, fifth.id)).toEqual({ done: 'sent' });
    expect(bodies(waId)).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
  });
});

describe("a turn's replies, claimed as they are written", () => {
  const turnWithDelivery = () => {
    const replies = createReplyDelivery({ db: h.rt.db, senders: h.rt.senders, log: h.rt.log, dispatcher: h.rt.dispatcher, providerTimeoutMs: 5000, outboundAttempts: 2 });
    return { deps: { ...turnDeps(h, stubClassifier()), replies }, replies };
  };

  it('go out from the worker in order, each tried once, for every message the turn answers', async () => {
    const waId = randomPhone();
    const { conversationId } = await customerWrites(h, waId, 'hello');
    await customerWrites(h, waId, 'thanks');
    const { deps, replies } = turnWithDelivery();
    await runBotTurn(deps, conversationId);
    await replies.drain();
    const written = await h.rt.db.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } });
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written.map((m) => [m.status, m.attempts])).toEqual(written.map(() => ['sent', 1]));
    expect(sendsTo(h.provider, waId).map((r) => r.headers['idempotency-key'])).toEqual(written.map((m) => m.id));
  });

  it('a retryable failure after the first: the first is recorded sent, the rest go to the send queue, the failed try counted', async () => {
    const waId = randomPhone();
    const { conversationId } = await customerWrites(h, waId, 'hello');
    let calls = 0;
    const whatsapp = h.rt.senders.whatsapp;
    // The stand-in answers the turn's second send with a 503.
    const send = (req: Parameters<typeof whatsapp.send>[0]) => {
      if (++calls === 2) h.provider.failNext(WHATSAPP_SEND_PATH, { status: 503 });
      return whatsapp.send(req);
    };
    const senders = { ...h.rt.senders, whatsapp: { ...whatsapp, send } };
    const replies = createReplyDelivery({ db: h.rt.db, senders, log: h.rt.log, dispatcher: h.rt.dispatcher, providerTimeoutMs: 5000, outboundAttempts: 2 });
    await runBotTurn({ ...turnDeps(h, stubClassifier()), replies }, conversationId);
    await replies.drain();
    const [first, second, ...rest] = await h.rt.db.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } });
    expect(first).toMatchObject({ status: 'sent', attempts: 1 });
    expect(second).toMatchObject({ status: 'sending', attempts: 1 });
    // Both reached the provider; it refused the second.
    expect(sendsTo(h.provider, waId).map((r) => r.headers['idempotency-key'])).toEqual([first!.id, second!.id]);
    // The failed try is counted: its job makes one try fewer than the replies after it.
    for (const [m, spent] of [[second!, 1] as const, ...rest.map((r) => [r, 0] as const)]) {
      const job = await h.rt.producer.queues.outbound.getJob(jobId.send(m.id));
      expect(job?.data).toMatchObject({ messageId: m.id });
      expect(job?.opts.attempts).toBe(h.rt.producer.outboundAttempts - spent);
    }
  });

  it('wait behind an earlier reply of the conversation still queued: none is claimed or sent ahead of it', async () => {
    const waId = randomPhone();
    const { conversationId } = await customerWrites(h, waId, 'hello');
    const earlier = await reply(conversationId, 'earlier, not sent yet');
    const { deps, replies } = turnWithDelivery();
    await runBotTurn(deps, conversationId);
    await replies.drain();
    expect(sendsTo(h.provider, waId)).toEqual([]);
    const written = await h.rt.db.message.findMany({ where: { conversationId, direction: 'outbound', id: { not: earlier.id } } });
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.every((m) => m.status === 'queued')).toBe(true);
  });
});
