// Fetches an inbound file from its provider. Translates only: the caller decides what a
// failure means (ProviderError.retryable says whether trying again can help).
import { z } from 'zod';
import type { ChannelName } from '../channels/channel.ts';
import { ProviderError } from '../shared/errors.ts';
import { bareType, isAllowedType, MAX_MEDIA_BYTES } from './limits.ts';

export type Downloaded = { bytes: Buffer; mimeType: string };

export type DownloadConfig = {
  whatsapp: { apiBase: string; accessToken: string };
  twilio: { accountSid: string; authToken: string };
  timeoutMs: number;
};

/** A file Baton will not keep, whatever the number of tries. */
export class RefusedMedia extends Error {
  constructor(readonly code: 'too_large' | 'unsupported_type') {
    super(code);
  }
}

const MediaInfo = z.object({ url: z.url(), mime_type: z.string().optional(), file_size: z.coerce.number().optional() });

/**
 * WhatsApp: GET {base}/{media-id} → JSON with a short-lived `url`, then GET that with the
 * same bearer token. Twilio: GET the MediaUrl with basic auth (it redirects to storage;
 * fetch drops the Authorization header when the redirect leaves the origin).
 */
export async function downloadMedia(config: DownloadConfig, channel: ChannelName, source: string): Promise<Downloaded> {
  if (channel === 'whatsapp') {
    const bearer = `Bearer ${config.whatsapp.accessToken}`;
    const infoUrl = /^https?:\/\//.test(source) ? undefined : `${config.whatsapp.apiBase}/${encodeURIComponent(source)}`;
    let url = source;
    if (infoUrl) {
      const info = await get(infoUrl, bearer, config.timeoutMs, channel);
      const parsed = MediaInfo.safeParse(parseJson(info.bytes));
      if (!parsed.success) throw new ProviderError('WhatsApp media info has no url', channel, false, info.status);
      if (parsed.data.file_size !== undefined && parsed.data.file_size > MAX_MEDIA_BYTES) throw new RefusedMedia('too_large');
      url = parsed.data.url;
    }
    return check(await get(url, bearer, config.timeoutMs, channel));
  }
  if (channel === 'sms') {
    const basic = `Basic ${Buffer.from(`${config.twilio.accountSid}:${config.twilio.authToken}`).toString('base64')}`;
    return check(await get(source, basic, config.timeoutMs, channel));
  }
  throw new ProviderError(`no inbound media on ${channel}`, channel, false);
}

function check(response: { bytes: Buffer; type: string }): Downloaded {
  if (!isAllowedType(response.type)) throw new RefusedMedia('unsupported_type');
  return { bytes: response.bytes, mimeType: bareType(response.type) };
}

async function get(url: string, authorization: string, timeoutMs: number, channel: ChannelName) {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    throw new ProviderError(`media download failed before a response (${reason})`, channel, true);
  }
  if (!response.ok) {
    await response.body?.cancel();
    const retryable = response.status >= 500 || response.status === 429 || response.status === 404;
    throw new ProviderError(`media download answered ${response.status}`, channel, retryable, response.status);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_MEDIA_BYTES) {
    await response.body?.cancel();
    throw new RefusedMedia('too_large');
  }
  return { bytes: await readCapped(response), type: response.headers.get('content-type') ?? '', status: response.status };
}

/** Reads the body, giving up as soon as it passes the limit (a missing or lying Content-Length). */
async function readCapped(response: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_MEDIA_BYTES) throw new RefusedMedia('too_large');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
