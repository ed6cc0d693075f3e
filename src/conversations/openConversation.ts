// The one open conversation of a contact on a channel, created on first contact. A new
// conversation starts with what Baton already knows about the customer.
import type { ChannelName } from '../channels/channel.ts';
import type { Tx } from '../db/transaction.ts';
import { asJson } from '../db/json.ts';
import { parseMemory, ConversationContext } from './context.ts';

export async function openConversation(
  tx: Tx,
  contact: { id: string; locale: string | null; memory: unknown },
  channel: ChannelName,
  externalId: string,
  defaultLocale: string,
) {
  const openKey = `${contact.id}:${channel}`;
  const existing = await tx.conversation.findUnique({ where: { openKey } });
  if (existing) return existing;
  const memory = parseMemory(contact.memory);
  const context = ConversationContext.parse({ slots: memory.slots, lineage: ['bot:triage'] });
  return tx.conversation.create({
    data: {
      contactId: contact.id,
      channel,
      externalId,
      openKey,
      locale: contact.locale ?? defaultLocale,
      context: asJson(context),
      ownerType: 'bot',
      ownerId: 'triage',
    },
  });
}
