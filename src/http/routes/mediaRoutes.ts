// Files messages carry: read back (agents, or the web chat customer for their own
// session), fetched by providers from an outbound file's public URL, and sent by agents.
import type { Response } from 'express';
import { z } from 'zod';
import { MessageView, messageView } from '../../conversations/messageView.ts';
import { readMedia, readPublicMedia, type MediaContent } from '../../workspace/readMedia.ts';
import { sendAttachment } from '../../workspace/sendAttachment.ts';
import { bearerToken } from '../middleware/auth.ts';
import { route, type RouteDef } from '../route.ts';
import { ConversationParams } from './agentRoutes.ts';

export const AttachmentBody = z.object({
  data: z.base64({ message: 'data must be the file, base64-encoded' }).min(1).describe('the file, base64 (the 1 MiB body limit allows files of about 750 KB)'),
  mimeType: z.string().min(3).max(100).describe('image/jpeg, image/png, image/webp, image/gif, application/pdf, audio/*, video/mp4, ...'),
  filename: z.string().min(1).max(200).optional(),
  caption: z.string().max(4096).optional(),
  clientMessageId: z.string().min(1).max(100).optional(),
});

const FileParams = z.object({ id: z.string().describe('file id (attachments[].id of a message)') });
const PublicFileParams = z.object({ id: z.string(), token: z.string() });

const NOT_READY = { description: 'The file is still being fetched from the provider.', example: { error: 'not_ready', message: 'the file is still being fetched from the provider' } };

function sendFile(res: Response, file: MediaContent): void {
  res.set({
    'content-type': file.mimeType,
    'content-length': String(file.bytes.length),
    // A customer's file must never run as a page of Baton's origin.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=300',
    'content-disposition': `inline${file.filename ? `; filename*=UTF-8''${encodeURIComponent(file.filename)}` : ''}`,
  });
  res.status(200).end(file.bytes);
}

export const mediaRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/media/:id',
    operationId: 'getMedia',
    tag: 'Media',
    summary: "A message's file",
    description: 'An agent (or admin) token reads any file; a web chat session token reads the files of its own session. The token may also come as `?token=` (for `<img src>`).',
    auth: 'public',
    params: FileParams,
    extraParameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' } }],
    responses: { 200: { description: 'The file, with its media type.', type: 'application/octet-stream' } },
    errors: ['Unauthorized', 'Forbidden', 'NotFound'],
    customErrors: { 409: NOT_READY },
    bespoke: (rt) => [
      async (req, res) => {
        sendFile(res, await readMedia({ db: rt.db, store: rt.mediaStore, adminToken: rt.config.adminToken }, String(req.params.id), bearerToken(req)));
      },
    ],
  }),
  route({
    method: 'get',
    path: '/media/:id/:token',
    operationId: 'getPublicMedia',
    tag: 'Media',
    summary: 'An outbound file, for the provider delivering it',
    description: 'The URL Baton gives WhatsApp (`link`) and Twilio (`MediaUrl`) when an agent sends a file; the unguessable token in it is the only credential, for a week. Inbound files are never served here.',
    auth: 'public',
    params: PublicFileParams,
    responses: { 200: { description: 'The file, with its media type.', type: 'application/octet-stream' } },
    errors: ['NotFound'],
    bespoke: (rt) => [
      async (req, res) => {
        sendFile(res, await readPublicMedia({ db: rt.db, store: rt.mediaStore }, String(req.params.id), String(req.params.token)));
      },
    ],
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/attachments',
    operationId: 'sendAttachment',
    tag: 'Agents',
    summary: 'Send a file to the customer',
    description:
      'JSON with the file base64-encoded. WhatsApp: an image, video, audio or document message whose `link` is a public Baton URL; SMS: an MMS with that URL as `MediaUrl`; ' +
      'web chat: the message carries the file in `attachments`. Same rules as a text reply: only the holder, not outside the WhatsApp 24-hour window, not to an opted-out number.',
    auth: 'agent',
    params: ConversationParams,
    body: { schema: AttachmentBody, name: 'AttachmentBody', example: { data: 'JVBERi0xLjQK', mimeType: 'application/pdf', filename: 'invoice-ORD-1001.pdf', caption: 'Your invoice' } },
    responses: { 201: { description: 'The stored message; it is sent asynchronously.', schema: MessageView, name: 'Message' } },
    errors: ['Forbidden', 'NotFound'],
    customErrors: {
      422: {
        description: 'Outside the WhatsApp 24-hour window (`template_required`), a type Baton does not send (`unsupported_type`), too large (`too_large`) or a caption too long (`too_long`).',
        example: { error: 'unsupported_type', message: 'images (jpeg, png, webp, gif), pdf, audio and video only' },
      },
      409: { description: 'The customer opted out of messages on this channel.', example: { error: 'opted_out', message: 'the customer opted out of messages on this channel (they opt back in by sending START)' } },
    },
    handler: async ({ rt, actor, params, body }) => ({
      status: 201 as const,
      body: messageView(await sendAttachment({ ...rt.escalation, store: rt.mediaStore, publicBaseUrl: rt.config.publicBaseUrl }, actor(), params.id, body)),
    }),
  }),
];
