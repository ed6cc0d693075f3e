// Web chat: sessions, messages with client-side idempotency, history, and a live
// Server-Sent Events stream of replies. Also serves the widget and the demo page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { webchatTopic } from '../../channels/webchat/webchatSender.ts';
import { Locale } from '../../config/env.ts';
import { RTL_LOCALES, translator } from '../../i18n/i18n.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import { messageView } from '../../conversations/messageView.ts';
import { authenticateSession, createWebchatSession } from '../../conversations/webchatSessions.ts';
import type { Runtime } from '../../main/runtime.ts';
import { bearerToken } from '../middleware/auth.ts';
import { rateLimit } from '../middleware/rateLimit.ts';
import { requireContentType } from '../middleware/requireContentType.ts';
import { ingestDeps } from './whatsappRoutes.ts';

export const CreateSessionBody = z.object({
  locale: Locale.optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const PostMessageBody = z.object({
  text: z.string().trim().min(1, 'text must not be empty').max(4096),
  clientMessageId: z.string().trim().min(1).max(100),
});
export type PostMessageBody = z.infer<typeof PostMessageBody>;

const ASSETS = path.resolve(import.meta.dirname, '../../channels/webchat/assets');
const HISTORY_LIMIT = 200;

export function webchatRoutes(rt: Runtime): Router {
  const router = Router();
  const json = [requireContentType('application/json'), express.json({ limit: '1mb' })];
  const asset = (file: string) => readFileSync(path.join(ASSETS, file), 'utf8');

  router.get('/widget.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(asset('widget.js'));
  });
  router.get('/chat', (_req, res) => {
    res.type('html').send(asset('chat.html'));
  });

  // The widget's own labels, in the customer's language (with the usual fallbacks).
  router.get('/webchat/strings', (req, res) => {
    const locale = Locale.catch(rt.config.defaultLocale).parse(req.query.locale);
    const t = translator(locale);
    const keys = ['title', 'placeholder', 'inputLabel', 'send', 'sending', 'failed', 'retry', 'minimize', 'offline'] as const;
    res.set('Cache-Control', 'public, max-age=300').json({
      ...Object.fromEntries(keys.map((k) => [k, t(`widget:${k}`)])),
      bot: t('widget:botLabel'),
      dir: RTL_LOCALES.has(locale) ? 'rtl' : 'ltr',
    });
  });

  router.post('/webchat/sessions', ...json, async (req, res) => {
    const body = CreateSessionBody.parse(req.body ?? {});
    res.status(201).json(await createWebchatSession(rt.db, body));
  });

  const perSender = rateLimit(rt.producerRedis, rt.config.queuePrefix, {
    name: 'sender',
    max: rt.config.rateLimits.senderPerMinute,
    windowMs: 60_000,
    key: (req) => String(req.params.id),
  });

  router.post('/webchat/sessions/:id/messages', perSender, ...json, async (req, res) => {
    const session = await authenticateSession(rt.db, String(req.params.id), bearerToken(req));
    const body = PostMessageBody.parse(req.body);
    const [stored] = await ingestInbound(ingestDeps(rt), [
      {
        channel: 'webchat',
        providerMessageId: `${session.id}:${body.clientMessageId}`,
        from: { externalId: session.id, ...(session.contact.name ? { name: session.contact.name } : {}) },
        receivedAt: new Date(),
        kind: 'text',
        text: body.text,
      },
    ]);
    res.status(202).json({ messageId: stored!.messageId });
  });

  router.get('/webchat/sessions/:id/messages', async (req, res) => {
    const session = await authenticateSession(rt.db, String(req.params.id), bearerToken(req));
    const rows = await rt.db.message.findMany({
      where: { conversation: { channel: 'webchat', externalId: session.id } },
      orderBy: { seq: 'desc' },
      take: HISTORY_LIMIT,
    });
    res.json({ messages: rows.reverse().map(messageView) });
  });

  router.get('/webchat/sessions/:id/events', async (req, res) => {
    const session = await authenticateSession(rt.db, String(req.params.id), bearerToken(req));
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const send = (view: { id?: string }) => res.write(`event: message\nid: ${view.id ?? ''}\ndata: ${JSON.stringify(view)}\n\n`);
    const unsubscribe = rt.bus.subscribe(webchatTopic(session.id), (payload) => send(payload as { id?: string }));

    // A reconnecting EventSource says what it saw last; replay what it missed.
    const lastId = req.get('last-event-id');
    if (lastId && /^[0-9a-f-]{36}$/i.test(lastId)) {
      const last = await rt.db.message.findUnique({ where: { id: lastId }, select: { seq: true } });
      if (last) {
        const missed = await rt.db.message.findMany({
          where: { conversation: { channel: 'webchat', externalId: session.id }, direction: 'outbound', seq: { gt: last.seq }, status: { notIn: ['queued', 'sending'] } },
          orderBy: { seq: 'asc' },
          take: HISTORY_LIMIT,
        });
        for (const row of missed) send(messageView(row));
      }
    }
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
