// Dead letters: replies whose every send failed. Supervisors (and the admin token) list
// them and send one again. Mounted before adminRoutes, whose /api/admin guard admits
// the admin token only.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { listDeadLetters, retryDeadLetter } from '../../conversations/retryDeadLetter.ts';
import type { Runtime } from '../../main/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { actorOf, withActor } from '../middleware/auth.ts';

export const DeadLetterListQuery = z.object({
  /** Only those nobody has retried yet (or that failed again after a retry). */
  pending: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function deadLetterRoutes(rt: Runtime): Router {
  const router = Router();
  const supervisorOnly: RequestHandler = (_req, res, next) => {
    if (actorOf(res).role !== 'supervisor') throw new ClientError(403, 'forbidden', 'dead letters are for supervisors and the admin token');
    next();
  };
  const supervisor = [withActor(rt), supervisorOnly];

  router.get('/api/admin/dead-letters', ...supervisor, async (req, res) => {
    const q = DeadLetterListQuery.parse(req.query);
    res.json({ deadLetters: await listDeadLetters(rt.db, q) });
  });

  router.post('/api/admin/dead-letters/:id/retry', ...supervisor, async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new ClientError(400, 'invalid_id', 'dead letter id must be a UUID');
    const deadLetter = await retryDeadLetter({ db: rt.db, producer: rt.producer, dispatcher: rt.dispatcher }, id.data);
    res.status(202).json(deadLetter);
  });
  return router;
}
