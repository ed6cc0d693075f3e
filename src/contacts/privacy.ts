// A customer's right to their data: export everything Baton holds about a contact,
// or erase it. Erasure keeps the fact that conversations and handoffs happened (who
// handed to whom, when, why) but not what was said or known (nor the names on messages).
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { NotFound, UnavailableError } from '../shared/errors.ts';
import { LockBusy, type Locks } from '../db/locks.ts';
import type { MediaStore } from '../media/store.ts';

export const ERASED = '[erased]';

const Timestamp = z.iso.datetime();
export const ContactExport = z.object({
  exportedAt: Timestamp,
  contact: z.object({
    id: z.uuid(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    locale: z.string().nullable(),
    memory: z.unknown(),
    createdAt: Timestamp,
    erasedAt: Timestamp.nullable(),
  }),
  identities: z.array(z.object({ channel: ChannelName, externalId: z.string(), createdAt: Timestamp })),
  conversations: z.array(
    z.object({
      id: z.uuid(),
      channel: ChannelName,
      status: z.enum(['bot', 'waiting', 'agent', 'resolved']),
      locale: z.string(),
      context: z.unknown(),
      createdAt: Timestamp,
      messages: z.array(
        z.object({ id: z.uuid(), direction: z.enum(['inbound', 'outbound']), author: z.enum(['contact', 'bot', 'agent', 'system']), text: z.string(), payload: z.unknown(), status: z.string(), createdAt: Timestamp }),
      ),
      handoffs: z.array(z.object({ from: z.string(), to: z.string(), pattern: z.string(), reason: z.string(), status: z.string(), createdAt: Timestamp })),
    }),
  ),
});
export type ContactExport = z.infer<typeof ContactExport>;

export const ContactErased = z.object({ contactId: z.uuid(), conversations: z.number().int(), messagesErased: z.number().int(), handoffsKept: z.number().int() });
export type ContactErased = z.infer<typeof ContactErased>;

export async function exportContact(db: Db, contactId: string): Promise<ContactExport> {
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    include: {
      identities: true,
      conversations: { include: { messages: { orderBy: { seq: 'asc' } }, handoffs: { orderBy: { createdAt: 'asc' } } } },
    },
  });
  if (!contact) throw new NotFound('not_found', 'no such contact');
  return {
    exportedAt: new Date().toISOString(),
    contact: {
      id: contact.id,
      name: contact.name,
      phone: contact.phone,
      email: contact.email,
      locale: contact.locale,
      memory: contact.memory,
      createdAt: contact.createdAt.toISOString(),
      erasedAt: contact.erasedAt?.toISOString() ?? null,
    },
    identities: contact.identities.map((i) => ({ channel: i.channel, externalId: i.externalId, createdAt: i.createdAt.toISOString() })),
    conversations: contact.conversations.map((c) => ({
      id: c.id,
      channel: c.channel,
      status: c.status,
      locale: c.locale,
      context: c.context,
      createdAt: c.createdAt.toISOString(),
      messages: c.messages.map((m) => ({ id: m.id, direction: m.direction, author: m.authorType, text: m.text, payload: m.payload, status: m.status, createdAt: m.createdAt.toISOString() })),
      handoffs: c.handoffs.map((h) => ({ from: `${h.fromType}:${h.fromId}`, to: `${h.toType}:${h.toId}`, pattern: h.pattern, reason: h.reason, status: h.status, createdAt: h.createdAt.toISOString() })),
    })),
  };
}

/** How long an erase waits for each of the contact's conversations to be free of a running turn. */
const ERASE_LOCK_WAIT_MS = 15_000;

/**
 * Erases under the lock of every conversation of the contact, so no bot turn is half
 * way through one (it would write the context, the memory and its replies back after
 * the erase). Replies not yet sent are not sent to `[erased]`: they end failed with
 * errorCode `erased`; messages not yet answered are marked handled and never answered.
 */
/** `media`: the store the contact's files are deleted from (their rows go in the erase transaction). */
export async function eraseContact(deps: { db: Db; locks: Locks; media?: MediaStore | undefined }, contactId: string): Promise<ContactErased> {
  const { db } = deps;
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { id: true } });
  if (!contact) throw new NotFound('not_found', 'no such contact');
  const conversations = await db.conversation.findMany({ where: { contactId }, select: { id: true, openKey: true }, orderBy: { id: 'asc' } });
  const ids = conversations.map((c) => c.id);
  // Turns run on open conversations (one per channel): those are locked, not every
  // resolved one the contact ever had (each lock holds a connection).
  const open = conversations.filter((c) => c.openKey !== null).map((c) => c.id);
  const erase = async () => {
    const now = new Date();
    const files = await db.mediaFile.findMany({ where: { conversationId: { in: ids } }, select: { storageKey: true } });
    const [, , , messages, handoffs] = await db.$transaction([
      db.message.updateMany({ where: { conversationId: { in: ids }, direction: 'outbound', status: { in: ['queued', 'sending'] } }, data: { status: 'failed', errorCode: 'erased' } }),
      db.message.updateMany({ where: { conversationId: { in: ids }, direction: 'inbound', handledAt: null }, data: { handledAt: now } }),
      db.outbox.deleteMany({ where: { conversationId: { in: ids }, kind: { in: ['turn', 'send'] } } }),
      db.message.updateMany({ where: { conversationId: { in: ids } }, data: { text: ERASED, payload: { erased: true }, authorName: null } }),
      db.handoffEvent.updateMany({ where: { conversationId: { in: ids } }, data: { envelope: { erased: true }, error: null } }),
      db.conversation.updateMany({ where: { contactId }, data: { context: { erased: true }, externalId: ERASED, openKey: null, status: 'resolved', ownerType: 'queue', ownerId: null } }),
      db.channelIdentity.deleteMany({ where: { contactId } }),
      db.webchatSession.deleteMany({ where: { contactId } }),
      db.contact.update({ where: { id: contactId }, data: { name: null, phone: null, email: null, memory: {}, erasedAt: now } }),
      db.mediaFile.deleteMany({ where: { conversationId: { in: ids } } }),
      // Corrections keep the customer's words: they go with the rest.
      db.intentCorrection.deleteMany({ where: { conversationId: { in: ids } } }),
    ]);
    for (const { storageKey } of files) if (storageKey) await deps.media?.delete(storageKey);
    return { contactId, conversations: ids.length, messagesErased: messages.count, handoffsKept: handoffs.count };
  };
  // Locks taken in id order, one after the other, all held for the erase.
  const underLocks = (rest: readonly string[]): Promise<ContactErased> =>
    rest.length === 0 ? erase() : deps.locks.withLock('conversation', rest[0]!, () => underLocks(rest.slice(1)), { waitMs: ERASE_LOCK_WAIT_MS });
  try {
    return await underLocks(open);
  } catch (err) {
    if (err instanceof LockBusy) throw new UnavailableError('a conversation of this contact is busy; retry shortly');
    throw err;
  }
}
