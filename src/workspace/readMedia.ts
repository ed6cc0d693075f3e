// Use case: hand a kept file to someone allowed to see it. Agents (and the admin token)
// see every file; a web chat customer sees the files of their own session only; a
// provider fetching an outbound file shows the token of that file's public URL.
import { timingSafeEqual } from 'node:crypto';
import { authenticate, type Actor } from '../agents/authenticate.ts';
import { visibleTo } from './readSide.ts';
import { hashToken } from '../conversations/webchatSessions.ts';
import type { Db } from '../db/client.ts';
import { Conflict, Forbidden, NotFound, Unauthenticated } from '../shared/errors.ts';
import type { MediaStore } from '../media/store.ts';

export type MediaContent = { bytes: Buffer; mimeType: string; filename: string | null };
type ReadDeps = { db: Db; store: MediaStore; adminToken: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readMedia(deps: ReadDeps, fileId: string, token: string | undefined): Promise<MediaContent> {
  if (!token) throw new Unauthenticated('unauthorized', 'Authorization: Bearer <agent or web chat session token> is required');
  const caller = await callerOf(deps, token);
  const file = UUID.test(fileId) ? await deps.db.mediaFile.findUnique({ where: { id: fileId } }) : null;
  if (!file) throw new NotFound('not_found', 'no such file');
  // The same reach as the conversation itself: its own session, or an agent who may see it.
  const where = 'sessionId' in caller ? { channel: 'webchat' as const, externalId: caller.sessionId } : visibleTo(caller.actor);
  const allowed = await deps.db.conversation.count({ where: { AND: [{ id: file.conversationId }, where] } });
  if (allowed === 0) throw new Forbidden('forbidden', 'this file belongs to a conversation you may not see');
  return content(deps, file);
}

/**
 * How long a provider may fetch an outbound file: Meta and Twilio fetch within minutes of
 * the send; a week covers every retry of the send, and the URL stops working after it.
 */
export const PUBLIC_LINK_TTL_MS = 7 * 24 * 3600 * 1000;

/** The public URL a provider fetches an outbound file from: the token is the only credential. */
export async function readPublicMedia(deps: Omit<ReadDeps, 'adminToken'>, fileId: string, token: string): Promise<MediaContent> {
  const file = UUID.test(fileId) ? await deps.db.mediaFile.findUnique({ where: { id: fileId } }) : null;
  if (!file?.publicToken || !sameToken(file.publicToken, token) || Date.now() - file.createdAt.getTime() > PUBLIC_LINK_TTL_MS) {
    throw new NotFound('not_found', 'no such file');
  }
  return content(deps, file);
}

async function callerOf(deps: ReadDeps, token: string): Promise<{ actor: Actor } | { sessionId: string }> {
  try {
    return { actor: await authenticate(deps.db, deps.adminToken, token) };
  } catch (err) {
    if (!(err instanceof Unauthenticated)) throw err;
  }
  const session = await deps.db.webchatSession.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true } });
  if (!session) throw new Unauthenticated('unauthorized', 'the token is not valid');
  return { sessionId: session.id };
}

async function content(deps: { store: MediaStore }, file: { status: string; storageKey: string | null; mimeType: string | null; filename: string | null }): Promise<MediaContent> {
  if (file.status === 'pending') throw new Conflict('not_ready', 'the file is still being fetched from the provider');
  const bytes = file.storageKey ? await deps.store.get(file.storageKey) : undefined;
  if (file.status !== 'stored' || !bytes) throw new NotFound('not_kept', 'the file could not be kept (too large, a type Baton does not keep, or the provider failed)');
  return { bytes, mimeType: file.mimeType ?? 'application/octet-stream', filename: file.filename };
}

function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
