// Finds or creates the contact behind a channel address. A phone number seen on any
// channel is the same person, so WhatsApp and SMS share one contact and its memory.
import type { ChannelName } from '../channels/channel.ts';
import type { Tx } from '../db/transaction.ts';

export type ChannelAddress = { channel: ChannelName; externalId: string; phone?: string; name?: string };

export async function resolveContact(tx: Tx, address: ChannelAddress) {
  const identity = await tx.channelIdentity.findUnique({
    where: { channel_externalId: { channel: address.channel, externalId: address.externalId } },
    include: { contact: true },
  });
  if (identity) {
    if (address.name && !identity.contact.name) {
      return tx.contact.update({ where: { id: identity.contactId }, data: { name: address.name } });
    }
    return identity.contact;
  }
  const contact =
    (address.phone ? await tx.contact.findUnique({ where: { phone: address.phone } }) : null) ??
    (await tx.contact.create({ data: { phone: address.phone ?? null, name: address.name ?? null } }));
  await tx.channelIdentity.create({
    data: { contactId: contact.id, channel: address.channel, externalId: address.externalId },
  });
  return contact;
}
