// The public `Message` shape of the contract, from a stored row. The schema is the one
// definition: the view returns its type, and the API documents and checks it.
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import type { Message as MessageRow } from '../generated/prisma/client.ts';

export const MessageView = z.object({
  id: z.uuid(),
  direction: z.enum(['inbound', 'outbound']),
  text: z.string(),
  author: z.object({ type: z.enum(['contact', 'bot', 'agent', 'system']), id: z.string().nullable(), name: z.string().nullable() }),
  channel: ChannelName,
  createdAt: z.iso.datetime(),
  status: z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'played', 'failed', 'undelivered', 'deleted']),
  kind: z.string().describe('text, interactive, media, location, reaction, unsupported, ...'),
  options: z.array(z.object({ id: z.string(), title: z.string() })).optional().describe('buttons offered with a bot reply'),
  attachment: z.unknown().optional(),
});
export type MessageView = z.infer<typeof MessageView>;

export const MessageList = z.object({ messages: z.array(MessageView) });
export type MessageList = z.infer<typeof MessageList>;

export function messageView(row: MessageRow): MessageView {
  const payload = (row.payload ?? {}) as { options?: { id: string; title: string }[]; attachment?: unknown };
  return {
    id: row.id,
    direction: row.direction,
    text: row.text,
    author: { type: row.authorType, id: row.authorId, name: row.authorName },
    channel: row.channel,
    createdAt: row.createdAt.toISOString(),
    status: row.status,
    kind: row.kind,
    ...(payload.options ? { options: payload.options } : {}),
    ...(payload.attachment ? { attachment: payload.attachment } : {}),
  };
}
