// Twilio SMS webhooks. Twilio signs the public URL it called plus every form field,
// so the body is parsed flat (extended: false) and passed whole to the check.
import express, { Router, type Request } from 'express';
import {
  EMPTY_TWIML,
  formToPairs,
  normalizeSms,
  normalizeSmsStatus,
  TWIML_CONTENT_TYPE,
  TwilioInbound,
  TwilioStatus,
  verifyTwilioSignature,
} from '../../channels/sms/index.ts';
import { applyStatuses } from '../../conversations/applyStatuses.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import type { Runtime } from '../../main/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { requireContentType } from '../middleware/requireContentType.ts';
import { ingestDeps } from './whatsappRoutes.ts';

export function smsRoutes(rt: Runtime): Router {
  const router = Router();
  const form = [requireContentType('application/x-www-form-urlencoded'), express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 200 })];

  const verified = (req: Request, path: string) => {
    const body = (req.body ?? {}) as Record<string, string | string[]>;
    const ok = verifyTwilioSignature({
      authTokens: rt.config.twilio.authTokens,
      url: rt.config.publicBaseUrl + path,
      params: formToPairs(body),
      header: req.get('x-twilio-signature'),
    });
    if (!ok) throw new ClientError(403, 'invalid_signature', 'X-Twilio-Signature does not match PUBLIC_BASE_URL + path and the form');
    return body;
  };

  router.post('/webhooks/sms', ...form, async (req, res) => {
    const body = verified(req, '/webhooks/sms');
    const parsed = TwilioInbound.safeParse(body);
    if (!parsed.success) throw new ClientError(400, 'invalid_payload', 'not a Twilio inbound message (MessageSid, From, To and Body are required)');
    await ingestInbound(ingestDeps(rt), [normalizeSms(parsed.data, new Date())]);
    res.status(200).type(TWIML_CONTENT_TYPE).send(EMPTY_TWIML);
  });

  router.post('/webhooks/sms/status', ...form, async (req, res) => {
    const body = verified(req, '/webhooks/sms/status');
    const parsed = TwilioStatus.safeParse(body);
    // A status Twilio added after this code was written is acknowledged, not refused:
    // refusing only makes Twilio retry something we will never understand.
    const update = parsed.success ? normalizeSmsStatus(parsed.data, new Date()) : null;
    if (update) await applyStatuses(rt.db, [update]);
    res.status(200).type(TWIML_CONTENT_TYPE).send(EMPTY_TWIML);
  });
  return router;
}
