// The inbox: conversations waiting for a person that this actor may take, most urgent
// first (priority, then longest wait), each with the summary the bots handed over.
import type { Actor } from '../agents/authenticate.ts';
import { parseContext } from '../conversations/context.ts';
import type { Db } from '../db/client.ts';
import type { Conversation } from '../generated/prisma/client.ts';
import { mayTake } from './eligibility.ts';

export type InboxItem = {
  conversationId: string;
  channel: string;
  locale: string;
  reason: string | null;
  waitingSince: string | null;
  summary: string;
  priority: number;
  intent: string | null;
};

export async function inboxItem(db: Db, conversation: Conversation): Promise<InboxItem> {
  const escalation = await db.handoffEvent.findFirst({
    where: { conversationId: conversation.id, toType: 'queue', status: 'accepted' },
    orderBy: { createdAt: 'desc' },
    select: { envelope: true },
  });
  const summary = (escalation?.envelope as { summary?: string } | null)?.summary ?? '';
  return {
    conversationId: conversation.id,
    channel: conversation.channel,
    locale: conversation.locale,
    reason: conversation.escalationReason,
    waitingSince: conversation.waitingSince?.toISOString() ?? null,
    summary,
    priority: conversation.priority,
    intent: parseContext(conversation.context).intent ?? null,
  };
}

export async function inboxFor(db: Db, actor: Actor, limit = 100): Promise<InboxItem[]> {
  const waiting = await db.conversation.findMany({
    where: { status: 'waiting', ownerType: 'queue' },
    orderBy: [{ priority: 'desc' }, { waitingSince: 'asc' }],
    take: 1000,
  });
  const fit = waiting.filter((c) => mayTake(actor, { locale: c.locale, intent: parseContext(c.context).intent })).slice(0, limit);
  return Promise.all(fit.map((c) => inboxItem(db, c)));
}
