// Web chat sessions: a session is a contact's web chat address, reached with a bearer
// token that only the customer's browser holds (we keep its hash).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { Unauthenticated } from '../shared/errors.ts';
import { type MessageView, messageView } from './messageView.ts';

export const WebchatSession = z.object({ sessionId: z.uuid(), token: z.string().describe('bearer token for this session; shown once') });
export type WebchatSession = z.infer<typeof WebchatSession>;

/** How many messages the history and a reconnect's replay hold at most. */
export const HISTORY_LIMIT = 200;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createWebchatSession(db: Db, input: { locale?: string | undefined; name?: string | undefined }): Promise<WebchatSession> {
  const token = randomBytes(32).toString('base64url');
  const session = await db.$transaction(async (tx) => {
    const contact = await tx.contact.create({ data: { name: input.name ?? null, locale: input.locale ?? null } });
    const created = await tx.webchatSession.create({
      data: { contactId: contact.id, tokenHash: hashToken(token), locale: input.locale ?? null },
    });
    await tx.channelIdentity.create({ data: { contactId: contact.id, channel: 'webchat', externalId: created.id } });
    return created;
  });
  return { sessionId: session.id, token };
}

/** Sessions unused this long expire (WEBCHAT_SESSION_TTL_HOURS overrides). */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** lastSeenAt is bumped at most this often: not a write per request. */
const SEEN_EVERY_MS = 5 * 60_000;

/** The session if the token is its own and it has not expired; a 401 otherwise, whatever was wrong. */
export async function authenticateSession(db: Db, sessionId: string, token: string | undefined, ttlMs = SESSION_TTL_MS) {
  const unauthorized = new Unauthenticated('unauthorized', 'a valid session token is required (Authorization: Bearer or ?token=)');
  if (!token || !/^[0-9a-f-]{36}$/i.test(sessionId)) throw unauthorized;
  const session = await db.webchatSession.findUnique({ where: { id: sessionId }, include: { contact: true } });
  if (!session) throw unauthorized;
  const expected = Buffer.from(session.tokenHash, 'hex');
  const given = Buffer.from(hashToken(token), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized;
  const idle = Date.now() - session.lastSeenAt.getTime();
  if (idle > ttlMs) throw new Unauthenticated('session_expired', 'this web chat session has expired: start a new one');
  if (idle > SEEN_EVERY_MS) await db.webchatSession.updateMany({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  return session;
}

/**
 * Deletes sessions unused for longer than `ttlMs`, with their web chat addresses, and the
 * contacts they created that never got further (no conversation, no other address): a
 * POST /webchat/sessions that is never used leaves nothing behind for long.
 */
export async function expireWebchatSessions(db: Db, ttlMs = SESSION_TTL_MS, limit = 1000): Promise<number> {
  return db.$transaction(async (tx) => {
    const gone = await tx.$queryRaw<Array<{ id: string; contactId: string }>>`
      DELETE FROM "WebchatSession" WHERE id IN (
        SELECT id FROM "WebchatSession" WHERE "lastSeenAt" < now() - make_interval(secs => ${ttlMs / 1000}::float8) LIMIT ${limit})
      RETURNING id, "contactId"`;
    if (gone.length === 0) return 0;
    await tx.channelIdentity.deleteMany({ where: { channel: 'webchat', externalId: { in: gone.map((g) => g.id) } } });
    await tx.contact.deleteMany({
      where: { id: { in: gone.map((g) => g.contactId) }, conversations: { none: {} }, identities: { none: {} }, sessions: { none: {} } },
    });
    return gone.length;
  });
}

export type WebchatSessionRow = Awaited<ReturnType<typeof authenticateSession>>;

/** The session's last messages, oldest first. */
export async function sessionHistory(db: Db, sessionId: string): Promise<MessageView[]> {
  const rows = await db.message.findMany({
    where: { conversation: { channel: 'webchat', externalId: sessionId } },
    orderBy: { seq: 'desc' },
    take: HISTORY_LIMIT,
  });
  return rows.reverse().map(messageView);
}

/** Replies sent after `lastMessageId` (what a reconnecting stream missed); none if that id is unknown. */
export async function missedReplies(db: Db, sessionId: string, lastMessageId: string): Promise<MessageView[]> {
  const last = await db.message.findUnique({ where: { id: lastMessageId }, select: { seq: true } });
  if (!last) return [];
  const rows = await db.message.findMany({
    where: { conversation: { channel: 'webchat', externalId: sessionId }, direction: 'outbound', seq: { gt: last.seq }, status: { notIn: ['queued', 'sending'] } },
    orderBy: { seq: 'asc' },
    take: HISTORY_LIMIT,
  });
  return rows.map(messageView);
}
