// Guards that stop bots from passing a customer around: ping-pong (handing straight
// back to the bot it came from on the same topic), a hop limit per topic, and a
// debounce on handoffs within one customer message. Each has its own reason code.
import type { ConversationContext } from './context.ts';

export const GUARD_LIMITS = {
  /** Handoffs on one topic before a person takes over. */
  hopsPerTopic: 4,
  /** A handoff back to the previous bot within this many customer turns is ping-pong. */
  pingPongTurns: 2,
  /** Handoffs triggered by one customer message (orchestrator routing needs two). */
  perTurn: 3,
};

export type GuardVerdict = { ok: true } | { ok: false; reason: 'ping_pong' | 'hop_limit' | 'oscillation' };

export function checkGuards(
  context: ConversationContext,
  hop: { from: string; to: string; topic: string },
  handoffsThisTurn: number,
  limits = GUARD_LIMITS,
): GuardVerdict {
  if (handoffsThisTurn >= limits.perTurn) return { ok: false, reason: 'oscillation' };
  const back = context.hops.some(
    (h) => h.from === hop.to && h.to === hop.from && h.topic === hop.topic && context.turn - h.turn <= limits.pingPongTurns,
  );
  if (back) return { ok: false, reason: 'ping_pong' };
  const onTopic = context.hops.filter((h) => h.topic === hop.topic).length;
  if (onTopic >= limits.hopsPerTopic) return { ok: false, reason: 'hop_limit' };
  return { ok: true };
}

/** The topic of an intent: its family (order, billing, support, …). */
export const topicOf = (intent: string | undefined) => (intent ?? 'none').split('.')[0]!;
