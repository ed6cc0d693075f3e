// The files of an inbound message: listed in its payload when it is stored (each with an
// id of its own), then made into MediaFile rows with an outbox row each, so the media
// worker downloads them after the webhook has answered.
import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Dispatch } from '../queues/dispatcher.ts';

/** What the payload keeps per file; `source` is the provider's reference, never shown. */
export type MediaEntry = { id: string; kind: string; mimeType?: string; filename?: string; source?: string };

export function inboundMedia(message: InboundMessage): MediaEntry[] {
  const files = message.attachments ?? (message.attachment ? [message.attachment] : []);
  return files.flatMap((file) => {
    const source = file.mediaId ?? file.url;
    if (!source) return [];
    return [{ id: randomUUID(), kind: file.kind, source, ...(file.mimeType && { mimeType: file.mimeType }), ...(file.filename && { filename: file.filename }) }];
  });
}

/** One statement per batch: rows that exist already (a repeated webhook) add nothing. */
export async function recordInboundMedia(db: Db, messageIds: readonly string[]): Promise<Dispatch[]> {
  if (messageIds.length === 0) return [];
  const rows = await db.$queryRaw<Array<{ id: string; conversationId: string }>>`
    WITH files AS (
      INSERT INTO "MediaFile" (id, "messageId", "conversationId", channel, direction, status, kind, "mimeType", filename, source, "updatedAt")
      SELECT (e->>'id')::uuid, m.id, m."conversationId", m.channel, 'inbound', 'pending', e->>'kind', e->>'mimeType', e->>'filename', e->>'source', now()
        FROM "Message" m, jsonb_array_elements(m.payload->'media') e
       WHERE m.id = ANY(${messageIds as string[]}::uuid[]) AND jsonb_typeof(m.payload->'media') = 'array'
      ON CONFLICT (id) DO NOTHING
      RETURNING id, "conversationId"
    ), queued AS (
      INSERT INTO "Outbox" (kind, "conversationId", "messageId") SELECT 'media', "conversationId", id FROM files
      ON CONFLICT (kind, "messageId") DO NOTHING
    )
    SELECT id, "conversationId" FROM files`;
  return rows.map((row) => ({ kind: 'media', conversationId: row.conversationId, messageId: row.id }));
}
