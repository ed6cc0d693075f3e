// What an outbound message's file adds to a send request: the file's public link, kind
// and type (the sender turns it into an image/document message, an MMS or a widget link).
import type { AttachmentKind, OutboundRequest } from '../channels/channel.ts';

export type OutboundMedia = { id: string; kind: AttachmentKind; mimeType: string; filename?: string; link: string };

/** The part of a send request an outbound message's file adds. */
export function mediaRequest(media: OutboundMedia[] | undefined): Pick<OutboundRequest, 'media'> {
  const first = media?.[0];
  if (!first) return {};
  return { media: { kind: first.kind, url: first.link, mimeType: first.mimeType, ...(first.filename && { filename: first.filename }) } };
}
