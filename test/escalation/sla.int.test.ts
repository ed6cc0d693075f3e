// SLA timers are delayed jobs in Redis: they fire after the workers that set them are
// gone, raise an unclaimed conversation's priority and alert supervisors, and take a
// conversation back from an agent who claimed it and never replied.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priorityOf } from '../../src/escalation/priority.ts';
import { escalationJobId } from '../../src/queues/jobs.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { createAgent, customer, escalationJobResult, inbox, ledger, listen, openAgentStream, placedInQueue, type Listening } from './helpers.ts';

describe('the unclaimed timer', () => {
  const prefix = `{test-sla-${randomUUID().slice(0, 8)}}`;
  const opened: Array<{ h: Harness; site: Listening }> = [];
  afterAll(async () => {
    for (const { h, site } of opened.reverse()) {
      await site.close();
      await h.close().catch(() => {});
    }
  });

  it('survives a worker restart, raises the priority and alerts supervisors', async () => {
    // The first process sets the timer. Its delay is 3 s (not 1) only so that closing it
    // happens before the timer is due even on a busy machine.
    const first = await startHarness({ env: { QUEUE_PREFIX: prefix, SLA_UNCLAIMED_SECONDS: '3', SLA_REPLY_SECONDS: '2' } });
    const firstSite = await listen(first.app);
    const c = customer(first, firstSite.url);
    const r = await c.say('I want to talk to a human');
    const id = r.conversation.id;
    const basePriority = await placedInQueue(first, id);
    expect(basePriority).toBe(priorityOf('customer_request', 0));
    const waiting = await first.rt.db.conversation.findUniqueOrThrow({ where: { id } });
    const timerId = escalationJobId({ kind: 'sla-unclaimed', conversationId: id, waitingSince: waiting.waitingSince!.toISOString(), level: 1 });
    await eventually(async () => (await first.rt.producer.queues.escalation.getJob(timerId).catch(() => undefined)) ?? undefined, 5_000, 'the unclaimed timer in Redis');
    await firstSite.close();
    await first.close();

    // A new process on the same queues; no worker runs until its streams are open.
    const second = await startHarness({ workers: false, env: { QUEUE_PREFIX: prefix, SLA_UNCLAIMED_SECONDS: '1', SLA_REPLY_SECONDS: '2' } });
    const site = await listen(second.app);
    opened.push({ h: second, site });
    const state = await eventually(
      async () => {
        try {
          const job = await second.rt.producer.queues.escalation.getJob(timerId);
          return job ? await job.getState() : 'missing';
        } catch {
          return undefined;
        }
      },
      10_000,
      'the timer state',
    );
    expect(['delayed', 'waiting']).toContain(state);
    expect((await second.rt.db.conversation.findUniqueOrThrow({ where: { id } })).priority).toBe(basePriority);

    const supervisor = await createAgent(second, { role: 'supervisor' });
    const agent = await createAgent(second, { languages: ['en'] });
    const supervisorStream = await openAgentStream(second.rt, site.url, supervisor.token, ['supervisors', 'agents']);
    const agentStream = await openAgentStream(second.rt, site.url, agent.token, ['agents']);
    try {
      await second.rt.startWorkers();
      const alert = await supervisorStream.next((e) => e.event === 'sla' && e.data.conversationId === id && e.data.level === 1);
      expect(Date.now() - waiting.waitingSince!.getTime()).toBeGreaterThanOrEqual(3000);
      expect(alert.data).toMatchObject({ slaReason: 'unclaimed', reason: 'customer_request', locale: 'en', priority: priorityOf('customer_request', 0, 1) });

      const now = await second.rt.db.conversation.findUniqueOrThrow({ where: { id } });
      expect(now.status).toBe('waiting');
      expect(now.priority).toBeGreaterThan(basePriority);
      const item = (await inbox(second, agent.auth)).find((i) => i.conversationId === id);
      expect(item!.priority).toBeGreaterThan(basePriority);

      // Agents are reminded it still waits; only supervisors get the SLA alert.
      await agentStream.next((e) => e.event === 'waiting' && e.data.conversationId === id);
      expect(agentStream.events.some((e) => e.event === 'sla')).toBe(false);

    } finally {
      supervisorStream.close();
      agentStream.close();
    }
    // Two Baton processes start (and train their classifiers) in this test, not in a hook.
  }, 120_000);
});

describe('the reply timer', () => {
  let h: Harness;
  let site: Listening;
  beforeAll(async () => {
    // 3 s leaves a busy machine time for the prompt agent's reply; still a short test.
    h = await startHarness({ env: { SLA_UNCLAIMED_SECONDS: '1', SLA_REPLY_SECONDS: '3' } });
    site = await listen(h.app);
  }, 120_000);
  afterAll(async () => {
    await site?.close();
    await h?.close();
  });

  async function claimedBy(agent: { auth: { authorization: string } }) {
    const r = await customer(h, site.url).say('I want to talk to a human');
    expect(r.conversation.status).toBe('waiting');
    const claim = await h.http.post(`/api/conversations/${r.conversation.id}/claim`).set(agent.auth);
    expect(claim.status).toBe(200);
    const row = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: r.conversation.id } });
    return { id: row.id, claimedAt: row.claimedAt! };
  }

  const timerOutcome = (id: string, agentId: string, claimedAt: Date) =>
    escalationJobResult(h.rt, escalationJobId({ kind: 'sla-reply', conversationId: id, agentId, claimedAt: claimedAt.toISOString() }));

  it('takes the conversation back from an agent who never replied, and not from one who did', async () => {
    const silent = await createAgent(h, { name: 'Silent Sam' });
    const prompt = await createAgent(h, { name: 'Prompt Pooja' });
    const colleague = await createAgent(h);
    const silentStream = await openAgentStream(h.rt, site.url, silent.token, [`agent:${silent.id}`]);
    try {
      const [ignored, answered] = await Promise.all([
        claimedBy(silent),
        claimedBy(prompt).then(async (claimed) => {
          const reply = await h.http.post(`/api/conversations/${claimed.id}/messages`).set(prompt.auth).send({ text: 'Hello, Pooja here.' });
          expect(reply.status).toBe(201);
          return claimed;
        }),
      ]);
      const repliedAt = (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: answered.id } })).lastAgentReplyAt!;
      expect(repliedAt.getTime() - answered.claimedAt.getTime(), 'the reply came within the SLA').toBeLessThan(3000);

      // Never replied: back in the queue after the reply SLA, and the agent lost it.
      expect(await timerOutcome(ignored.id, silent.id, ignored.claimedAt)).toBe('back to the queue');
      const after = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: ignored.id } });
      expect(after).toMatchObject({ status: 'waiting', ownerType: 'queue', ownerId: null });
      const row = (await ledger(h, ignored.id)).at(-1)!;
      expect(row).toMatchObject({ from: `agent:${silent.id}`, to: 'queue:human', reason: 'sla_no_reply', status: 'accepted' });
      expect(Date.parse(row.createdAt) - ignored.claimedAt.getTime()).toBeGreaterThanOrEqual(3000);
      const released = await silentStream.next((e) => e.event === 'released' && e.data.conversationId === ignored.id);
      expect(released.data.reason).toBe('sla_no_reply');
      const late = await h.http.post(`/api/conversations/${ignored.id}/messages`).set(silent.auth).send({ text: 'sorry, here now' });
      expect(late.status).toBe(403);
      await eventually(async () => (await inbox(h, colleague.auth)).some((i) => i.conversationId === ignored.id), 10_000, 'the conversation back in the inbox');

      // Replied in time: the timer fired and left it alone.
      expect(await timerOutcome(answered.id, prompt.id, answered.claimedAt)).toBe('agent replied');
      const kept = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: answered.id } });
      expect(kept).toMatchObject({ status: 'agent', ownerType: 'agent', ownerId: prompt.id });
      expect((await ledger(h, answered.id)).some((x) => x.reason === 'sla_no_reply')).toBe(false);
    } finally {
      silentStream.close();
    }
  });
});
