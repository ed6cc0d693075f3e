// Use cases: the person holding a conversation hands it on — back to a bot (which
// resumes with everything, including the agent's notes, without asking again), back
// to the queue, to another agent, or closes it. Each is a handoff on the ledger.
import type { Actor } from '../agents/authenticate.ts';
import { parseContext } from '../handoff/context.ts';
import { queueNotice } from '../templates/queueNotice.ts';
import type { Conversation } from '../generated/prisma/client.ts';
import { translator } from '../i18n/i18n.ts';
import { Forbidden, InvalidInput, NotFound } from '../shared/errors.ts';
import { agentHandoff } from './agentHandoff.ts';
import { RATING_OPTIONS, rememberCsatQuestion } from './csat.ts';
import type { EscalationDeps } from './deps.ts';

export async function heldBy(deps: EscalationDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId } });
  if (!conversation) throw new NotFound('not_found', 'no such conversation');
  const holds = conversation.ownerType === 'agent' && conversation.ownerId === actor.id;
  if (!holds && !(actor.role === 'supervisor' && conversation.status === 'agent')) {
    throw new Forbidden('forbidden', 'you can act only on conversations you hold');
  }
  return conversation;
}

const holder = (c: Conversation) => ({ type: 'agent' as const, id: c.ownerId! });
const stillHeld = (c: Conversation) => ({ ownerType: 'agent' as const, ownerId: c.ownerId });

async function tell(deps: EscalationDeps, c: Conversation, actor: Actor, key: string, handoffId: string, vars: Record<string, string> = {}, payload?: Record<string, unknown>) {
  await queueNotice(deps, c, { key, vars: { name: actor.name, ...vars } }, {
    ...(payload ? { payload } : {}),
    conversationId: c.id,
    channel: c.channel,
    text: translator(c.locale)(key, { name: actor.name, ...vars }),
    author: { type: 'agent', id: actor.id, name: actor.name },
    idempotencyKey: `${key}:${handoffId}`,
    locale: c.locale,
  });
}

export async function releaseConversation(
  deps: EscalationDeps,
  actor: Actor,
  conversationId: string,
  input: { to: 'bot' | 'queue'; note?: string | undefined; slots?: Record<string, string> | undefined; skill?: string | undefined; intent?: string | undefined },
) {
  const conversation = await heldBy(deps, actor, conversationId);
  const context = parseContext(conversation.context);
  const now = new Date().toISOString();
  const learned = Object.fromEntries(Object.entries(input.slots ?? {}).map(([k, v]) => [k, { value: v, pii: false, source: `agent:${actor.id}`, at: now }]));
  const enriched = {
    ...context,
    slots: { ...context.slots, ...learned },
    notes: input.note ? [...context.notes, { by: actor.name, text: input.note, at: now }] : context.notes,
    clarifications: 0,
    fallbacks: 0,
    // Back in the queue for a team or skill (a transfer), or open to any fitting agent.
    queueSkill: input.to === 'queue' ? input.skill : undefined,
    // An agent's correction of what the customer wanted wins over the bots' reading.
    intent: input.intent ?? context.intent,
  };
  if (input.to === 'queue') {
    const reason = input.skill ? 'transfer' : 'released';
    const outcome = await agentHandoff(deps, conversation, { from: holder(conversation), to: { type: 'queue', id: input.skill ?? 'human' }, reason, precondition: stillHeld(conversation), context: enriched });
    await deps.dispatcher.dispatch([{ kind: 'escalate', conversationId, messageId: outcome.handoffId }]);
    return outcome;
  }
  // The bot that owns the corrected intent, else the bot the conversation last had — if
  // its required slots are all known; otherwise triage.
  const lastBot = [...enriched.lineage].reverse().find((l) => l.startsWith('bot:'))?.slice(4);
  const candidate = input.intent ? deps.bots.ownerOf(input.intent) : lastBot ? deps.bots.get(lastBot) : undefined;
  const target = candidate?.contract.requires.every((s) => enriched.slots[s]) ? candidate.contract.id : deps.bots.triageId;
  const outcome = await agentHandoff(deps, conversation, { from: holder(conversation), to: { type: 'bot', id: target }, reason: 'released', precondition: stillHeld(conversation), context: enriched });
  if (outcome.status === 'accepted') await tell(deps, conversation, actor, 'escalation:backToBot', outcome.handoffId);
  return outcome;
}

export async function transferConversation(deps: EscalationDeps, actor: Actor, conversationId: string, agentId: string) {
  const conversation = await heldBy(deps, actor, conversationId);
  const target = await deps.db.agent.findUnique({ where: { id: agentId } });
  if (!target?.active) throw new NotFound('agent_not_found', `no active agent ${agentId}`);
  if (target.id === conversation.ownerId) throw new InvalidInput('same_agent', 'the conversation is already held by that agent');
  const outcome = await agentHandoff(deps, conversation, { from: holder(conversation), to: { type: 'agent', id: target.id }, reason: 'transfer', precondition: stillHeld(conversation) });
  await tell(deps, conversation, { ...actor, name: target.name }, 'escalation:transferred', outcome.handoffId);
  await deps.dispatcher.dispatch([{ kind: 'sla-reply', conversationId, messageId: outcome.handoffId }]);
  await deps.events.toAgent(target.id, { event: 'waiting', data: { conversationId, transferredBy: actor.id } });
  return outcome;
}

export async function resolveConversation(deps: EscalationDeps, actor: Actor, conversationId: string) {
  const conversation = await heldBy(deps, actor, conversationId);
  const outcome = await agentHandoff(deps, conversation, { from: holder(conversation), to: { type: 'none', id: 'resolved' }, reason: 'resolved', precondition: stillHeld(conversation) });
  await tell(deps, conversation, actor, 'escalation:resolved', outcome.handoffId);
  // CSAT: asked on the customer's channel, in their language, with 1–5 as choices.
  await rememberCsatQuestion(deps, conversation, actor, parseContext(conversation.context).lineage);
  await tell(deps, conversation, actor, 'escalation:csatAsk', outcome.handoffId, {}, { options: RATING_OPTIONS });
  return outcome;
}
