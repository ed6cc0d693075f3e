// The public `Message` shape of the contract, from a stored row.
import type { Message as MessageRow } from '../generated/prisma/client.ts';

export type MessageView = {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string;
  author: { type: 'contact' | 'bot' | 'agent' | 'system'; id: string | null; name: string | null };
  channel: string;
  createdAt: string;
  status: string;
  kind: string;
  options?: { id: string; title: string }[];
  attachment?: unknown;
};

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
