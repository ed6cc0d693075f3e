// Read side of conversations and the handoff ledger: what an actor may see, one page
// at a time (newest first, keyset cursors), or one conversation whole.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { Forbidden, InvalidInput, NotFound } from '../shared/errors.ts';
import { mayTake, type SkillOf } from '../escalation/eligibility.ts';
import { parseContext } from '../handoff/context.ts';
import { ConversationSummary, type ConversationView, conversationSummary, conversationView, HandoffView, handoffView } from '../conversations/conversationView.ts';

export const ConversationList = z.object({ conversations: z.array(ConversationSummary), nextCursor: z.string().nullable() });
export type ConversationList = z.infer<typeof ConversationList>;
export const HandoffList = z.object({ handoffs: z.array(HandoffView), nextCursor: z.string().nullable() });
export type HandoffList = z.infer<typeof HandoffList>;

/**
 * Agents see what they hold and what waits for people *they may take* (language and
 * skill, as for a claim); supervisors see everything. The query narrows by status and
 * owner; mayRead applies the eligibility a query cannot express.
 */
export function visibleTo(actor: Actor): Prisma.ConversationWhereInput {
  if (actor.role === 'supervisor') return {};
  return { OR: [{ status: 'waiting' }, { ownerType: 'agent', ownerId: actor.id }] };
}

export function mayRead(actor: Actor, c: { status: string; ownerType: string; ownerId: string | null; locale: string; context: unknown }, skillFor: SkillOf): boolean {
  if (actor.role === 'supervisor') return true;
  if (c.ownerType === 'agent' && c.ownerId === actor.id) return true;
  return c.status === 'waiting' && mayTake(actor, { locale: c.locale, intent: parseContext(c.context).intent }, skillFor);
}

const uuid = z.uuid();
const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !uuid.safeParse(id).success) throw new InvalidInput('invalid_cursor', 'cursor is not one this API returned');
  return { at: date, id };
}
const before = (c: { at: Date; id: string }) => ({ OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] });
const nextCursor = <T extends { createdAt: Date; id: string }>(rows: T[], limit: number) => {
  const last = rows.slice(0, limit).at(-1);
  return rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null;
};

const WHOLE = { contact: true, messages: { orderBy: { seq: 'asc' }, take: 500 }, handoffs: { orderBy: { createdAt: 'asc' } } } as const;

export type ConversationFilter = {
  status?: 'bot' | 'waiting' | 'agent' | 'resolved' | undefined;
  channel?: ChannelName | undefined;
  contact?: string | undefined;
  label?: string | undefined;
  locale?: string | undefined;
  /** The agent holding it. */
  agent?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

export async function listConversations(db: Db, actor: Actor, q: ConversationFilter, skillFor: SkillOf): Promise<ConversationList> {
  const where: Prisma.ConversationWhereInput = {
    AND: [
      visibleTo(actor),
      q.status ? { status: q.status } : {},
      q.channel ? { channel: q.channel } : {},
      q.label ? { labels: { has: q.label } } : {},
      q.locale ? { locale: q.locale } : {},
      q.agent ? { ownerType: 'agent', ownerId: q.agent } : {},
      q.contact ? { OR: [{ contact: { phone: q.contact } }, { externalId: q.contact }, { contact: { phone: `+${q.contact.replace(/^\+/, '')}` } }] } : {},
      q.cursor ? before(decodeCursor(q.cursor)) : {},
    ],
  };
  const rows = await db.conversation.findMany({ where, include: { contact: true }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
  // A page may come back shorter than `limit` (rows the agent may not take are left
  // out); the cursor still follows the rows read, so paging goes on correctly.
  const page = rows.slice(0, q.limit).filter((c) => mayRead(actor, c, skillFor));
  return { conversations: page.map(conversationSummary), nextCursor: nextCursor(rows, q.limit) };
}

/** One conversation with context, messages and handoffs, if the actor may see it. */
export async function getConversation(db: Db, actor: Actor, conversationId: string, skillFor: SkillOf): Promise<ConversationView> {
  const conversation = await db.conversation.findFirst({ where: { AND: [{ id: conversationId }, visibleTo(actor)] }, include: WHOLE });
  if (!conversation || !mayRead(actor, conversation, skillFor)) throw new NotFound('not_found', 'no such conversation, or not one you may see');
  return conversationView(conversation);
}

/** The conversation as it is now, for the answer to someone who just acted on it. */
export async function currentConversation(db: Db, conversationId: string): Promise<ConversationView> {
  return conversationView(await db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: WHOLE }));
}

export type HandoffFilter = { conversationId?: string | undefined; cursor?: string | undefined; limit: number };

export async function listHandoffs(db: Db, actor: Actor, q: HandoffFilter, skillFor: SkillOf): Promise<HandoffList> {
  if (actor.role !== 'supervisor' && !q.conversationId) throw new Forbidden('forbidden', 'agents list handoffs per conversation: pass conversationId');
  if (actor.role !== 'supervisor' && q.conversationId) {
    const conversation = await db.conversation.findUnique({ where: { id: q.conversationId } });
    if (!conversation || !mayRead(actor, conversation, skillFor)) return { handoffs: [], nextCursor: null };
  }
  const where: Prisma.HandoffEventWhereInput = {
    AND: [q.conversationId ? { conversationId: q.conversationId } : {}, { conversation: visibleTo(actor) }, q.cursor ? before(decodeCursor(q.cursor)) : {}],
  };
  const rows = await db.handoffEvent.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
  return { handoffs: rows.slice(0, q.limit).map(handoffView), nextCursor: nextCursor(rows, q.limit) };
}
