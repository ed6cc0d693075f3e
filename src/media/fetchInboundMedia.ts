// Use case: download one inbound file and keep it. Runs in the media worker, never in the
// webhook's request path, and never holds up the bot's turn: the turn has the caption
// and the kind; the file follows when it arrives.
import type { ChannelName } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { ProviderError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { downloadMedia, RefusedMedia, type DownloadConfig } from './download.ts';
import { mediaKey, type MediaStore } from './store.ts';

export type MediaDeps = { db: Db; store: MediaStore; log: Logger; download: DownloadConfig };

export type FetchOutcome = 'stored' | 'failed' | 'nothing';

/** `lastTry`: no retry follows, so a retryable failure is recorded as final. */
export async function fetchInboundMedia(deps: MediaDeps, fileId: string, lastTry: boolean): Promise<FetchOutcome> {
  const [file] = await deps.db.$queryRaw<Array<{ id: string; conversationId: string; channel: ChannelName; source: string | null }>>`
    UPDATE "MediaFile" SET attempts = attempts + 1, "updatedAt" = now()
     WHERE id = ${fileId}::uuid AND status = 'pending' AND direction = 'inbound'
    RETURNING id, "conversationId", channel, source`;
  // Stored already (a repeated job), or erased with its contact.
  if (!file) return 'nothing';
  if (!file.source) return fail(deps, fileId, 'no_source');
  try {
    const { bytes, mimeType } = await downloadMedia(deps.download, file.channel, file.source);
    const key = mediaKey(file.conversationId, file.id);
    await deps.store.put(key, bytes);
    const updated = await deps.db.mediaFile.updateMany({
      where: { id: file.id, status: 'pending' },
      data: { status: 'stored', storageKey: key, mimeType, size: bytes.length, source: null, error: null },
    });
    // Erased while downloading: the file must not outlive the row.
    if (updated.count === 0) await deps.store.delete(key);
    return 'stored';
  } catch (err) {
    if (err instanceof RefusedMedia) return fail(deps, fileId, err.code);
    const code = err instanceof ProviderError ? `download_${err.status ?? 'network'}` : 'store_failed';
    // The last try records whatever went wrong, so no file stays `pending` for ever.
    if (lastTry || (err instanceof ProviderError && !err.retryable)) return fail(deps, fileId, code);
    deps.log.warn({ fileId, channel: file.channel, err: err instanceof Error ? err.message : String(err) }, 'media download failed; will retry');
    throw err;
  }
}

async function fail(deps: MediaDeps, fileId: string, code: string): Promise<FetchOutcome> {
  await deps.db.mediaFile.updateMany({ where: { id: fileId, status: 'pending' }, data: { status: 'failed', error: code, source: null } });
  deps.log.warn({ fileId, code }, 'media not kept');
  return 'failed';
}
