// WhatsApp Cloud API webhook: verify, normalize, hand to the use cases. The signature
// is checked over the exact bytes received, before any parsing.
import express, { Router } from 'express';
import { normalizeWhatsApp, verifyHandshake, verifyWhatsAppSignature, WhatsAppWebhook } from '../../channels/whatsapp/index.ts';
import { applyStatuses } from '../../conversations/applyStatuses.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import type { Runtime } from '../../main/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { requireContentType } from '../middleware/requireContentType.ts';

export function whatsappRoutes(rt: Runtime): Router {
  const router = Router();

  router.get('/webhooks/whatsapp', (req, res) => {
    const result = verifyHandshake(req.query, rt.config.whatsapp.verifyToken);
    if (!result.ok) throw new ClientError(403, 'verification_failed', 'hub.mode, hub.verify_token or hub.challenge is wrong');
    res.type('text/plain').send(result.challenge);
  });

  router.post(
    '/webhooks/whatsapp',
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
      res.status(200).json({ received: batch.messages.length, statuses: batch.statuses.length });
    },
  );
  return router;
}

export const ingestDeps = (rt: Runtime) => ({ db: rt.db, dispatcher: rt.dispatcher, log: rt.log, defaultLocale: rt.config.defaultLocale });
