// The handoff protocol against real PostgreSQL: every transfer is one ledger row with
// its steps, the conversation always has an owner, and a failed transfer gives the
// customer back to the bot that had them (or, after two failures, to a person).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bots/bot.ts';
import { withBots } from '../../src/packs/loadPack.ts';
import type { BotRegistry } from '../../src/packs/registry.ts';
import { loadDemoPack } from '../support/packs.ts';
import { ConversationContext, parseContext, type ConversationContext as Context, type SlotValue } from '../../src/handoff/context.ts';
import { asJson } from '../../src/db/json.ts';
import type { HandoffEnvelopeV1 } from '../../src/handoff/envelope.ts';
import { performHandoff, recoverStuckHandoffs, type HandoffDeps, type HandoffRequest } from '../../src/handoff/protocol.ts';
import { translator } from '../../src/i18n/i18n.ts';
import { eventually, randomPhone, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: false });
});
afterAll(async () => {
  await h.close();
});

type Ack = NonNullable<Bot['acknowledge']>;
type Steps = Array<{ step: string; at: string; detail?: string }>;

/** The default bots, with some targets' acknowledge step replaced. */
const demo = await loadDemoPack();
function registryWith(acks: Partial<Record<string, Ack>> = {}): BotRegistry {
  return withBots(demo, (b) => (acks[b.contract.id] ? { ...b, acknowledge: acks[b.contract.id] } : b)).bots;
}
const depsWith = (bots: BotRegistry = registryWith()): HandoffDeps => ({ db: h.rt.db, bots, log: h.rt.log, packVersion: demo.version });

const slot = (value: string, pii = false): SlotValue => ({ value, pii, source: 'customer', at: new Date().toISOString() });
const ctx = (over: Partial<Context> = {}): Context => ConversationContext.parse({ lineage: ['bot:triage'], turn: 1, ...over });

/** A contact and its open WhatsApp conversation, owned by `owner`, created directly in PostgreSQL. */
async function newConversation(opts: { owner?: string; context?: Context; memory?: Record<string, SlotValue> } = {}) {
  const phone = `+${randomPhone()}`;
  const contact = await h.rt.db.contact.create({ data: { phone, name: 'Asha', memory: asJson({ slots: opts.memory ?? {} }) } });
  return h.rt.db.conversation.create({
    data: {
      contactId: contact.id,
      channel: 'whatsapp',
      externalId: phone.slice(1),
      openKey: `${contact.id}:whatsapp`,
      locale: 'en',
      context: asJson(opts.context ?? ctx()),
      ownerType: 'bot',
      ownerId: opts.owner ?? 'triage',
    },
  });
}

function request(conversationId: string, over: Partial<HandoffRequest> = {}): HandoffRequest {
  return {
    handoffId: randomUUID(),
    conversationId,
    from: { type: 'bot', id: 'triage' },
    to: { type: 'bot', id: 'orders' },
    pattern: 'orchestrator',
    reason: 'routed',
    confidence: 0.93,
    context: ctx({ slots: { orderId: slot('ORD-1001') } }),
    topic: 'order',
    handoffsThisTurn: 0,
    t: translator('en'),
    ...over,
  };
}

const conversation = (id: string) => h.rt.db.conversation.findUniqueOrThrow({ where: { id } });
const ledger = (conversationId: string) => h.rt.db.handoffEvent.findMany({ where: { conversationId }, orderBy: { createdAt: 'asc' } });
const stepNames = (steps: unknown) => (steps as Steps).map((s) => s.step);

describe('performHandoff: a successful transfer', () => {
  it('records pause, transmit, validate, acknowledge, release in order, and moves the conversation to the target', async () => {
    const conv = await newConversation();
    await h.rt.db.message.create({
      data: { conversationId: conv.id, direction: 'inbound', authorType: 'contact', channel: 'whatsapp', text: 'where is ORD-1001? mail me at asha.k@example.com', status: 'received' },
    });
    const seen: Array<Parameters<Ack>[0]['slots']> = [];
    const deps = depsWith(registryWith({ orders: async (envelope) => void seen.push(envelope.slots) }));
    const context = ctx({ slots: { orderId: slot('ORD-1001'), email: slot('asha.k@example.com', true) }, intent: 'order.status' });

    const outcome = await performHandoff(deps, request(conv.id, { context }));

    expect(outcome).toMatchObject({ status: 'accepted', owner: { type: 'bot', id: 'orders' }, replayed: false });
    expect(outcome.escalated).toBeUndefined();
    // The target was given everything, unredacted, to work with.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.orderId?.value).toBe('ORD-1001');
    expect(seen[0]!.email?.value).toBe('asha.k@example.com');

    const rows = await ledger(conv.id);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      id: outcome.handoffId,
      fromType: 'bot',
      fromId: 'triage',
      toType: 'bot',
      toId: 'orders',
      pattern: 'orchestrator',
      reason: 'routed',
      confidence: 0.93,
      status: 'accepted',
      error: null,
    });
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    expect(stepNames(row.steps)).toEqual(['pause', 'transmit', 'validate', 'acknowledge', 'release']);
    const times = (row.steps as Steps).map((s) => Date.parse(s.at));
    expect(times.every((t, i) => !Number.isNaN(t) && (i === 0 || t >= times[i - 1]!))).toBe(true);

    // The ledger's copy of the envelope has personal data redacted, and nothing else.
    const stored = row.envelope as HandoffEnvelopeV1;
    expect(stored.slots.email?.value).toBe('[redacted:email]');
    expect(stored.slots.orderId?.value).toBe('ORD-1001');
    expect(JSON.stringify(stored)).not.toContain('asha.k@example.com');
    expect(stored.transcript.at(-1)?.text).toContain('ORD-1001');
    expect(stored).toMatchObject({ version: 'v1', handoffId: outcome.handoffId, conversationId: conv.id, contactId: conv.contactId, lineage: ['bot:triage'], hopCount: 0 });

    // The conversation belongs to orders now, and still knows everything (unredacted).
    const after = await conversation(conv.id);
    expect(after).toMatchObject({ status: 'bot', ownerType: 'bot', ownerId: 'orders', hopCount: 1 });
    const stored2 = parseContext(after.context);
    expect(stored2.slots.email?.value).toBe('asha.k@example.com');
    expect(stored2.slots.orderId?.value).toBe('ORD-1001');
    expect(stored2.lineage).toEqual(['bot:triage', 'bot:orders']);
    expect(stored2.hops).toEqual([{ from: 'triage', to: 'orders', turn: 1, topic: 'order', pattern: 'orchestrator' }]);
  });

  it('while the target has not acknowledged, the conversation is handoff_pending; then it belongs to the target', async () => {
    const conv = await newConversation();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    const deps = depsWith(registryWith({ orders: async () => { asked++; await gate; } }));

    const running = performHandoff(deps, request(conv.id));
    await eventually(async () => asked === 1, 10_000, 'the target to be asked to acknowledge');

    const paused = await conversation(conv.id);
    expect(paused.ownerType).toBe('handoff_pending');
    const pending = await ledger(conv.id);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.status).toBe('pending');
    expect(stepNames(pending[0]!.steps)).toEqual(['pause']);

    release();
    const outcome = await running;
    expect(outcome.status).toBe('accepted');
    const after = await conversation(conv.id);
    expect(after).toMatchObject({ ownerType: 'bot', ownerId: 'orders' });
  });

  it('a replayed handoff id changes nothing and says it was replayed', async () => {
    const conv = await newConversation();
    let acks = 0;
    const deps = depsWith(registryWith({ orders: async () => void acks++ }));
    const req = request(conv.id);
    const first = await performHandoff(deps, req);
    expect(first.status).toBe('accepted');
    const rowBefore = (await ledger(conv.id))[0]!;
    const convBefore = await conversation(conv.id);

    const again = await performHandoff(deps, req);

    expect(again).toMatchObject({ handoffId: req.handoffId, status: 'accepted', replayed: true, owner: { type: 'bot', id: 'orders' } });
    expect(acks).toBe(1);
    const rows = await ledger(conv.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.steps).toEqual(rowBefore.steps);
    expect(rows[0]!.updatedAt).toEqual(rowBefore.updatedAt);
    const convAfter = await conversation(conv.id);
    expect(convAfter).toMatchObject({ ownerType: 'bot', ownerId: 'orders', hopCount: convBefore.hopCount });
    expect(parseContext(convAfter.context).lineage).toEqual(parseContext(convBefore.context).lineage);
  });
});

describe('performHandoff: context loss, repair and failure', () => {
  it('rejects a handoff whose envelope lacks a slot the target requires (context loss) and gives the conversation back', async () => {
    const conv = await newConversation();
    let acks = 0;
    const deps = depsWith(registryWith({ orders: async () => void acks++ }));

    const outcome = await performHandoff(deps, request(conv.id, { context: ctx() }));

    expect(outcome).toMatchObject({ status: 'rejected', incident: 'context_loss', owner: { type: 'bot', id: 'triage' }, replayed: false });
    expect(outcome.error).toMatch(/context loss/);
    expect(outcome.error).toContain('orderId');
    expect(outcome.context.fallbacks).toBe(1);
    expect(acks).toBe(0);
    const [row] = await ledger(conv.id);
    expect(row).toMatchObject({ status: 'rejected', toId: 'orders' });
    expect(row!.error).toMatch(/context loss/);
    expect(stepNames(row!.steps)).toEqual(['pause', 'transmit', 'reject', 'rollback']);
    const after = await conversation(conv.id);
    expect(after).toMatchObject({ status: 'bot', ownerType: 'bot', ownerId: 'triage', hopCount: 0 });
    expect(parseContext(after.context).fallbacks).toBe(1);
  });

  it('repairs a required slot the live context lost but the conversation has stored', async () => {
    const conv = await newConversation({ context: ctx({ slots: { orderId: slot('ORD-1002') } }) });
    const outcome = await performHandoff(depsWith(), request(conv.id, { context: ctx() }));

    expect(outcome.status).toBe('accepted');
    expect(outcome.context.slots.orderId?.value).toBe('ORD-1002');
    const [row] = await ledger(conv.id);
    expect(stepNames(row!.steps)).toEqual(['pause', 'transmit', 'repair', 'validate', 'acknowledge', 'release']);
    expect((row!.steps as Steps).find((s) => s.step === 'repair')?.detail).toBe('orderId');
    expect((row!.envelope as HandoffEnvelopeV1).slots.orderId?.value).toBe('ORD-1002');
    const after = await conversation(conv.id);
    expect(after.ownerId).toBe('orders');
    expect(parseContext(after.context).slots.orderId?.value).toBe('ORD-1002');
  });

  it('repairs a required slot from what the customer told Baton in an earlier conversation', async () => {
    const conv = await newConversation({ memory: { orderId: slot('ORD-1003') } });
    const outcome = await performHandoff(depsWith(), request(conv.id, { context: ctx() }));
    expect(outcome.status).toBe('accepted');
    expect(outcome.context.slots.orderId?.value).toBe('ORD-1003');
    expect(stepNames((await ledger(conv.id))[0]!.steps)).toContain('repair');
  });

  it('a target whose acknowledge throws: status failed, the source owns the conversation again', async () => {
    const conv = await newConversation();
    const deps = depsWith(registryWith({ orders: async () => { throw new Error('orders backend is down'); } }));

    const outcome = await performHandoff(deps, request(conv.id));

    expect(outcome).toMatchObject({ status: 'failed', owner: { type: 'bot', id: 'triage' } });
    expect(outcome.error).toContain('orders backend is down');
    const [row] = await ledger(conv.id);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.error).toContain('orders backend is down');
    expect(stepNames(row!.steps)).toEqual(['pause', 'transmit', 'validate', 'fail', 'rollback']);
    expect(await conversation(conv.id)).toMatchObject({ status: 'bot', ownerType: 'bot', ownerId: 'triage', hopCount: 0 });
  });

  it('after two refusals the conversation waits for a person, with an escalation on the ledger', async () => {
    const conv = await newConversation();
    const deps = depsWith(registryWith({ billing: async () => { throw new Error('billing refuses'); } }));
    const toBilling = (context: Context) => request(conv.id, { to: { type: 'bot', id: 'billing' }, topic: 'billing', context });

    const first = await performHandoff(deps, toBilling(ctx({ slots: { orderId: slot('ORD-1001') } })));
    expect(first).toMatchObject({ status: 'failed', owner: { type: 'bot', id: 'triage' } });
    expect(first.escalated).toBeUndefined();
    expect(first.context.fallbacks).toBe(1);
    expect((await conversation(conv.id)).status).toBe('bot');

    const second = await performHandoff(deps, toBilling(first.context));
    expect(second.status).toBe('failed');
    expect(second.owner).toEqual({ type: 'queue', id: 'human' });
    expect(second.escalated?.reason).toBe('fallbacks_exhausted');

    const after = await conversation(conv.id);
    expect(after).toMatchObject({ status: 'waiting', ownerType: 'queue', ownerId: null, escalationReason: 'fallbacks_exhausted' });
    expect(after.waitingSince).toBeInstanceOf(Date);
    const rows = await ledger(conv.id);
    expect(rows.map((r) => `${r.toType}:${r.toId}/${r.status}`)).toEqual(['bot:billing/failed', 'bot:billing/failed', 'queue:human/accepted']);
    expect(rows[2]).toMatchObject({ pattern: 'escalation', reason: 'fallbacks_exhausted', fromId: 'triage', id: second.escalated!.handoffId });
    expect(stepNames(rows[2]!.steps)).toEqual(['pause', 'transmit', 'validate', 'acknowledge', 'release']);
  });
});

describe('performHandoff: guards', () => {
  it('ping-pong: handing straight back on the same topic escalates with reason ping_pong', async () => {
    // billing handed "order" to orders last turn; orders now tries to hand it straight back.
    const context = ctx({ turn: 3, slots: { orderId: slot('ORD-1001') }, hops: [{ from: 'billing', to: 'orders', turn: 2, topic: 'order', pattern: 'peer' }] });
    const conv = await newConversation({ owner: 'orders', context });
    let acks = 0;
    const deps = depsWith(registryWith({ billing: async () => void acks++ }));

    const outcome = await performHandoff(deps, request(conv.id, { from: { type: 'bot', id: 'orders' }, to: { type: 'bot', id: 'billing' }, pattern: 'implicit', reason: 'out_of_scope', topic: 'order', context }));

    expect(outcome.status).toBe('rejected');
    expect(outcome.error).toContain('ping_pong');
    expect(outcome.escalated?.reason).toBe('ping_pong');
    expect(outcome.owner).toEqual({ type: 'queue', id: 'human' });
    // A guard is not a bot's failure: it does not use up a fallback.
    expect(outcome.context.fallbacks).toBe(0);
    expect(acks).toBe(0);
    const rows = await ledger(conv.id);
    expect(rows.map((r) => ({ to: `${r.toType}:${r.toId}`, status: r.status, pattern: r.pattern, reason: r.reason }))).toEqual([
      { to: 'bot:billing', status: 'rejected', pattern: 'implicit', reason: 'out_of_scope' },
      { to: 'queue:human', status: 'accepted', pattern: 'escalation', reason: 'ping_pong' },
    ]);
    expect(await conversation(conv.id)).toMatchObject({ status: 'waiting', ownerType: 'queue', escalationReason: 'ping_pong' });
  });

  it('hop limit: one topic passed around too often escalates with reason hop_limit', async () => {
    const hops = [
      { from: 'triage', to: 'orders', turn: 1, topic: 'order', pattern: 'orchestrator' },
      { from: 'orders', to: 'triage', turn: 4, topic: 'order', pattern: 'orchestrator' },
      { from: 'triage', to: 'orders', turn: 7, topic: 'order', pattern: 'orchestrator' },
      { from: 'orders', to: 'triage', turn: 10, topic: 'order', pattern: 'orchestrator' },
    ];
    const context = ctx({ turn: 14, slots: { orderId: slot('ORD-1001') }, hops });
    const conv = await newConversation({ context });

    const outcome = await performHandoff(depsWith(), request(conv.id, { context }));

    expect(outcome.status).toBe('rejected');
    expect(outcome.escalated?.reason).toBe('hop_limit');
    const rows = await ledger(conv.id);
    expect(rows.at(-1)).toMatchObject({ toType: 'queue', toId: 'human', pattern: 'escalation', reason: 'hop_limit', status: 'accepted' });
    expect(await conversation(conv.id)).toMatchObject({ status: 'waiting', escalationReason: 'hop_limit' });
  });

  it('a legitimate topic change back to the previous bot is accepted', async () => {
    const context = ctx({ turn: 3, slots: { orderId: slot('ORD-1001') }, hops: [{ from: 'billing', to: 'orders', turn: 2, topic: 'order', pattern: 'peer' }] });
    const conv = await newConversation({ owner: 'orders', context });
    const outcome = await performHandoff(depsWith(), request(conv.id, { from: { type: 'bot', id: 'orders' }, to: { type: 'bot', id: 'billing' }, pattern: 'implicit', reason: 'out_of_scope', topic: 'billing', context }));
    expect(outcome.status).toBe('accepted');
    expect((await conversation(conv.id)).ownerId).toBe('billing');
  });
});

describe('recoverStuckHandoffs: never left without an owner', () => {
  it('rolls back a handoff interrupted between pause and release, and a retry of it then completes', async () => {
    const conv = await newConversation();
    let asked = false;
    // The "crash": the target is asked to acknowledge and never answers; the call is abandoned.
    const hanging = depsWith(registryWith({ orders: () => { asked = true; return new Promise<void>(() => {}); } }));
    const req = request(conv.id);
    void performHandoff(hanging, req);
    await eventually(async () => asked, 10_000, 'the handoff to pause');
    expect((await conversation(conv.id)).ownerType).toBe('handoff_pending');

    expect(await recoverStuckHandoffs(h.rt.db, conv.id)).toBe(1);

    expect(await conversation(conv.id)).toMatchObject({ status: 'bot', ownerType: 'bot', ownerId: 'triage' });
    const [row] = await ledger(conv.id);
    expect(row).toMatchObject({ id: req.handoffId, status: 'rolled_back', error: 'interrupted' });
    expect(stepNames(row!.steps)).toEqual(['pause', 'recovered']);
    // Nothing left to recover.
    expect(await recoverStuckHandoffs(h.rt.db, conv.id)).toBe(0);

    // The retried job runs the same handoff again, and this time it completes.
    const retried = await performHandoff(depsWith(), req);
    expect(retried).toMatchObject({ status: 'accepted', replayed: false, owner: { type: 'bot', id: 'orders' } });
    const rows = await ledger(conv.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('accepted');
    expect(await conversation(conv.id)).toMatchObject({ ownerType: 'bot', ownerId: 'orders' });
  });

  it('rolls back a pending row found after a restart (written by hand) to its source', async () => {
    const conv = await newConversation({ owner: 'billing' });
    const id = randomUUID();
    await h.rt.db.$transaction([
      h.rt.db.conversation.update({ where: { id: conv.id }, data: { ownerType: 'handoff_pending' } }),
      h.rt.db.handoffEvent.create({
        data: { id, conversationId: conv.id, fromType: 'bot', fromId: 'billing', toType: 'bot', toId: 'orders', pattern: 'peer', reason: 'out_of_scope', status: 'pending', steps: asJson([{ step: 'pause', at: new Date().toISOString() }]), envelope: {} },
      }),
    ]);

    expect(await recoverStuckHandoffs(h.rt.db, conv.id)).toBe(1);

    expect(await conversation(conv.id)).toMatchObject({ status: 'bot', ownerType: 'bot', ownerId: 'billing' });
    expect(await h.rt.db.handoffEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'rolled_back', error: 'interrupted' });
  });
});
