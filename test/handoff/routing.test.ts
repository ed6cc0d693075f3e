// Where a customer message goes, per handoff pattern, and the guards that stop bots
// from passing a customer around. Pure functions: no database.
import { describe, expect, it } from 'vitest';
import type { BotRegistry } from '../../src/packs/registry.ts';
import { demoBots } from '../support/packs.ts';
import type { RoleContract } from '../../src/bots/contract.ts';
import { ConversationContext, type ConversationContext as Context } from '../../src/handoff/context.ts';
import { checkGuards, GUARD_LIMITS, topicOf } from '../../src/handoff/guards.ts';
import { decideRoute } from '../../src/handoff/routing.ts';
import type { Understanding } from '../../src/understanding/intents.ts';

const bots = await demoBots();
const contractOf = (registry: BotRegistry, id: string): RoleContract => {
  const bot = registry.get(id);
  if (!bot) throw new Error(`no bot ${id}`);
  return bot.contract;
};
const understood = (intent: string, confidence = 0.95): Understanding => ({ intent, confidence, alternatives: [], source: 'neural' });
const slot = (value: string) => ({ value, pii: false, source: 'customer' });
const context = (over: Partial<Context> = {}): Context => ConversationContext.parse({ lineage: ['bot:triage'], ...over });
const withOrder = (over: Partial<Context> = {}) => context({ slots: { orderId: slot('ORD-1001') }, ...over });

describe('decideRoute: orchestrator', () => {
  it('triage routes a topic to the bot that owns it', () => {
    expect(decideRoute(contractOf(bots, 'triage'), understood('billing.double_charge'), withOrder(), bots)).toEqual({
      kind: 'handoff',
      to: 'billing',
      pattern: 'orchestrator',
      reason: 'routed',
    });
    expect(decideRoute(contractOf(bots, 'triage'), understood('support.troubleshoot'), context(), bots)).toEqual({
      kind: 'handoff',
      to: 'support',
      pattern: 'orchestrator',
      reason: 'routed',
    });
  });

  it('a specialist configured as orchestrator sends a new topic back to triage, not to the owner', async () => {
    const registry = await demoBots({ orders: 'orchestrator' });
    // No order id needed: triage, not billing, is the next owner, and triage collects.
    expect(decideRoute(contractOf(registry, 'orders'), understood('billing.refund'), context(), registry)).toEqual({
      kind: 'handoff',
      to: 'triage',
      pattern: 'orchestrator',
      reason: 'new_topic',
    });
  });

  it('an intent the owner itself handles stays with it', () => {
    expect(decideRoute(contractOf(bots, 'triage'), understood('greeting'), context(), bots)).toEqual({ kind: 'stay' });
    expect(decideRoute(contractOf(bots, 'orders'), understood('order.cancel'), withOrder(), bots)).toEqual({ kind: 'stay' });
  });
});

describe('decideRoute: implicit, peer, explicit', () => {
  it('implicit: the owner hands an out-of-scope topic straight to its owner', () => {
    expect(contractOf(bots, 'orders').pattern).toBe('implicit');
    expect(decideRoute(contractOf(bots, 'orders'), understood('billing.double_charge'), withOrder(), bots)).toEqual({
      kind: 'handoff',
      to: 'billing',
      pattern: 'implicit',
      reason: 'out_of_scope',
    });
  });

  it('peer: a declared peer gets the conversation directly', () => {
    expect(contractOf(bots, 'billing').authority.handsTo).toContain('orders');
    expect(decideRoute(contractOf(bots, 'billing'), understood('order.status'), withOrder(), bots)).toEqual({
      kind: 'handoff',
      to: 'orders',
      pattern: 'peer',
      reason: 'out_of_scope',
    });
  });

  it('peer: a bot that is not a declared peer is reached through triage', async () => {
    const registry = await demoBots({ orders: 'peer' });
    expect(contractOf(registry, 'orders').authority.handsTo).not.toContain('support');
    expect(decideRoute(contractOf(registry, 'orders'), understood('support.troubleshoot'), withOrder(), registry)).toEqual({
      kind: 'handoff',
      to: 'triage',
      pattern: 'orchestrator',
      reason: 'new_topic',
    });
  });

  it('explicit: the owner gets the message and decides itself', () => {
    expect(contractOf(bots, 'support').pattern).toBe('explicit');
    expect(decideRoute(contractOf(bots, 'support'), understood('order.status'), withOrder(), bots)).toEqual({
      kind: 'explicit',
      intent: 'order.status',
      owner: 'orders',
    });
  });

  it('explicit: when the target needs a slot nobody has given yet, the owner asks for it first', () => {
    // Without it the target refuses the envelope (context loss) and the customer hears nothing.
    expect(decideRoute(contractOf(bots, 'support'), understood('order.status'), context(), bots)).toEqual({
      kind: 'collect',
      slot: 'orderId',
      to: 'orders',
      pattern: 'explicit',
      reason: 'out_of_scope',
    });
    // Support's own topics need nothing from the customer.
    expect(decideRoute(contractOf(bots, 'support'), understood('support.not_fixed'), context(), bots)).toEqual({ kind: 'stay' });
  });
});

describe('decideRoute: collecting, clarifying, escalating', () => {
  it('collects the slot the target requires before handing off, and remembers where to go', async () => {
    expect(decideRoute(contractOf(bots, 'triage'), understood('billing.double_charge'), context(), bots)).toEqual({
      kind: 'collect',
      slot: 'orderId',
      to: 'billing',
      pattern: 'orchestrator',
      reason: 'routed',
    });
    // Peer and implicit targets are collected for too.
    const implicitSupport = await demoBots({ support: 'implicit' });
    expect(decideRoute(contractOf(implicitSupport, 'support'), understood('order.status'), context(), implicitSupport)).toMatchObject({
      kind: 'collect',
      slot: 'orderId',
      to: 'orders',
    });
  });

  it('once the awaited slot is answered, continues the route it was collected for', () => {
    const answered = withOrder({ awaiting: { slot: 'orderId', intent: 'billing.double_charge', route: { to: 'billing', pattern: 'orchestrator', reason: 'routed' } } });
    // Even if the answer alone ("ORD-1001") reads like another topic.
    expect(decideRoute(contractOf(bots, 'triage'), understood('order.status'), answered, bots)).toEqual({
      kind: 'handoff',
      to: 'billing',
      pattern: 'orchestrator',
      reason: 'routed',
    });
    // Still waiting: the route is not taken.
    const unanswered = context({ awaiting: answered.awaiting });
    expect(decideRoute(contractOf(bots, 'triage'), understood('billing.double_charge'), unanswered, bots)).toMatchObject({ kind: 'collect', slot: 'orderId' });
  });

  it('an answered question of the owner itself (no route) stays with the owner', () => {
    const answered = withOrder({ awaiting: { slot: 'orderId', intent: 'order.status' } });
    expect(decideRoute(contractOf(bots, 'orders'), understood('order.status'), answered, bots)).toEqual({ kind: 'stay' });
  });

  it('low confidence: asks to clarify once, then escalates with low_confidence', () => {
    const threshold = contractOf(bots, 'triage').confidenceThreshold;
    const unsure = understood('order.status', threshold - 0.1);
    expect(decideRoute(contractOf(bots, 'triage'), unsure, withOrder(), bots)).toEqual({ kind: 'clarify' });
    expect(decideRoute(contractOf(bots, 'triage'), unsure, withOrder({ clarifications: 1 }), bots)).toEqual({ kind: 'escalate', reason: 'low_confidence' });
    // Nothing understood at all counts the same.
    expect(decideRoute(contractOf(bots, 'billing'), understood('None', 0), withOrder(), bots)).toEqual({ kind: 'clarify' });
    expect(decideRoute(contractOf(bots, 'billing'), understood('None', 0), withOrder({ clarifications: 1 }), bots)).toEqual({ kind: 'escalate', reason: 'low_confidence' });
    // At the threshold it is understood.
    expect(decideRoute(contractOf(bots, 'triage'), understood('order.status', threshold), withOrder(), bots)).toMatchObject({ kind: 'handoff', to: 'orders' });
  });

  it('counts two intents of the same bot together: unsure which billing question is still billing', () => {
    const split: Understanding = { intent: 'billing.refund', confidence: 0.6, alternatives: [{ intent: 'billing.double_charge', score: 0.3 }], source: 'neural' };
    expect(decideRoute(contractOf(bots, 'triage'), split, withOrder(), bots)).toMatchObject({ kind: 'handoff', to: 'billing' });
    // Split between two bots, it stays unsure.
    const torn: Understanding = { intent: 'billing.refund', confidence: 0.6, alternatives: [{ intent: 'order.status', score: 0.3 }], source: 'neural' };
    expect(decideRoute(contractOf(bots, 'triage'), torn, withOrder(), bots)).toEqual({ kind: 'clarify' });
  });

  it('asking for a person escalates with customer_request, from any bot and any state', () => {
    for (const id of ['triage', 'orders', 'billing', 'support']) {
      expect(decideRoute(contractOf(bots, id), understood('human.request'), context(), bots)).toEqual({ kind: 'escalate', reason: 'customer_request' });
    }
    const midQuestion = context({ awaiting: { slot: 'orderId', intent: 'order.status' } });
    expect(decideRoute(contractOf(bots, 'triage'), understood('human.request', 0.8), midQuestion, bots)).toEqual({ kind: 'escalate', reason: 'customer_request' });
  });
});

describe('checkGuards', () => {
  const hop = (from: string, to: string, turn: number, topic: string) => ({ from, to, turn, topic, pattern: 'peer' });

  it('topics are intent families', () => {
    expect(topicOf('order.status')).toBe('order');
    expect(topicOf('order.cancel')).toBe('order');
    expect(topicOf('billing.refund')).toBe('billing');
    expect(topicOf(undefined)).toBe('none');
  });

  it('ping_pong: handing straight back to the bot it came from, on the same topic', () => {
    const ctx = context({ turn: 3, hops: [hop('billing', 'orders', 2, 'order')] });
    expect(checkGuards(ctx, { from: 'orders', to: 'billing', topic: 'order' }, 0)).toEqual({ ok: false, reason: 'ping_pong' });
    // Long after the first hop it is not ping-pong any more.
    const later = context({ turn: 2 + GUARD_LIMITS.pingPongTurns + 1, hops: [hop('billing', 'orders', 2, 'order')] });
    expect(checkGuards(later, { from: 'orders', to: 'billing', topic: 'order' }, 0)).toEqual({ ok: true });
  });

  it('a legitimate topic change back to the previous bot is not ping-pong', () => {
    // The double-charge flow: billing → orders for "where is my order", then the
    // customer asks about billing again.
    const ctx = context({ turn: 3, hops: [hop('triage', 'billing', 1, 'billing'), hop('billing', 'orders', 2, 'order')] });
    expect(checkGuards(ctx, { from: 'orders', to: 'billing', topic: 'billing' }, 0)).toEqual({ ok: true });
  });

  it('hop_limit: too many handoffs on one topic', () => {
    const hops = [hop('triage', 'orders', 1, 'order'), hop('orders', 'billing', 3, 'order'), hop('billing', 'support', 6, 'order'), hop('support', 'triage', 9, 'order')];
    expect(hops).toHaveLength(GUARD_LIMITS.hopsPerTopic);
    expect(checkGuards(context({ turn: 20, hops }), { from: 'triage', to: 'orders', topic: 'order' }, 0)).toEqual({ ok: false, reason: 'hop_limit' });
    // One fewer is fine, and other topics are not counted.
    expect(checkGuards(context({ turn: 20, hops: hops.slice(1) }), { from: 'triage', to: 'orders', topic: 'order' }, 0)).toEqual({ ok: true });
    expect(checkGuards(context({ turn: 20, hops }), { from: 'triage', to: 'billing', topic: 'billing' }, 0)).toEqual({ ok: true });
  });

  it('oscillation: too many handoffs triggered by one customer message', () => {
    const ctx = context({ turn: 1 });
    expect(checkGuards(ctx, { from: 'triage', to: 'orders', topic: 'order' }, GUARD_LIMITS.perTurn)).toEqual({ ok: false, reason: 'oscillation' });
    // Orchestrator routing (specialist → triage → specialist) needs two in one message.
    expect(checkGuards(ctx, { from: 'triage', to: 'orders', topic: 'order' }, GUARD_LIMITS.perTurn - 1)).toEqual({ ok: true });
  });
});
