// The human side: the inbox, claims, replies, release/transfer/resolve, the live
// event stream, and the agent console page. Routes parse and call one use case each.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../agents/authenticate.ts';
import { conversationView } from '../../conversations/conversationView.ts';
import { messageView } from '../../conversations/messageView.ts';
import { AGENTS_TOPIC, SUPERVISORS_TOPIC, agentTopic, type AgentEvent } from '../../escalation/agentEvents.ts';
import { agentReply } from '../../escalation/agentReply.ts';
import { claimConversation } from '../../escalation/claimConversation.ts';
import { mayTake } from '../../escalation/eligibility.ts';
import { releaseConversation, resolveConversation, transferConversation } from '../../escalation/handOn.ts';
import { inboxFor } from '../../escalation/inbox.ts';
import type { Runtime } from '../../main/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { actorOf, withActor } from '../middleware/auth.ts';
import { requireContentType } from '../middleware/requireContentType.ts';

export const AgentMessageBody = z
  .object({
    text: z.string().trim().min(1).max(4096).optional(),
    template: z.object({ name: z.string().min(1).max(512), language: z.string().min(2).max(10), params: z.array(z.string().max(1024)).max(10).default([]) }).optional(),
    clientMessageId: z.string().min(1).max(100).optional(),
  })
  .refine((b) => b.text || b.template, { message: 'text or template is required' });
export type AgentMessageBody = z.infer<typeof AgentMessageBody>;

export const ReleaseBody = z.object({
  to: z.enum(['bot', 'queue']),
  note: z.string().trim().max(2000).optional(),
  /** What the agent learned, as slots the bot can use (e.g. {"orderId": "ORD-1002"}). */
  slots: z.record(z.string().regex(/^[a-zA-Z][\w]{0,40}$/), z.string().max(200)).optional(),
});
export type ReleaseBody = z.infer<typeof ReleaseBody>;

export const TransferBody = z.object({ agentId: z.uuid() });
export type TransferBody = z.infer<typeof TransferBody>;

const ConversationId = z.uuid({ message: 'conversation id must be a UUID' });
const ASSETS = path.resolve(import.meta.dirname, '../../agents/assets');

export function agentRoutes(rt: Runtime): Router {
  const router = Router();
  const json = [requireContentType('application/json'), express.json({ limit: '1mb' })];
  const auth = withActor(rt);
  const id = (raw: unknown) => {
    const parsed = ConversationId.safeParse(raw);
    if (!parsed.success) throw new ClientError(400, 'invalid_id', 'conversation id must be a UUID');
    return parsed.data;
  };
  const view = async (conversationId: string) =>
    conversationView(
      await rt.db.conversation.findUniqueOrThrow({
        where: { id: conversationId },
        include: { contact: true, messages: { orderBy: { seq: 'asc' }, take: 500 }, handoffs: { orderBy: { createdAt: 'asc' } } },
      }),
    );

  for (const [route, file, type] of [
    ['/agent', 'agent.html', 'html'],
    ['/agent.js', 'agent.js', 'application/javascript'],
    ['/agent.css', 'agent.css', 'text/css'],
  ] as const) {
    router.get(route, (_req, res) => {
      let body: string;
      try {
        body = readFileSync(path.join(ASSETS, file), 'utf8');
      } catch {
        throw new ClientError(404, 'not_found', `${route} is not available`);
      }
      res.type(type).send(body);
    });
  }

  router.get('/api/me', auth, (_req, res) => {
    const { kind, id: actorId, name, role, languages, skills } = actorOf(res);
    res.json({ id: actorId, kind, name, role, languages, skills });
  });

  router.get('/api/inbox', auth, async (_req, res) => {
    res.json(await inboxFor(rt.db, actorOf(res)));
  });

  router.post('/api/conversations/:id/claim', auth, async (req, res) => {
    const conversation = await claimConversation(rt.escalation, actorOf(res), id(req.params.id));
    res.json(await view(conversation.id));
  });

  router.post('/api/conversations/:id/messages', auth, ...json, async (req, res) => {
    const body = AgentMessageBody.parse(req.body);
    const message = await agentReply(rt.escalation, actorOf(res), id(req.params.id), body);
    res.status(201).json(messageView(message));
  });

  router.post('/api/conversations/:id/release', auth, ...json, async (req, res) => {
    const body = ReleaseBody.parse(req.body);
    await releaseConversation(rt.escalation, actorOf(res), id(req.params.id), body);
    res.json(await view(id(req.params.id)));
  });

  router.post('/api/conversations/:id/transfer', auth, ...json, async (req, res) => {
    const body = TransferBody.parse(req.body);
    await transferConversation(rt.escalation, actorOf(res), id(req.params.id), body.agentId);
    res.json(await view(id(req.params.id)));
  });

  router.post('/api/conversations/:id/resolve', auth, async (req, res) => {
    await resolveConversation(rt.escalation, actorOf(res), id(req.params.id));
    res.json(await view(id(req.params.id)));
  });

  router.get('/api/events', auth, (req, res) => {
    const actor = actorOf(res);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 3000\n\n');
    const write = (e: AgentEvent) => res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    const onShared = (payload: unknown) => {
      const e = payload as AgentEvent;
      if (e.event === 'waiting' && !fits(actor, e.data)) return;
      write(e);
    };
    const unsubscribers = [rt.bus.subscribe(AGENTS_TOPIC, onShared)];
    if (actor.kind === 'agent') unsubscribers.push(rt.bus.subscribe(agentTopic(actor.id), (p) => write(p as AgentEvent)));
    if (actor.role === 'supervisor') unsubscribers.push(rt.bus.subscribe(SUPERVISORS_TOPIC, (p) => write(p as AgentEvent)));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      for (const off of unsubscribers) off();
    });
  });
  return router;
}

function fits(actor: Actor, data: Record<string, unknown>): boolean {
  const locale = typeof data.locale === 'string' ? data.locale : 'en';
  const intent = typeof data.intent === 'string' ? data.intent : undefined;
  return mayTake(actor, { locale, intent });
}
