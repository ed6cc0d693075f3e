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

/** The session if the token is its own; a 401 otherwise, whatever was wrong. */
export async function authenticateSession(db: Db, sessionId: string, token: string | undefined) {
  const unauthorized = new Unauthenticated('unauthorized', 'a valid session token is required (Authorization: Bearer or ?token=)');
  if (!token || !/^[0-9a-f-]{36}$/i.test(sessionId)) throw unauthorized;
  const session = await db.webchatSession.findUnique({ where: { id: sessionId }, include: { contact: true } });
  if (!session) throw unauthorized;
  const expected = Buffer.from(session.tokenHash, 'hex');
  const given = Buffer.from(hashToken(token), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized;
  return session;
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
