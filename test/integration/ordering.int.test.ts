// Per-conversation ordering under concurrency: many messages from one customer arrive
// at once, workers run 8 jobs in parallel (and, in the second test, two Batons compete
// for the same queues). Every inbound message must be answered exactly once, and the
// replies must reach the Graph API in the order Baton stored the messages (seq order).
// The classifier is a stand-in that reads every message as a greeting, so each one gets
// an answer whatever the built-in classifier would make of "m07". The file runs on a
// database of its own: every harness's outbox sweeper takes every old outbox row of its
// database, and another file's workers would deliver our replies to their stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandInProvider } from '../../src/dev/standInProvider.ts';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { startStandInLlm, type StandInLlm } from '../support/standInLlm.ts';
import { idempotencyKeyOf, postWhatsAppText, sendsTo, sleep } from '../support/whatsappFlow.ts';

let llm: StandInLlm;
let scratch: ScratchDatabase;
let h1: Harness;
let h2: Harness | undefined;
// Starting a Baton with workers trains the built-in classifier: slow on a busy machine.
const STARTUP_TIMEOUT = 120_000;
beforeAll(async () => {
  llm = await startStandInLlm(() => ({ intent: 'greeting', confidence: 0.99 }));
  scratch = await createScratchDatabase('ordering');
  h1 = await startHarness({ env: { ...llm.env, DATABASE_URL: scratch.url } });
}, STARTUP_TIMEOUT);
afterAll(async () => {
  await h2?.close();
  await h1?.close();
  await scratch?.drop();
  await llm?.close();
});

const SECOND_PROCESS_TOKEN = 'second-process-access-token';
const texts = (n: number) => Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);

/** Posts one customer's messages all at once, spread over the given API instances. */
async function burst(apis: Harness[], waId: string, count: number, tag: string) {
  const base = Math.floor(Date.now() / 1000) - count;
  const responses = await Promise.all(
    texts(count).map((text, i) =>
      postWhatsAppText(apis[i % apis.length]!, { from: waId, id: `wamid.${tag}-${waId}-${i}`, text, timestamp: base + i }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
}

/** Waits until every inbound message of `waId` is handled and every reply has reached the provider. */
async function settle(h: Harness, provider: StandInProvider, waId: string, inboundCount: number) {
  await eventually(
    async () => {
      const conversation = await h.rt.db.conversation.findFirst({ where: { channel: 'whatsapp', externalId: waId } });
      if (!conversation) return false;
      const messages = await h.rt.db.message.findMany({ where: { conversationId: conversation.id } });
      const inbound = messages.filter((m) => m.direction === 'inbound');
      const outbound = messages.filter((m) => m.direction === 'outbound');
      return (
        inbound.length === inboundCount &&
        inbound.every((m) => m.handledAt !== null) &&
        outbound.every((m) => m.status === 'sent') &&
        sendsTo(provider, waId).length >= outbound.length
      );
    },
    40_000,
    `all ${inboundCount} messages of ${waId} answered and delivered`,
  );
}

/**
 * The conversation of `waId` as the customer sees it: each inbound message answered
 * once (replies keyed `<inboundId>:<index>`), and the Graph API received every reply
 * once, in inbound seq order, the parts of one answer in index order.
 */
async function expectAnsweredInOrder(h: Harness, provider: StandInProvider, waId: string, expectedTexts: string[]) {
  const conversation = await h.rt.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp', externalId: waId } });
  const inbound = await h.rt.db.message.findMany({ where: { conversationId: conversation.id, direction: 'inbound' }, orderBy: { seq: 'asc' } });
  expect(inbound.map((m) => m.text).sort()).toEqual([...expectedTexts].sort());

  const outbound = await h.rt.db.message.findMany({ where: { conversationId: conversation.id, direction: 'outbound' }, orderBy: { seq: 'asc' } });
  const position = new Map(inbound.map((m, i) => [m.id, i]));
  const answerOf = (key: string | null) => {
    const [inboundId, part] = (key ?? '').split(':');
    const index = position.get(inboundId ?? '');
    expect(index, `reply key ${key} names no inbound message of this conversation`).toBeDefined();
    return { inbound: index!, part: Number(part) };
  };
  // Every inbound message has an answer, whose parts are numbered 0..n-1 (answered once).
  const parts = inbound.map((m) => outbound.filter((o) => o.idempotencyKey?.startsWith(`${m.id}:`)).map((o) => answerOf(o.idempotencyKey).part).sort((a, b) => a - b));
  for (const [i, list] of parts.entries()) {
    expect(list.length, `replies to ${inbound[i]!.text}`).toBeGreaterThan(0);
    expect(list).toEqual(list.map((_, j) => j));
  }
  expect(parts.flat()).toHaveLength(outbound.length);

  // What the Graph API received, mapped back through the Idempotency-Key (= outbound id).
  const received = sendsTo(provider, waId);
  const byId = new Map(outbound.map((m) => [m.id, m]));
  const receivedOrder = received.map((r) => {
    const message = byId.get(idempotencyKeyOf(r));
    expect(message, `a send with an unknown Idempotency-Key ${idempotencyKeyOf(r)}`).toBeDefined();
    return { ...answerOf(message!.idempotencyKey), id: message!.id };
  });
  // Each reply reached the provider exactly once, and its provider id was recorded.
  expect(receivedOrder.map((r) => r.id).sort()).toEqual(outbound.map((m) => m.id).sort());
  expect(outbound.every((m) => m.status === 'sent' && m.providerMessageId?.startsWith('wamid.standin'))).toBe(true);
  expect(new Set(outbound.map((m) => m.providerMessageId)).size).toBe(outbound.length);
  // Arrival order at the provider = inbound seq order, then part order.
  const sorted = [...receivedOrder].sort((a, b) => a.inbound - b.inbound || a.part - b.part);
  expect(receivedOrder).toEqual(sorted);
  return received;
}

describe('per-conversation ordering', () => {
  // Generous timeouts: 21 conversations' turns and sends on a shared 2-core machine.
  it('answers 15 simultaneous messages from one customer once each, in seq order, while 5 others chat', { timeout: 60_000 }, async () => {
    const main = randomPhone();
    const others = Array.from({ length: 5 }, () => randomPhone());
    await Promise.all([burst([h1], main, 15, 'ord1'), ...others.map((waId) => burst([h1], waId, 3, 'ord1'))]);

    await settle(h1, h1.provider, main, 15);
    for (const waId of others) await settle(h1, h1.provider, waId, 3);
    await sleep(500); // a duplicate send would arrive in this window

    await expectAnsweredInOrder(h1, h1.provider, main, texts(15));
    for (const waId of others) await expectAnsweredInOrder(h1, h1.provider, waId, texts(3));
  });

  describe('with a second process', () => {
    beforeAll(async () => {
      // A second Baton (API + workers) on the same database and queue prefix, sending to
      // the same stand-in Graph API with its own access token so we can tell who sent what.
      h2 = await startHarness({
        env: { ...llm.env, DATABASE_URL: scratch.url, QUEUE_PREFIX: h1.rt.config.queuePrefix, WHATSAPP_API_BASE: h1.provider.url, WHATSAPP_ACCESS_TOKEN: SECOND_PROCESS_TOKEN },
      });
    }, STARTUP_TIMEOUT);

    it('keeps that order when a second process runs workers on the same queues', { timeout: 90_000 }, async () => {
      const second = h2!;
      const senders = new Set<string>();
      // Which process's workers take which turns is up to the queue: a round where one of
      // them took every turn proves nothing about the other, so the bursts go on (new
      // customers, order checked every time) until both have delivered, at most 4 rounds.
      for (let round = 0; round < 4 && senders.size < 2; round++) {
        const main = randomPhone();
        const others = Array.from({ length: 5 }, () => randomPhone());
        // Webhooks land on both API instances too.
        await Promise.all([burst([h1, second], main, 15, `ord2-${round}`), ...others.map((waId) => burst([second, h1], waId, 3, `ord2-${round}`))]);

        await settle(h1, h1.provider, main, 15);
        for (const waId of others) await settle(h1, h1.provider, waId, 3);
        await sleep(500);

        for (const waId of [main, ...others]) {
          const received = await expectAnsweredInOrder(h1, h1.provider, waId, waId === main ? texts(15) : texts(3));
          for (const r of received) senders.add(String(r.headers.authorization));
        }
      }
      // Both processes really delivered some of the replies.
      expect(senders).toEqual(new Set([`Bearer ${h1.rt.config.whatsapp.accessToken}`, `Bearer ${SECOND_PROCESS_TOKEN}`]));
    });
  });
});
