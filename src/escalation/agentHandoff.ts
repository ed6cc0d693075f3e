// A handoff made by a person (claim, release, transfer, resolve): the same protocol
// and ledger as bot handoffs, with the agent's id on the row. The precondition makes
// it atomic against other people acting on the same conversation; the conversation's
// lock (held by bot turns too) keeps a turn, or stuck-handoff recovery, from running
// while the handoff is half done.
import { randomUUID } from 'node:crypto';
import type { Conversation } from '../generated/prisma/client.ts';
import { parseContext, type ConversationContext } from '../handoff/context.ts';
import type { Party } from '../handoff/envelope.ts';
import { topicOf } from '../handoff/guards.ts';
import { HandoffConflict, performHandoff, type Precondition } from '../handoff/protocol.ts';
import { translator } from '../i18n/i18n.ts';
import { Conflict, UnavailableError } from '../shared/errors.ts';
import { LockBusy } from '../db/locks.ts';

/** How long a person's action waits for a running bot turn to finish. */
const AGENT_LOCK_WAIT_MS = 10_000;
import type { EscalationDeps } from './deps.ts';

export async function agentHandoff(
  deps: EscalationDeps,
  conversation: Conversation,
  move: { from: Party; to: Party; reason: string; precondition: Precondition; context?: ConversationContext },
) {
  try {
    return await deps.locks.withLock('conversation', conversation.id, () => performHandoff(deps, {
      handoffId: randomUUID(),
      conversationId: conversation.id,
      from: move.from,
      to: move.to,
      pattern: 'agent',
      reason: move.reason,
      context: move.context ?? parseContext(conversation.context),
      topic: topicOf(parseContext(conversation.context).intent),
      handoffsThisTurn: 0,
      t: translator(conversation.locale),
      precondition: move.precondition,
    }), { waitMs: AGENT_LOCK_WAIT_MS });
  } catch (err) {
    if (err instanceof LockBusy) throw new UnavailableError('the conversation is busy (a bot is answering it); retry shortly');
    if (err instanceof HandoffConflict) {
      throw new Conflict(move.reason === 'claim' ? 'already_claimed' : 'conflict', 'someone else acted on this conversation first');
    }
    throw err;
  }
}
