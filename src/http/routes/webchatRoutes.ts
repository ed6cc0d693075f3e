// Web chat: sessions, messages with client-side idempotency, history, and a live
// Server-Sent Events stream of replies. Also serves the widget and the demo page.
import path from 'node:path';
import { z } from 'zod';
import { webchatTopic } from '../../channels/webchat/webchatSender.ts';
import { Locale } from '../../config/env.ts';
import { RTL_LOCALES, translator } from '../../i18n/i18n.ts';
import { ingestInbound } from '../../conversations/ingestInbound.ts';
import { MessageList, type MessageView } from '../../conversations/messageView.ts';
import { createWebchatSession, missedReplies, sessionHistory, WebchatSession } from '../../conversations/webchatSessions.ts';
import { sessionOwner } from '../../realtime/openStreams.ts';
import { rateLimit } from '../middleware/rateLimit.ts';
import { route, type RouteDef } from '../route.ts';
import { openEventStream } from '../sse.ts';
import { page } from './agentRoutes.ts';
import { ingestDeps } from './whatsappRoutes.ts';

export const CreateSessionBody = z.object({
  locale: Locale.optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const PostMessageBody = z.object({
  text: z.string().trim().min(1, 'text must not be empty').max(4096),
  clientMessageId: z.string().trim().min(1).max(100),
  /** The id of the quick reply the customer tapped (its title is `text`). */
  replyId: z.string().trim().min(1).max(200).optional(),
});
export type PostMessageBody = z.infer<typeof PostMessageBody>;

export const MessageAccepted = z.object({ messageId: z.uuid() });

/** Labels the widget shows, in the customer's language (`dir` is ltr or rtl). */
export const WidgetStrings = z.record(z.string(), z.string());
const WIDGET_KEYS = ['title', 'placeholder', 'inputLabel', 'send', 'sending', 'failed', 'retry', 'minimize', 'offline', 'attachment'] as const;

/** Session routes: the session's own token decides (401 for a bad id too), so the id is documented, not refused as a 400. */
const SessionParams = z.object({ id: z.string().describe('web chat session id (a UUID)') });

const ASSETS = path.resolve(import.meta.dirname, '../../channels/webchat/assets');
const UUID = /^[0-9a-f-]{36}$/i;

export const webchatRoutes: RouteDef[] = [
  page('/widget.js', ASSETS, 'widget.js', 'application/javascript', 'The embeddable web chat widget', 'Web chat', 'public, max-age=300'),
  page('/chat', ASSETS, 'chat.html', 'html', 'Demo page hosting the widget', 'Web chat'),
  route({
    method: 'get',
    path: '/webchat/strings',
    operationId: 'getWidgetStrings',
    tag: 'Web chat',
    summary: "The widget's labels in the customer's language",
    description: 'Resolved through the language fallback chain; an unknown locale gets DEFAULT_LOCALE. `dir` is rtl for Urdu, Kashmiri and Sindhi.',
    auth: 'public',
    noBackingServices: true,
    query: z.object({ locale: z.string().optional().catch(undefined).describe('a supported locale; anything else falls back to DEFAULT_LOCALE') }),
    responses: { 200: { description: 'Label texts keyed like the widget expects, plus dir.', schema: WidgetStrings, name: 'WidgetStrings' } },
    handler: async ({ rt, query }) => {
      const locale = Locale.catch(rt.config.defaultLocale).parse(query.locale);
      const t = translator(locale);
      return {
        status: 200 as const,
        headers: { 'Cache-Control': 'public, max-age=300' },
        body: { ...Object.fromEntries(WIDGET_KEYS.map((k) => [k, t(`widget:${k}`)])), bot: t('widget:botLabel'), dir: RTL_LOCALES.has(locale) ? 'rtl' : 'ltr' },
      };
    },
  }),
  route({
    method: 'post',
    path: '/webchat/sessions',
    operationId: 'createWebchatSession',
    tag: 'Web chat',
    summary: 'Start a web chat session',
    description: 'Send `{}` for defaults. The token authenticates every later call on this session.',
    auth: 'public',
    body: { schema: CreateSessionBody, name: 'CreateSessionBody', example: { locale: 'en', name: 'Asha' } },
    responses: { 201: { description: 'The new session and its token (shown once).', schema: WebchatSession, name: 'WebchatSession' } },
    handler: async ({ rt, body }) => ({ status: 201 as const, body: await createWebchatSession(rt.db, body) }),
  }),
  route({
    method: 'post',
    path: '/webchat/sessions/:id/messages',
    operationId: 'postWebchatMessage',
    tag: 'Web chat',
    summary: 'Send a customer message',
    description: 'Idempotent per `clientMessageId`: the same id again answers the same `messageId` and nothing is processed twice.',
    auth: 'session',
    params: SessionParams,
    afterAuth: (rt) => [
      rateLimit(rt.producerRedis, rt.config.queuePrefix, { name: 'sender', max: rt.config.rateLimits.senderPerMinute, windowMs: 60_000, key: (req) => String(req.params.id) }),
    ],
    body: { schema: PostMessageBody, name: 'PostMessageBody', example: { text: 'Where is my order ORD-1001?', clientMessageId: 'c-01J2Z3QX' } },
    responses: { 202: { description: 'Stored; the bot answers asynchronously (see the events stream).', schema: MessageAccepted, name: 'MessageAccepted' } },
    handler: async ({ rt, session, body }) => {
      const s = session();
      const [stored] = await ingestInbound(ingestDeps(rt), [
        {
          channel: 'webchat',
          providerMessageId: `${s.id}:${body.clientMessageId}`,
          from: { externalId: s.id, ...(s.contact.name ? { name: s.contact.name } : {}) },
          receivedAt: new Date(),
          text: body.text,
          ...(body.replyId ? { kind: 'interactive' as const, replyId: body.replyId } : { kind: 'text' as const }),
        },
      ]);
      return { status: 202 as const, body: { messageId: stored!.messageId } };
    },
  }),
  route({
    method: 'get',
    path: '/webchat/sessions/:id/messages',
    operationId: 'listWebchatMessages',
    tag: 'Web chat',
    summary: "The session's history (last 200 messages, oldest first)",
    auth: 'session',
    tokenInQuery: true,
    params: SessionParams,
    responses: { 200: { description: 'Messages.', schema: MessageList, name: 'MessageList' } },
    handler: async ({ rt, session }) => ({ status: 200 as const, body: { messages: await sessionHistory(rt.db, session().id) } }),
  }),
  route({
    method: 'get',
    path: '/webchat/sessions/:id/events',
    operationId: 'streamWebchatEvents',
    tag: 'Web chat',
    summary: 'Live replies as Server-Sent Events',
    description:
      'Each reply is `event: message` with `id: <messageId>` and a `Message` as data. Reconnecting with `Last-Event-ID` replays what was missed. ' +
      'The stream ends when the server shuts down; EventSource reconnects.',
    auth: 'session',
    tokenInQuery: true,
    params: SessionParams,
    extraParameters: [{ name: 'Last-Event-ID', in: 'header', required: false, description: 'the last message id seen', schema: { type: 'string', format: 'uuid' } }],
    responses: { 200: { description: 'An endless event stream; data is a `Message`.', type: 'text/event-stream' } },
    bespoke: (rt) => [
      (req, res) => {
        const session = res.locals.session as { id: string };
        const lastId = req.get('last-event-id');
        const asEvent = (view: MessageView) => ({ event: 'message', id: view.id, data: view });
        openEventStream(req, res, {
          streams: rt.streams,
          owner: sessionOwner(session.id),
          log: rt.log,
          subscribe: (send) => [rt.bus.subscribe(webchatTopic(session.id), (payload) => send(asEvent(payload as MessageView)))],
          ...(lastId && UUID.test(lastId)
            ? {
                replay: async (send) => {
                  for (const view of await missedReplies(rt.db, session.id, lastId)) send(asEvent(view));
                },
              }
            : {}),
        });
      },
    ],
  }),
];
