// Admin API: agents are created here, and their token is shown exactly once.
import { randomBytes } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import { hashAgentToken, requireAdmin } from '../../agents/authenticate.ts';
import { Locale } from '../../config/env.ts';
import type { Runtime } from '../../main/runtime.ts';
import { isUniqueViolation } from '../../db/dbErrors.ts';
import { ClientError } from '../../shared/errors.ts';
import { actorOf, withActor } from '../middleware/auth.ts';
import { eraseContact, exportContact } from '../../contacts/privacy.ts';
import { requireContentType } from '../middleware/requireContentType.ts';
import { PackInvalid } from '../../packs/loadPack.ts';
import { reloadPack } from '../../packs/reloadPack.ts';

export const CreateAgentBody = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(200),
  role: z.enum(['agent', 'supervisor']),
  languages: z.array(Locale).min(1).max(23),
  skills: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
});
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

export function adminRoutes(rt: Runtime): Router {
  const router = Router();
  router.use('/api/admin', withActor(rt), (_req, res, next) => {
    requireAdmin(actorOf(res));
    next();
  });
  router.post('/api/admin/agents', requireContentType('application/json'), express.json({ limit: '1mb' }), async (req, res) => {
    const body = CreateAgentBody.parse(req.body);
    const token = `agt_${randomBytes(24).toString('base64url')}`;
    try {
      const agent = await rt.db.agent.create({
        data: { name: body.name, email: body.email.toLowerCase(), role: body.role, languages: body.languages, skills: body.skills, tokenHash: hashAgentToken(token) },
      });
      res.status(201).json({ id: agent.id, token });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ClientError(409, 'email_taken', `an agent with email ${body.email} exists`);
      throw err;
    }
  });
  router.post('/api/admin/pack/reload', async (_req, res) => {
    try {
      res.json(await reloadPack({ packs: rt.packs, bus: rt.bus, log: rt.log }));
    } catch (err) {
      if (err instanceof PackInvalid) throw new ClientError(422, 'invalid_pack', err.message);
      throw err;
    }
  });
  router.get('/api/admin/contacts/:id/export', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new ClientError(400, 'invalid_id', 'contact id must be a UUID');
    res.set('Content-Disposition', `attachment; filename="contact-${id.data}.json"`).json(await exportContact(rt.db, id.data));
  });
  router.delete('/api/admin/contacts/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new ClientError(400, 'invalid_id', 'contact id must be a UUID');
    res.json(await eraseContact(rt.db, id.data));
  });
  return router;
}
