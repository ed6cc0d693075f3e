// A customer's right to their data: export everything Baton holds about a contact,
// or erase it. Erasure keeps the fact that conversations and handoffs happened (who
// handed to whom, when, why) but not what was said or known.
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../shared/errors.ts';
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

/** `media`: the store the contact's files are deleted from (their rows go in the same transaction as the rest). */
export async function eraseContact(db: Db, contactId: string, media?: MediaStore): Promise<ContactErased> {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { id: true } });
  if (!contact) throw new NotFound('not_found', 'no such contact');
  const conversations = await db.conversation.findMany({ where: { contactId }, select: { id: true } });
  const ids = conversations.map((c) => c.id);
  const files = await db.mediaFile.findMany({ where: { conversationId: { in: ids } }, select: { storageKey: true } });
  const [messages, handoffs] = await db.$transaction([
    db.message.updateMany({ where: { conversationId: { in: ids } }, data: { text: ERASED, payload: { erased: true } } }),
    db.handoffEvent.updateMany({ where: { conversationId: { in: ids } }, data: { envelope: { erased: true }, error: null } }),
    db.conversation.updateMany({ where: { contactId }, data: { context: { erased: true }, externalId: ERASED, openKey: null, status: 'resolved', ownerType: 'queue', ownerId: null } }),
    db.channelIdentity.deleteMany({ where: { contactId } }),
    db.webchatSession.deleteMany({ where: { contactId } }),
    db.contact.update({ where: { id: contactId }, data: { name: null, phone: null, email: null, memory: {}, erasedAt: new Date() } }),
    db.mediaFile.deleteMany({ where: { conversationId: { in: ids } } }),
  ]);
  for (const { storageKey } of files) if (storageKey) await media?.delete(storageKey);
  return { contactId, conversations: ids.length, messagesErased: messages.count, handoffsKept: handoffs.count };
}
