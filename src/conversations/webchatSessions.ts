// Web chat sessions: a session is a contact's web chat address, reached with a bearer
// token that only the customer's browser holds (we keep its hash).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { ClientError } from '../shared/errors.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createWebchatSession(db: Db, input: { locale?: string | undefined; name?: string | undefined }) {
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
  const unauthorized = new ClientError(401, 'unauthorized', 'a valid session token is required (Authorization: Bearer or ?token=)');
  if (!token || !/^[0-9a-f-]{36}$/i.test(sessionId)) throw unauthorized;
  const session = await db.webchatSession.findUnique({ where: { id: sessionId }, include: { contact: true } });
  if (!session) throw unauthorized;
  const expected = Buffer.from(session.tokenHash, 'hex');
  const given = Buffer.from(hashToken(token), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized;
  return session;
}
