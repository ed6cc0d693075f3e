// WhatsApp Cloud API webhook: verify, normalize, hand to the use cases. The signature
// is checked over the exact bytes received, before any parsing, so the POST is bespoke.
import express from 'express';
import { z } from 'zod';
import { normalizeWhatsApp, verifyHandshake, verifyWhatsAppSignature, WhatsAppWebhook } from '../../channels/whatsapp/index.ts';
import { applyStatuses } from '../../conversations/applyStatuses.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { requireContentType } from '../middleware/requireContentType.ts';
import { route, type RouteDef } from '../route.ts';

export const WhatsAppWebhookAck = z.object({ received: z.number().int(), statuses: z.number().int() });

export const ingestDeps = (rt: Runtime) => ({ db: rt.db, dispatcher: rt.dispatcher, log: rt.log, defaultLocale: rt.config.defaultLocale, triageId: rt.packs.current().bots.triageId, inbound: rt.inboundWriter });

const EXAMPLE: z.input<typeof WhatsAppWebhook> = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            contacts: [{ profile: { name: 'Asha' }, wa_id: '919812345678' }],
            messages: [{ from: '919812345678', id: 'wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhgg', timestamp: '1717000000', type: 'text', text: { body: 'Where is my order ORD-1001?' } }],
          },
        },
      ],
    },
  ],
};

export const whatsappRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/webhooks/whatsapp',
    operationId: 'verifyWhatsAppWebhook',
    tag: 'Webhooks',
    summary: "Meta's webhook verification handshake",
    description: 'Answers `hub.challenge` as plain text when `hub.verify_token` equals WHATSAPP_VERIFY_TOKEN.',
    auth: 'public',
    noBackingServices: true,
    extraParameters: [
      { name: 'hub.mode', in: 'query', required: true, schema: { type: 'string', const: 'subscribe' } },
      { name: 'hub.verify_token', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'hub.challenge', in: 'query', required: true, schema: { type: 'string' } },
    ],
    responses: { 200: { description: 'The challenge, echoed.', type: 'text/plain', example: '1158201444' } },
    customErrors: { 403: { description: 'The verify token (or mode) is wrong.', example: { error: 'verification_failed', message: 'hub.mode, hub.verify_token or hub.challenge is wrong' } } },
    handler: async ({ rt, req }) => {
      const result = verifyHandshake(req.query, rt.config.whatsapp.verifyToken);
      if (!result.ok) throw new ClientError(403, 'verification_failed', 'hub.mode, hub.verify_token or hub.challenge is wrong');
      return { status: 200 as const, type: 'text/plain', body: result.challenge };
    },
  }),
  route({
    method: 'post',
    path: '/webhooks/whatsapp',
    operationId: 'receiveWhatsAppWebhook',
    tag: 'Webhooks',
    summary: 'WhatsApp Cloud API webhook (messages and statuses)',
    description:
      'Messages (text, interactive replies, media, location, reactions, unsupported) and status updates (sent/delivered/read/failed). ' +
      'Answers 200 once every message in the body is durably stored; a repeated message id changes nothing.',
    auth: 'public',
    extraParameters: [
      {
        name: 'X-Hub-Signature-256',
        in: 'header',
        required: true,
        description: '`sha256=` + hex HMAC-SHA256 of the raw body bytes, keyed with WHATSAPP_APP_SECRET',
        schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
      },
    ],
    body: { schema: WhatsAppWebhook, name: 'WhatsAppWebhook', example: EXAMPLE },
    responses: { 200: { description: 'Every message is stored.', schema: WhatsAppWebhookAck, name: 'WhatsAppWebhookAck' } },
    customErrors: {
      400: { description: 'Not JSON, or not a WhatsApp webhook payload.', example: { error: 'invalid_payload', message: 'not a WhatsApp webhook: object: Invalid input' } },
      401: { description: 'The signature is missing or does not match the body.', example: { error: 'invalid_signature', message: 'X-Hub-Signature-256 does not match the body' } },
    },
    bespoke: (rt) => [
      express.raw({ type: () => true, limit: '1mb' }),
      (req, _res, next) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const signature = req.get('x-hub-signature-256');
        if (!verifyWhatsAppSignature(raw, signature, rt.config.whatsapp.appSecrets)) {
          throw new ClientError(401, 'invalid_signature', signature ? 'X-Hub-Signature-256 does not match the body' : 'X-Hub-Signature-256 is missing');
        }
        next();
      },
      requireContentType('application/json'),
      async (req, res) => {
        let json: unknown;
        try {
          json = JSON.parse((req.body as Buffer).toString('utf8'));
        } catch {
          throw new ClientError(400, 'invalid_json', 'the body is not JSON');
        }
        const parsed = WhatsAppWebhook.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new ClientError(400, 'invalid_payload', `not a WhatsApp webhook: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
        }
        const batch = normalizeWhatsApp(parsed.data);
        await ingestInbound(ingestDeps(rt), batch.messages);
        await applyStatuses(rt.db, batch.statuses);
        res.status(200).json(WhatsAppWebhookAck.parse({ received: batch.messages.length, statuses: batch.statuses.length }));
      },
    ],
  }),
];
