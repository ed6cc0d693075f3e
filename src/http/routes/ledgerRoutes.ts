// Read side of conversations and the handoff ledger, plus the envelope's JSON Schema.
import { Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../agents/authenticate.ts';
import { ChannelName } from '../../channels/channel.ts';
import { conversationSummary, conversationView, handoffView } from '../../conversations/conversationView.ts';
import { envelopeJsonSchema } from '../../handoff/envelope.ts';
import type { Runtime } from '../../main/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { actorOf, withActor } from '../middleware/auth.ts';

export const ConversationListQuery = z.object({
  status: z.enum(['bot', 'waiting', 'agent', 'resolved']).optional(),
  channel: ChannelName.optional(),
  contact: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

export const HandoffListQuery = z.object({
  conversationId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type HandoffListQuery = z.infer<typeof HandoffListQuery>;

const uuid = z.uuid();

/** Agents see what waits for people and what they hold; supervisors see everything. */
export function visibleTo(actor: Actor): Prisma.ConversationWhereInput {
  if (actor.role === 'supervisor') return {};
  return { OR: [{ status: 'waiting' }, { ownerType: 'agent', ownerId: actor.id }] };
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !uuid.safeParse(id).success) throw new ClientError(400, 'invalid_cursor', 'cursor is not one this API returned');
  return { at: date, id };
}
const before = (c: { at: Date; id: string }) => ({ OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] });

export function ledgerRoutes(rt: Runtime): Router {
  const router = Router();

  router.get('/schemas/handoff-envelope.v1.json', (_req, res) => {
    res.type('application/schema+json').json(envelopeJsonSchema());
  });

  router.get('/api/conversations', withActor(rt), async (req, res) => {
    const q = ConversationListQuery.parse(req.query);
    const where: Prisma.ConversationWhereInput = {
      AND: [
        visibleTo(actorOf(res)),
        q.status ? { status: q.status } : {},
        q.channel ? { channel: q.channel } : {},
        q.contact ? { OR: [{ contact: { phone: q.contact } }, { externalId: q.contact }, { contact: { phone: `+${q.contact.replace(/^\+/, '')}` } }] } : {},
        q.cursor ? before(decodeCursor(q.cursor)) : {},
      ],
    };
    const rows = await rt.db.conversation.findMany({ where, include: { contact: true }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    res.json({ conversations: page.map(conversationSummary), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null });
  });

  router.get('/api/conversations/:id', withActor(rt), async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw new ClientError(400, 'invalid_id', 'conversation id must be a UUID');
    const conversation = await rt.db.conversation.findFirst({
      where: { AND: [{ id: id.data }, visibleTo(actorOf(res))] },
      include: { contact: true, messages: { orderBy: { seq: 'asc' }, take: 500 }, handoffs: { orderBy: { createdAt: 'asc' } } },
    });
    if (!conversation) throw new ClientError(404, 'not_found', 'no such conversation, or not one you may see');
    res.json(conversationView(conversation));
  });

  router.get('/api/handoffs', withActor(rt), async (req, res) => {
    const q = HandoffListQuery.parse(req.query);
    const actor = actorOf(res);
    if (actor.role !== 'supervisor' && !q.conversationId) throw new ClientError(403, 'forbidden', 'agents list handoffs per conversation: pass conversationId');
    const where: Prisma.HandoffEventWhereInput = {
      AND: [
        q.conversationId ? { conversationId: q.conversationId } : {},
        { conversation: visibleTo(actor) },
        q.cursor ? before(decodeCursor(q.cursor)) : {},
      ],
    };
    const rows = await rt.db.handoffEvent.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    res.json({ handoffs: page.map(handoffView), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null });
  });
  return router;
}
