// Escalation jobs. `route` puts a conversation in the human queue with its priority,
// tells the agents who may take it, and starts the unclaimed timer. The timers are
// delayed jobs in Redis, so they fire after a worker restart too.
import type { EscalationJob } from '../queues/jobs.ts';
import { agentHandoff } from './agentHandoff.ts';
import type { EscalationDeps } from './deps.ts';
import { inboxItem } from './inbox.ts';
import { priorityOf } from './priority.ts';

const MAX_SLA_LEVEL = 3;

export async function handleEscalationJob(deps: EscalationDeps, job: EscalationJob): Promise<string> {
  switch (job.kind) {
    case 'route':
      return route(deps, job.conversationId);
    case 'sla-unclaimed':
      return unclaimed(deps, job);
    case 'sla-reply':
      return noReply(deps, job);
  }
}

async function route(deps: EscalationDeps, conversationId: string): Promise<string> {
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId }, include: { contact: true } });
  if (conversation?.status !== 'waiting' || !conversation.waitingSince) return 'not waiting';
  const updated = await deps.db.conversation.update({
    where: { id: conversationId },
    data: { priority: priorityOf(conversation.escalationReason, conversation.contact.valuePaise) },
  });
  await deps.events.waiting({ ...(await inboxItem(deps.db, updated)) });
  await deps.producer.escalate(
    { kind: 'sla-unclaimed', conversationId, waitingSince: conversation.waitingSince.toISOString(), level: 1 },
    deps.sla.unclaimedMs,
  );
  return 'queued';
}

async function unclaimed(deps: EscalationDeps, job: Extract<EscalationJob, { kind: 'sla-unclaimed' }>): Promise<string> {
  const conversation = await deps.db.conversation.findUnique({ where: { id: job.conversationId }, include: { contact: true } });
  // Claimed (or re-queued later, with a timer of its own) since: nothing to do.
  if (conversation?.status !== 'waiting' || conversation.waitingSince?.toISOString() !== job.waitingSince) return 'claimed meanwhile';
  const updated = await deps.db.conversation.update({
    where: { id: job.conversationId },
    data: { priority: priorityOf(conversation.escalationReason, conversation.contact.valuePaise, job.level) },
  });
  const item = await inboxItem(deps.db, updated);
  await deps.events.sla({ ...item, level: job.level, slaReason: 'unclaimed' });
  await deps.events.waiting({ ...item });
  deps.log.warn({ conversationId: job.conversationId, level: job.level }, 'escalation unclaimed past its SLA');
  if (job.level < MAX_SLA_LEVEL) {
    await deps.producer.escalate({ ...job, level: job.level + 1 }, deps.sla.unclaimedMs);
  }
  return `alerted level ${job.level}`;
}

async function noReply(deps: EscalationDeps, job: Extract<EscalationJob, { kind: 'sla-reply' }>): Promise<string> {
  const conversation = await deps.db.conversation.findUnique({ where: { id: job.conversationId } });
  if (
    conversation?.ownerType !== 'agent' ||
    conversation.ownerId !== job.agentId ||
    conversation.claimedAt?.toISOString() !== job.claimedAt
  ) {
    return 'no longer held by that agent';
  }
  if (conversation.lastAgentReplyAt && conversation.lastAgentReplyAt >= conversation.claimedAt!) return 'agent replied';
  const outcome = await agentHandoff(deps, conversation, {
    from: { type: 'agent', id: job.agentId },
    to: { type: 'queue', id: 'human' },
    reason: 'sla_no_reply',
    precondition: { ownerType: 'agent', ownerId: job.agentId, claimedAt: conversation.claimedAt },
  });
  await deps.events.toAgent(job.agentId, { event: 'released', data: { conversationId: job.conversationId, reason: 'sla_no_reply' } });
  await deps.dispatcher.dispatch([{ kind: 'escalate', conversationId: job.conversationId, messageId: outcome.handoffId }]);
  return 'back to the queue';
}
