// Use case: an agent claims a waiting conversation. Of any number of simultaneous
// claims exactly one wins — the database's conditional update decides, not a read
// before a write. The customer is told a person has joined; the reply timer starts.
import type { Actor } from '../agents/authenticate.ts';
import { queueNotice } from '../templates/queueNotice.ts';
import { parseContext } from '../handoff/context.ts';
import { translator } from '../i18n/i18n.ts';
import { Conflict, Forbidden, NotFound } from '../shared/errors.ts';
import { agentHandoff } from './agentHandoff.ts';
import type { EscalationDeps } from './deps.ts';
import { mayTake, skillsOf } from './eligibility.ts';
import { metrics } from '../observability/metrics.ts';

export async function claimConversation(deps: EscalationDeps, actor: Actor, conversationId: string) {
  if (actor.kind !== 'agent') throw new Forbidden('forbidden', 'only agents claim conversations; the admin token is not an agent');
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId } });
  if (!conversation) throw new NotFound('not_found', 'no such conversation');
  if (conversation.status !== 'waiting') throw new Conflict('already_claimed', 'this conversation is not waiting for a person');
  const context = parseContext(conversation.context);
  if (!mayTake(actor, { locale: conversation.locale, intent: context.intent, skill: context.queueSkill }, skillsOf(deps.bots))) {
    throw new Forbidden('forbidden', `this conversation needs an agent who speaks ${conversation.locale} with the right skills`);
  }
  const outcome = await agentHandoff(deps, conversation, {
    from: { type: 'queue', id: 'human' },
    to: { type: 'agent', id: actor.id },
    reason: 'claim',
    precondition: { status: 'waiting', ownerType: 'queue' },
  });
  const claimed = await deps.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  if (conversation.waitingSince) metrics.timeToClaim.observe((Date.now() - conversation.waitingSince.getTime()) / 1000);
  await queueNotice(deps, conversation, { key: 'escalation:agentJoined', vars: { name: actor.name } }, {
    conversationId,
    channel: conversation.channel,
    text: translator(conversation.locale)('escalation:agentJoined', { name: actor.name }),
    author: { type: 'agent', id: actor.id, name: actor.name },
    idempotencyKey: `claim:${outcome.handoffId}`,
    locale: conversation.locale,
  });
  await deps.db.agent.update({ where: { id: actor.id }, data: { lastSeenAt: new Date() } });
  // The reply timer's outbox row was committed with the claim: Redis being away now only delays it.
  await deps.dispatcher.dispatch([{ kind: 'sla-reply', conversationId, messageId: outcome.handoffId }]);
  await deps.events.claimed(conversationId, actor.id);
  return claimed;
}
