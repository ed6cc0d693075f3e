// The public `Message` shape of the contract, from a stored row. The schema is the one
// definition: the view returns its type, and the API documents and checks it.
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import type { Message as MessageRow } from '../generated/prisma/client.ts';
import type { MediaEntry } from '../media/inboundMedia.ts';

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
  attachments: z
    .array(z.object({ id: z.uuid(), kind: z.string(), mimeType: z.string().nullable(), filename: z.string().optional(), url: z.string().describe('GET with an agent token, or the web chat session token for its own messages') }))
    .optional()
    .describe('files the message carries, kept by Baton'),
});
export type MessageView = z.infer<typeof MessageView>;

export const MessageList = z.object({ messages: z.array(MessageView) });
export type MessageList = z.infer<typeof MessageList>;

export function messageView(row: MessageRow): MessageView {
  const payload = (row.payload ?? {}) as { options?: { id: string; title: string }[]; attachment?: unknown; media?: MediaEntry[] };
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
    ...(Array.isArray(payload.media) && payload.media.length > 0 ? { attachments: payload.media.map(attachmentView) } : {}),
  };
}

function attachmentView(entry: MediaEntry) {
  return { id: entry.id, kind: entry.kind, mimeType: entry.mimeType ?? null, ...(entry.filename && { filename: entry.filename }), url: `/api/media/${entry.id}` };
}
