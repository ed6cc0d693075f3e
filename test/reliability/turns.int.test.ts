// Issue #15, answering customers: a message that fails every time while the database is
// up is given up on after a bounded number of tries (a person is alerted, the
// conversation goes on), a burst on one conversation does not hold worker slots waiting
// for its lock, a customer message during a person's "release to bot" is answered, a
// handoff left pending by a crash is recovered by the sweep, and escalation timers are
// committed with the handoff (outbox) instead of being added to Redis on the side.
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { MAX_TURN_ATTEMPTS, runBotTurn, TURN_FAILED } from '../../src/turn/runBotTurn.ts';
import { LockBusy } from '../../src/db/locks.ts';
import { boundedSet } from '../../src/shared/boundedCache.ts';
import { claimConversation } from '../../src/escalation/claimConversation.ts';
import { releaseConversation } from '../../src/escalation/handOn.ts';
import { sweepStuckHandoffs } from '../../src/handoff/protocol.ts';
import type { Actor } from '../../src/agents/authenticate.ts';
import { randomPhone } from '../support/harness.ts';
import { createAgent } from '../escalation/helpers.ts';
import { customerWrites, stubClassifier, switchableDb, turnDeps, useHarness } from './support.ts';

const h = useHarness('turns');

const unknownPrismaError = () => new Prisma.PrismaClientUnknownRequestError('something Prisma cannot name', { clientVersion: 'test' });

async function agentActor(): Promise<Actor> {
  const agent = await createAgent(h, { languages: ['en'] });
  return { kind: 'agent', id: agent.id, role: 'agent', name: agent.name, languages: ['en'], skills: [] };
}

async function holdBy(conversationId: string, agentId: string) {
  await h.rt.db.conversation.update({ where: { id: conversationId }, data: { status: 'agent', ownerType: 'agent', ownerId: agentId, claimedAt: new Date() } });
}

describe('a message that fails every time', () => {
  it(`is tried ${MAX_TURN_ATTEMPTS} times, then marked failed, the conversation escalated, and the next message is handled`, async () => {
    const poison = await customerWrites(h, randomPhone(), 'poison pill');
    const deps = turnDeps(
      h,
      stubClassifier(async (text) => {
        if (text.includes('poison')) throw unknownPrismaError();
        return { intent: 'greeting', confidence: 0.99, alternatives: [], source: 'rule' };
      }),
    );
    for (let i = 1; i < MAX_TURN_ATTEMPTS; i++) await expect(runBotTurn(deps, poison.conversationId)).rejects.toThrow(/cannot name/);
    await runBotTurn(deps, poison.conversationId);
    const failed = await h.rt.db.message.findUniqueOrThrow({ where: { id: poison.id } });
    expect(failed.handledAt).not.toBeNull();
    expect(failed.errorCode).toBe(TURN_FAILED);
    const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: poison.conversationId } });
    expect(conversation.status).toBe('waiting');
    expect(conversation.escalationReason).toBe(TURN_FAILED);
    expect(await h.rt.db.handoffEvent.count({ where: { conversationId: poison.conversationId, reason: TURN_FAILED, status: 'accepted' } })).toBe(1);

    const next = await customerWrites(h, (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: poison.conversationId } })).externalId, 'are you there?');
    expect(next.conversationId).toBe(poison.conversationId);
    await runBotTurn(deps, poison.conversationId);
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: next.id } })).handledAt).not.toBeNull();
  });
});

describe('a message whose outcome cannot be written', () => {
  it(`is counted under the lock again (the unlock went with the write) and given up on after ${MAX_TURN_ATTEMPTS} tries`, async () => {
    const poison = await customerWrites(h, randomPhone(), 'hello');
    // The write of this message's replies fails while the database is up (its turn itself runs fine).
    await h.rt.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_poison_reply() RETURNS trigger AS $$
      BEGIN
        IF NEW."idempotencyKey" LIKE '${poison.id}:%' THEN RAISE EXCEPTION 'reply refused for the test'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await h.rt.db.$executeRawUnsafe('CREATE TRIGGER refuse_poison_reply BEFORE INSERT ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_poison_reply()');
    try {
      const deps = turnDeps(h, stubClassifier());
      for (let i = 1; i < MAX_TURN_ATTEMPTS; i++) await expect(runBotTurn(deps, poison.conversationId)).rejects.toThrow(/reply refused/);
      expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: poison.id } })).attempts).toBe(MAX_TURN_ATTEMPTS - 1);
      await runBotTurn(deps, poison.conversationId);
    } finally {
      await h.rt.db.$executeRawUnsafe('DROP TRIGGER refuse_poison_reply ON "Message"');
    }
    const failed = await h.rt.db.message.findUniqueOrThrow({ where: { id: poison.id } });
    expect(failed.handledAt).not.toBeNull();
    expect(failed.errorCode).toBe(TURN_FAILED);
    expect((await h.rt.db.conversation.findUniqueOrThrow({ where: { id: poison.conversationId } })).escalationReason).toBe(TURN_FAILED);
  });
});

describe('several messages answered in one turn', () => {
  it('each is answered from the conversation as the one before it left it: context, recent messages, owner', async () => {
    const waId = randomPhone();
    const first = await customerWrites(h, waId, 'is anyone there');
    const before = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    await customerWrites(h, waId, 'is anyone there');
    await customerWrites(h, waId, 'is anyone there');
    const fourth = await customerWrites(h, waId, 'hello');
    expect(await runBotTurn(turnDeps(h, stubClassifier()), first.conversationId)).toBe(4);
    // The third asks the same as the two before it (read as recent messages after theirs):
    // a person is asked for, and the fourth, the conversation now waiting, gets no bot reply.
    const after = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    expect(after.status).toBe('waiting');
    expect(after.escalationReason).toBe('frustration');
    // Each of the three bot turns counted on the context the previous one wrote.
    expect((after.context as { turn?: number }).turn).toBe(((before.context as { turn?: number }).turn ?? 0) + 3);
    const lastReplies = await h.rt.db.message.count({ where: { conversationId: first.conversationId, direction: 'outbound', idempotencyKey: { startsWith: `${fourth.id}:` } } });
    expect(lastReplies).toBe(0);
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: fourth.id } })).handledAt).not.toBeNull();
  });
});

describe("a message's own turn job, after another turn answered it", () => {
  it('is spared when this process answered it: no lock, no read; a message it did not answer still runs', async () => {
    const waId = randomPhone();
    const first = await customerWrites(h, waId, 'hello');
    const second = await customerWrites(h, waId, 'thanks');
    const deps = { ...turnDeps(h, stubClassifier()), answered: boundedSet(100) };
    expect(await runBotTurn(deps, first.conversationId, first.id)).toBe(2);
    // The lock is where every turn starts: one that touches it fails here.
    const untouchable = { ...deps, locks: { withLock: () => Promise.reject(new Error('took the lock')) } as unknown as typeof deps.locks };
    expect(await runBotTurn(untouchable, second.conversationId, second.id)).toBe(0);
    const third = await customerWrites(h, waId, 'hello again');
    await expect(runBotTurn(untouchable, third.conversationId, third.id)).rejects.toThrow('took the lock');
  });
});

describe('the conversation lock', () => {
  it('is tried, not waited for: a second turn on a busy conversation gets LockBusy at once', async () => {
    const message = await customerWrites(h, randomPhone(), 'hello');
    let release!: () => void;
    const held = h.rt.locks.withLock('conversation', message.conversationId, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const outcome = await Promise.race([
      runBotTurn(turnDeps(h, stubClassifier()), message.conversationId).then(
        () => 'ran',
        (err: unknown) => (err instanceof LockBusy ? 'busy' : `error ${String(err)}`),
      ),
      new Promise((r) => setTimeout(() => r('blocked'), 3000)),
    ]);
    release();
    await held;
    expect(outcome).toBe('busy');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('a person hands a conversation back to a bot while the customer writes', () => {
  it('answers the customer: the turn waits for the release instead of rolling it back', async () => {
    const actor = await agentActor();
    const waId = randomPhone();
    const first = await customerWrites(h, waId, 'hello');
    await holdBy(first.conversationId, actor.id);
    await h.rt.db.message.update({ where: { id: first.id }, data: { handledAt: new Date() } });
    const during = await customerWrites(h, waId, 'one more thing');
    const turns = turnDeps(h, stubClassifier());
    const attempts: string[] = [];
    // Right after the release's pause is committed, the customer's turn runs.
    let paused = false;
    const { db } = switchableDb(h.rt.db, {
      afterRaw: async (sql) => {
        if (paused || !sql.includes(`SET "ownerType" = 'handoff_pending'`)) return;
        paused = true;
        await runBotTurn(turns, first.conversationId).then(
          () => attempts.push('ran'),
          (err: unknown) => attempts.push(err instanceof LockBusy ? 'busy' : String(err)),
        );
      },
    });
    const outcome = await releaseConversation({ ...h.rt.escalation, db }, actor, first.conversationId, { to: 'bot' });
    expect(outcome.status).toBe('accepted');
    expect(attempts).toEqual(['busy']);
    // The job comes back a moment later and the bot answers.
    await runBotTurn(turns, first.conversationId);
    const answered = await h.rt.db.message.findUniqueOrThrow({ where: { id: during.id } });
    expect(answered.handledAt).not.toBeNull();
    expect(await h.rt.db.message.count({ where: { idempotencyKey: { startsWith: `${during.id}:` } } })).toBeGreaterThan(0);
    const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    expect(conversation.ownerType).toBe('bot');
  });
});

describe('a handoff left pending by a crash', () => {
  it('is rolled back by the sweep once it is older than the threshold, without the customer writing', async () => {
    const message = await customerWrites(h, randomPhone(), 'hello');
    const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: message.conversationId } });
    await h.rt.db.conversation.update({ where: { id: conversation.id }, data: { ownerType: 'handoff_pending' } });
    const handoff = await h.rt.db.handoffEvent.create({
      data: {
        id: crypto.randomUUID(),
        conversationId: conversation.id,
        fromType: 'bot',
        fromId: conversation.ownerId!,
        toType: 'bot',
        toId: 'orders',
        pattern: 'delegation',
        reason: 'test',
        status: 'pending',
        steps: [],
        envelope: {},
        packVersion: 'test',
      },
    });
    // Young: possibly still running somewhere; left alone.
    expect(await sweepStuckHandoffs(h.rt, 60_000)).toBe(0);
    await h.rt.db.$executeRaw`UPDATE "HandoffEvent" SET "updatedAt" = now() - interval '2 minutes' WHERE id = ${handoff.id}::uuid`;
    expect(await sweepStuckHandoffs(h.rt, 60_000)).toBe(1);
    const after = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(after.ownerType).toBe('bot');
    expect(after.ownerId).toBe(conversation.ownerId);
    expect((await h.rt.db.handoffEvent.findUniqueOrThrow({ where: { id: handoff.id } })).status).toBe('rolled_back');
  });
});

describe('escalation work survives Redis being away', () => {
  const redisDown = { dispatch: async () => {}, sweep: async () => 0 };

  it('release to the queue commits the routing job with the handoff', async () => {
    const actor = await agentActor();
    const message = await customerWrites(h, randomPhone(), 'hello');
    await holdBy(message.conversationId, actor.id);
    const outcome = await releaseConversation({ ...h.rt.escalation, dispatcher: redisDown as never }, actor, message.conversationId, { to: 'queue' });
    expect(await h.rt.db.outbox.count({ where: { kind: 'escalate', messageId: outcome.handoffId } })).toBe(1);
  });

  it("a claim commits the agent's reply timer, which the outbox sweep then starts", async () => {
    const actor = await agentActor();
    const message = await customerWrites(h, randomPhone(), 'hello');
    await h.rt.db.conversation.update({ where: { id: message.conversationId }, data: { status: 'waiting', ownerType: 'queue', ownerId: null, waitingSince: new Date() } });
    await claimConversation({ ...h.rt.escalation, dispatcher: redisDown as never }, actor, message.conversationId);
    const row = await h.rt.db.outbox.findFirstOrThrow({ where: { kind: 'sla-reply', conversationId: message.conversationId } });
    await h.rt.db.$executeRaw`UPDATE "Outbox" SET "dueAt" = now() - interval '1 minute' WHERE id = ${row.id}`;
    await h.rt.dispatcher.sweep(1000);
    const timers = await h.rt.producer.queues.escalation.getDelayed();
    expect(timers.some((j) => j.data.kind === 'sla-reply' && j.data.conversationId === message.conversationId)).toBe(true);
  });
});
