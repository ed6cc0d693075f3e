// Use case: a person sends a file to the customer. The file is kept like any other, and
// the provider fetches it from a public URL that carries an unguessable token of its
// own (WhatsApp `link`, Twilio `MediaUrl`); web chat shows it from GET /api/media/:id.
// A link rather than an upload to Meta's /media first: one request per send, and the
// same path serves every channel. PUBLIC_BASE_URL must therefore be reachable by Meta
// and Twilio.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../agents/authenticate.ts';
import type { OutboundMedia } from '../media/outboundMedia.ts';
import { attachmentKind } from '../channels/sms/normalize.ts';
import { MAX_TEXT } from '../channels/limits.ts';
import { queueOutbound } from '../conversations/queueOutbound.ts';
import { agentIdempotencyKey, conversationToReplyTo, stillMayWrite, templateRequired } from '../escalation/agentReply.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { InvalidInput, Unprocessable } from '../shared/errors.ts';
import { bareType, isAllowedType, MAX_MEDIA_BYTES } from '../media/limits.ts';
import { mediaKey, type MediaStore } from '../media/store.ts';

/** What an outbound message's payload keeps per file (`link`: the provider's URL; never shown in the message view). */

export type SendAttachmentInput = { data: string; mimeType: string; filename?: string | undefined; caption?: string | undefined; clientMessageId?: string | undefined };

export async function sendAttachment(deps: EscalationDeps & { store: MediaStore; publicBaseUrl: string }, actor: Actor, conversationId: string, input: SendAttachmentInput) {
  const { conversation, outsideWindow, holds } = await conversationToReplyTo(deps, actor, conversationId);
  if (outsideWindow) throw templateRequired();
  const mimeType = bareType(input.mimeType);
  if (!isAllowedType(mimeType)) throw new Unprocessable('unsupported_type', 'images (jpeg, png, webp, gif), pdf, audio and video only');
  const bytes = Buffer.from(input.data, 'base64');
  if (bytes.length === 0) throw new InvalidInput('invalid_request', 'data: the file is empty');
  if (bytes.length > MAX_MEDIA_BYTES) throw new Unprocessable('too_large', `files are at most ${MAX_MEDIA_BYTES} bytes`);
  const caption = input.caption ?? '';
  const limit = MAX_TEXT[conversation.channel];
  if (Array.from(caption).length > limit) throw new Unprocessable('too_long', `${conversation.channel} takes at most ${limit} characters in one message`);

  const idempotencyKey = agentIdempotencyKey(actor, input.clientMessageId);
  // A repeated request: the file is stored already, and storing it again would orphan it.
  const existing = await deps.db.message.findUnique({ where: { idempotencyKey } });
  if (existing) return existing;

  const id = randomUUID();
  const token = randomBytes(24).toString('base64url');
  const key = mediaKey(conversationId, id);
  await deps.store.put(key, bytes);
  const kind = attachmentKind(mimeType);
  const entry: OutboundMedia = { id, kind, mimeType, ...(input.filename && { filename: input.filename }), link: `${deps.publicBaseUrl}/media/${id}/${token}` };
  const message = await queueOutbound(
    deps.db,
    deps.dispatcher,
    {
      conversationId,
      channel: conversation.channel,
      text: caption,
      author: { type: 'agent', id: actor.id, name: actor.name },
      idempotencyKey,
      locale: conversation.locale,
      payload: { media: [entry] },
    },
    {
      guard: stillMayWrite(conversationId, actor, holds),
      alongside: (tx, messageId) =>
      tx.mediaFile.create({
        data: {
          id,
          messageId,
          conversationId,
          channel: conversation.channel,
          direction: 'outbound',
          status: 'stored',
          kind,
          mimeType,
          filename: input.filename ?? null,
          size: bytes.length,
          storageKey: key,
          publicToken: token,
        },
      }),
    },
  );
  // A concurrent identical request won the idempotency key: its file is the one kept.
  const kept = ((message.payload as { media?: OutboundMedia[] } | null)?.media ?? []).some((m) => m.id === id);
  if (!kept) await deps.store.delete(key);
  return message;
}

