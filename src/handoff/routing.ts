// Where a customer message should go, decided from the owner's contract and pattern,
// what was understood, and what the conversation already holds. Pure: no I/O.
import type { BotRegistry } from '../packs/registry.ts';
import type { RoleContract } from '../bots/contract.ts';
import type { ConversationContext } from './context.ts';
import { NO_INTENT, type Understanding } from '../understanding/intents.ts';
import type { HandoffPattern } from './envelope.ts';

export type Route =
  | { kind: 'stay' }
  | { kind: 'clarify' }
  | { kind: 'escalate'; reason: string }
  | { kind: 'handoff'; to: string; pattern: HandoffPattern; reason: string }
  /** The target needs a slot the customer has not given yet: the owner asks first. */
  | { kind: 'collect'; slot: string; to: string; pattern: HandoffPattern; reason: string }
  /** Explicit pattern: the owner gets the message and decides itself. */
  | { kind: 'explicit'; intent: string; owner: string };

export function decideRoute(owner: RoleContract, understanding: Understanding, context: ConversationContext, bots: BotRegistry): Route {
  const { intent, confidence } = understanding;
  if (intent === 'human.request' && confidence >= 0.5) return { kind: 'escalate', reason: 'customer_request' };

  // The customer answered what the owner asked for: continue where we were.
  if (context.awaiting && context.slots[context.awaiting.slot]) {
    const route = context.awaiting.route;
    return route ? { kind: 'handoff', to: route.to, pattern: route.pattern as HandoffPattern, reason: route.reason } : { kind: 'stay' };
  }

  // Routing needs to know which bot, not which of its intents: "refund" and "double
  // charge" both mean billing, so their scores count together.
  const ownerId = bots.ownerOf(intent)?.contract.id;
  const sameOwner = understanding.alternatives.filter((a) => ownerId && bots.ownerOf(a.intent)?.contract.id === ownerId).reduce((sum, a) => sum + a.score, 0);
  if (intent === NO_INTENT || Math.min(1, confidence + sameOwner) < owner.confidenceThreshold) {
    return context.clarifications >= 1 ? { kind: 'escalate', reason: 'low_confidence' } : { kind: 'clarify' };
  }
  if (owner.scope.includes(intent)) return { kind: 'stay' };
  const target = bots.ownerOf(intent)?.contract;
  if (!target) return { kind: 'stay' };

  const missing = bots.requiresFor(intent).find((slot) => !context.slots[slot]);
  let to = target.id;
  let pattern: HandoffPattern;
  let reason = 'out_of_scope';
  switch (owner.pattern) {
    case 'explicit':
      // The target would refuse an envelope without its required slot (context loss),
      // leaving the customer unanswered: the owner asks for it first, as with the others.
      if (missing) return { kind: 'collect', slot: missing, to, pattern: 'explicit', reason };
      return { kind: 'explicit', intent, owner: target.id };
    case 'implicit':
      pattern = 'implicit';
      break;
    case 'peer':
      if (owner.authority.handsTo.includes(target.id)) pattern = 'peer';
      else {
        // Not a declared peer: back to the orchestrator, which routes.
        to = bots.triageId;
        pattern = 'orchestrator';
        reason = 'new_topic';
      }
      break;
    case 'orchestrator':
      pattern = 'orchestrator';
      reason = owner.id === bots.triageId ? 'routed' : 'new_topic';
      if (owner.id !== bots.triageId) to = bots.triageId;
      break;
  }
  if (missing && to === target.id) return { kind: 'collect', slot: missing, to, pattern, reason };
  return { kind: 'handoff', to, pattern, reason };
}
