// Use case: search conversations by what was written in them and by the customer's name
// or phone, with PostgreSQL full-text search. The 'simple' configuration (no stemming,
// no stop words) so Hindi, Tamil, Urdu and every other script match word for word; the
// GIN index on Message.searchVector keeps it fast. Newest first, paginated.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { InvalidInput } from '../shared/errors.ts';

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHit = z.object({
  conversationId: z.uuid(),
  messageId: z.uuid().nullable().describe('the matching message; null when the customer matched'),
  channel: ChannelName,
  locale: z.string(),
  status: z.enum(['bot', 'waiting', 'agent', 'resolved']),
  contactName: z.string().nullable(),
  text: z.string().describe('the matching message text (or the customer name)'),
  at: z.iso.datetime(),
});
export type SearchHit = z.infer<typeof SearchHit>;
export const SearchResults = z.object({ hits: z.array(SearchHit), nextCursor: z.string().nullable() });
export type SearchResults = z.infer<typeof SearchResults>;

type Row = { conversationId: string; messageId: string | null; channel: SearchHit['channel']; locale: string; status: SearchHit['status']; contactName: string | null; text: string; at: Date; seq: bigint };

const encode = (seq: bigint) => Buffer.from(`s${seq}`).toString('base64url');
function decode(cursor: string): bigint {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^s\d+$/.test(raw)) throw new InvalidInput('invalid_cursor', 'cursor is not one this API returned');
  return BigInt(raw.slice(1));
}

export async function searchConversations(db: Db, actor: Actor, q: SearchQuery): Promise<SearchResults> {
  const after = q.cursor ? decode(q.cursor) : null;
  const everything = actor.role === 'supervisor';
  // Messages whose words match (the index), plus customers matched by name or phone on
  // the first page; agents see what waits for people and what they hold.
  const rows = await db.$queryRaw<Row[]>`
    SELECT m."conversationId", m.id AS "messageId", c.channel, c.locale, c.status, ct.name AS "contactName", m.text, m."createdAt" AS at, m.seq
      FROM "Message" m
      JOIN "Conversation" c ON c.id = m."conversationId"
      JOIN "Contact" ct ON ct.id = c."contactId"
     WHERE m."searchVector" @@ plainto_tsquery('simple', ${q.q})
       AND (${everything} OR c.status = 'waiting' OR (c."ownerType" = 'agent' AND c."ownerId" = ${actor.id}))
       AND (${after}::bigint IS NULL OR m.seq < ${after}::bigint)
     ORDER BY m.seq DESC
     LIMIT ${q.limit + 1}`;
  const page = rows.slice(0, q.limit);
  const people = after
    ? []
    : await db.$queryRaw<Row[]>`
    SELECT c.id AS "conversationId", NULL::uuid AS "messageId", c.channel, c.locale, c.status, ct.name AS "contactName", COALESCE(ct.name, ct.phone, '') AS text, c."createdAt" AS at, 0::bigint AS seq
      FROM "Contact" ct
      JOIN "Conversation" c ON c."contactId" = ct.id
     WHERE (ct.name ILIKE ${`%${q.q}%`} OR ct.phone = ${q.q})
       AND (${everything} OR c.status = 'waiting' OR (c."ownerType" = 'agent' AND c."ownerId" = ${actor.id}))
     ORDER BY c."createdAt" DESC
     LIMIT 10`;
  const hits = [...people, ...page].map((r) => ({
    conversationId: r.conversationId,
    messageId: r.messageId,
    channel: r.channel,
    locale: r.locale,
    status: r.status,
    contactName: r.contactName,
    text: r.text,
    at: r.at.toISOString(),
  }));
  const last = page.at(-1);
  return { hits, nextCursor: rows.length > q.limit && last ? encode(last.seq) : null };
}
