// The inbox: conversations waiting for a person that this actor may take, most urgent
// first (priority, then longest wait), each with the summary the bots handed over.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import { ChannelName } from '../channels/channel.ts';
import { parseContext } from '../handoff/context.ts';
import type { Db } from '../db/client.ts';
import type { Conversation } from '../generated/prisma/client.ts';
import { mayTake, type SkillOf } from './eligibility.ts';
import { LOCALES } from '../config/env.ts';

export const InboxItem = z.object({
  conversationId: z.uuid(),
  channel: ChannelName,
  locale: z.string(),
  reason: z.string().nullable(),
  waitingSince: z.iso.datetime().nullable(),
  summary: z.string(),
  priority: z.number().int(),
  intent: z.string().nullable(),
  contactName: z.string().nullable().describe("the customer's name, when known"),
  labels: z.array(z.string()),
});
export type InboxItem = z.infer<typeof InboxItem>;
export const Inbox = z.array(InboxItem);

type WithContact = Conversation & { contact: { name: string | null } };

export async function inboxItem(db: Db, conversation: Conversation): Promise<InboxItem> {
  const [escalation, contact] = await Promise.all([
    db.handoffEvent.findFirst({
      where: { conversationId: conversation.id, toType: 'queue', status: 'accepted' },
      orderBy: { createdAt: 'desc' },
      select: { envelope: true },
    }),
    db.contact.findUnique({ where: { id: conversation.contactId }, select: { name: true } }),
  ]);
  return toItem({ ...conversation, contact: { name: contact?.name ?? null } }, (escalation?.envelope as { summary?: string } | null)?.summary ?? '');
}

export async function inboxFor(db: Db, actor: Actor, limit = 100, skillFor?: SkillOf): Promise<InboxItem[]> {
  // Language is decided in SQL (it is most of the filtering); skills, which live in the
  // context JSON, on the page read.
  const locales = actor.role === 'supervisor' ? undefined : LOCALES.filter((l) => mayTake({ ...actor, skills: [] }, { locale: l }));
  const waiting = await db.conversation.findMany({
    where: { status: 'waiting', ownerType: 'queue', ...(locales ? { locale: { in: [...locales] } } : {}) },
    orderBy: [{ priority: 'desc' }, { waitingSince: 'asc' }],
    include: { contact: { select: { name: true } } },
    take: actor.role === 'supervisor' ? limit : Math.max(limit * 5, 200),
  });
  const fit = waiting
    .filter((c) => {
      const context = parseContext(c.context);
      return mayTake(actor, { locale: c.locale, intent: context.intent, skill: context.queueSkill }, skillFor);
    })
    .slice(0, limit);
  if (fit.length === 0) return [];
  // The summaries the bots handed over, for the whole page in one query.
  const ids = fit.map((c) => c.id);
  const summaries = await db.$queryRaw<Array<{ conversationId: string; summary: string | null }>>`
    SELECT DISTINCT ON ("conversationId") "conversationId", envelope ->> 'summary' AS summary
      FROM "HandoffEvent"
     WHERE "conversationId" = ANY(${ids}::uuid[]) AND "toType" = 'queue' AND status = 'accepted'
     ORDER BY "conversationId", "createdAt" DESC`;
  const summaryOf = new Map(summaries.map((s) => [s.conversationId, s.summary ?? '']));
  return fit.map((c) => toItem(c, summaryOf.get(c.id) ?? ''));
}

function toItem(conversation: WithContact, summary: string): InboxItem {
  return {
    conversationId: conversation.id,
    channel: conversation.channel,
    locale: conversation.locale,
    reason: conversation.escalationReason,
    waitingSince: conversation.waitingSince?.toISOString() ?? null,
    summary,
    priority: conversation.priority,
    intent: parseContext(conversation.context).intent ?? null,
    contactName: conversation.contact.name,
    labels: conversation.labels ?? [],
  };
}
