// Sending replies when the Graph API misbehaves: transient failures are retried with the
// same Idempotency-Key until one send is accepted, Retry-After is honoured, a refusal
// fails only that reply, and a reply that exhausts its attempts is dead-lettered without
// holding back the replies after it. The classifier stand-in reads "hello…" as a
// greeting (a first greeting gets two replies: greeting and menu) and anything else as
// "thanks" (exactly one reply). The harness runs on a database of its own, so no other
// harness's outbox sweeper can take its work (and send it to another stand-in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { startStandInLlm, type StandInLlm } from '../support/standInLlm.ts';
import { idempotencyKeyOf, postWhatsAppText, sendsTo, sleep, WHATSAPP_SEND_PATH } from '../support/whatsappFlow.ts';

let llm: StandInLlm;
let scratch: ScratchDatabase;
/** Gives up on a reply after 3 tries (the default is 8). */
let h: Harness;
beforeAll(async () => {
  llm = await startStandInLlm((text) => ({ intent: text.startsWith('hello') ? 'greeting' : 'thanks', confidence: 0.99 }));
  scratch = await createScratchDatabase('retry');
  h = await startHarness({ env: { ...llm.env, DATABASE_URL: scratch.url, OUTBOUND_ATTEMPTS: '3' } });
}, 120_000); // starting workers trains the built-in classifier: slow on a busy machine
afterAll(async () => {
  await h?.close();
  await scratch?.drop();
  await llm?.close();
});

let counter = 0;
/** The customer writes; returns Baton's (single) reply to it once it is stored. */
async function customerSays(harness: Harness, waId: string, text: string) {
  const id = `wamid.retry-${waId}-${++counter}`;
  const res = await postWhatsAppText(harness, { from: waId, id, text });
  expect(res.status).toBe(200);
  const inbound = await harness.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: id } } });
  return eventually(
    () => harness.rt.db.message.findUnique({ where: { idempotencyKey: `${inbound.id}:0` } }).then((m) => m ?? undefined),
    10_000,
    `the reply to "${text}"`,
  );
}

const settledStatus = (harness: Harness, messageId: string, status: 'sent' | 'failed') =>
  eventually(
    () => harness.rt.db.message.findUniqueOrThrow({ where: { id: messageId } }).then((m) => (m.status === status ? m : undefined)),
    15_000,
    `message ${messageId} to become ${status}`,
  );

const sendsOf = (harness: Harness, waId: string, messageId: string) => sendsTo(harness.provider, waId).filter((r) => idempotencyKeyOf(r) === messageId);

describe('outbound delivery under provider failures', () => {
  it('retries two 500s with the same Idempotency-Key and sends the reply once', async () => {
    const waId = randomPhone();
    h.provider.failNext(WHATSAPP_SEND_PATH, { status: 500 }, { status: 500 });
    const reply = await customerSays(h, waId, 'good day');
    const sent = await settledStatus(h, reply.id, 'sent');
    await sleep(400); // a fourth request would come in this window

    const requests = sendsTo(h.provider, waId);
    expect(requests).toHaveLength(3);
    expect(requests.map(idempotencyKeyOf)).toEqual([reply.id, reply.id, reply.id]);
    // The same request each time; the third was accepted and its provider id recorded.
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(sent.attempts).toBe(3);
    expect(sent.providerMessageId).toMatch(/^wamid\.standin/);
    expect(sent.errorCode).toBeNull();
    // Backoff: the tries are spread out, not fired back to back.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(80);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(80);
  });

  it('waits as long as a 429 Retry-After says before trying again', async () => {
    const waId = randomPhone();
    h.provider.failNext(WHATSAPP_SEND_PATH, {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: '(#130429) Rate limit hit', code: 130429 } },
    });
    const reply = await customerSays(h, waId, 'where is my order');
    await settledStatus(h, reply.id, 'sent');

    const requests = sendsOf(h, waId, reply.id);
    expect(requests).toHaveLength(2);
    // Retry-After: 1 → at least a second later (the default backoff here is 100 ms).
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('holds the whole conversation for a Retry-After: the next reply does not re-send the first early', async () => {
    const waId = randomPhone();
    h.provider.failNext(WHATSAPP_SEND_PATH, { status: 429, headers: { 'retry-after': '1' } });
    // Two replies, two send jobs: the second job must not retry the first reply early.
    const greeting = await customerSays(h, waId, 'hello');
    const menu = await eventually(() => h.rt.db.message.findUnique({ where: { idempotencyKey: greeting.idempotencyKey!.replace(/:0$/, ':1') } }).then((m) => m ?? undefined));
    await settledStatus(h, menu.id, 'sent');
    await sleep(300);

    const requests = sendsTo(h.provider, waId);
    expect(requests.map(idempotencyKeyOf)).toEqual([greeting.id, greeting.id, menu.id]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: greeting.id } })).status).toBe('sent');
  });

  it('marks a reply the provider refuses (400) as failed and still delivers the next one', async () => {
    const waId = randomPhone();
    h.provider.failNext(WHATSAPP_SEND_PATH, {
      status: 400,
      body: { error: { message: '(#100) Invalid parameter', code: 100 } },
    });
    const refused = await customerSays(h, waId, 'first question');
    const failed = await settledStatus(h, refused.id, 'failed');
    expect(failed.errorCode).toBe('100');
    expect(failed.providerMessageId).toBeNull();

    const next = await customerSays(h, waId, 'second question');
    const sent = await settledStatus(h, next.id, 'sent');
    expect(sent.providerMessageId).toMatch(/^wamid\.standin/);
    await sleep(300);
    // A 400 is not retried: one request for the refused reply, one for the next.
    expect(sendsTo(h.provider, waId).map(idempotencyKeyOf)).toEqual([refused.id, next.id]);
  });

  it('dead-letters a reply that exhausts its attempts; later replies still go out', async () => {
    const waId = randomPhone();
    h.provider.failNext(WHATSAPP_SEND_PATH, { status: 500 }, { status: 503 }, { status: 500 });
    const doomed = await customerSays(h, waId, 'are you there');
    const failed = await settledStatus(h, doomed.id, 'failed');
    expect(sendsOf(h, waId, doomed.id)).toHaveLength(3);
    expect(failed.attempts).toBe(3);

    const dead = await eventually(
      () => h.rt.db.deadLetter.findFirst({ where: { messageId: doomed.id } }).then((d) => d ?? undefined),
      5_000,
      'a dead letter for the failed reply',
    );
    expect(dead).toMatchObject({ queue: 'outbound', jobName: 'send', jobId: `send-${doomed.id}`, attempts: 3, retriedAt: null });
    expect(dead.data).toEqual({ conversationId: doomed.conversationId, messageId: doomed.id });
    expect(dead.error).toMatch(/500/);

    // The conversation is not stuck behind the dead reply.
    const later = await customerSays(h, waId, 'me again');
    await settledStatus(h, later.id, 'sent');
    await sleep(300);
    expect(sendsTo(h.provider, waId).map(idempotencyKeyOf)).toEqual([doomed.id, doomed.id, doomed.id, later.id]);
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: doomed.id } })).status).toBe('failed');
  });
});
