// A customer's right to their data: export everything Baton holds about a contact,
// or erase it. Erasure keeps the fact that conversations and handoffs happened (who
// handed to whom, when, why) but not what was said or known.
import type { Db } from '../db/client.ts';
import { ClientError } from '../shared/errors.ts';

export const ERASED = '[erased]';

export async function exportContact(db: Db, contactId: string) {
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    include: {
      identities: true,
      conversations: { include: { messages: { orderBy: { seq: 'asc' } }, handoffs: { orderBy: { createdAt: 'asc' } } } },
    },
  });
  if (!contact) throw new ClientError(404, 'not_found', 'no such contact');
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

export async function eraseContact(db: Db, contactId: string) {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { id: true } });
  if (!contact) throw new ClientError(404, 'not_found', 'no such contact');
  const conversations = await db.conversation.findMany({ where: { contactId }, select: { id: true } });
  const ids = conversations.map((c) => c.id);
  const [messages, handoffs] = await db.$transaction([
    db.message.updateMany({ where: { conversationId: { in: ids } }, data: { text: ERASED, payload: { erased: true } } }),
    db.handoffEvent.updateMany({ where: { conversationId: { in: ids } }, data: { envelope: { erased: true }, error: null } }),
    db.conversation.updateMany({ where: { contactId }, data: { context: { erased: true }, externalId: ERASED, openKey: null, status: 'resolved', ownerType: 'queue', ownerId: null } }),
    db.channelIdentity.deleteMany({ where: { contactId } }),
    db.webchatSession.deleteMany({ where: { contactId } }),
    db.contact.update({ where: { id: contactId }, data: { name: null, phone: null, email: null, memory: {}, erasedAt: new Date() } }),
  ]);
  return { contactId, conversations: ids.length, messagesErased: messages.count, handoffsKept: handoffs.count };
}
