// The human side: who am I, the inbox, claims, replies, release/transfer/resolve, the
// live event stream, and the agent console page. Each route calls one use case.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Actor } from '../../agents/authenticate.ts';
import { consoleScript } from '../../agents/consoleBundle.ts';
import { MessageView, messageView } from '../../conversations/messageView.ts';
import { ConversationView } from '../../conversations/conversationView.ts';
import { currentConversation } from '../../workspace/readSide.ts';
import { AGENTS_TOPIC, SUPERVISORS_TOPIC, agentTopic, type AgentEvent } from '../../escalation/agentEvents.ts';
import { agentReply } from '../../escalation/agentReply.ts';
import { claimConversation } from '../../escalation/claimConversation.ts';
import { mayTake, skillsOf } from '../../escalation/eligibility.ts';
import { releaseConversation, resolveConversation, transferConversation } from '../../escalation/handOn.ts';
import { releaseWithLearning } from '../../workspace/corrections.ts';
import { Inbox, inboxFor } from '../../escalation/inbox.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { agentOwner } from '../../realtime/openStreams.ts';
import { ClientError } from '../../shared/errors.ts';
import { actorOf } from '../middleware/auth.ts';
import { route, type RouteDef } from '../route.ts';
import { openEventStream } from '../sse.ts';

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
  /** What the customer really wanted: recorded as a correction, and its owner bot takes over. */
  intent: z.string().trim().min(1).max(100).optional(),
});
export type ReleaseBody = z.infer<typeof ReleaseBody>;

export const TransferBody = z
  .strictObject({
    agentId: z.uuid().optional().describe('the agent who takes it over'),
    skill: z.string().trim().min(1).max(50).optional().describe('or a team or skill queue: back to the queue for agents with this skill'),
  })
  .refine((b) => (b.agentId === undefined) !== (b.skill === undefined), { message: 'send either agentId or skill' });
export type TransferBody = z.infer<typeof TransferBody>;

export const ConversationParams = z.object({ id: z.uuid({ message: 'conversation id must be a UUID' }).describe('conversation id') });

export const Me = z.object({
  id: z.string(),
  kind: z.enum(['admin', 'agent']),
  name: z.string(),
  role: z.enum(['agent', 'supervisor']),
  languages: z.array(z.string()),
  skills: z.array(z.string()),
});

const ASSETS = path.resolve(import.meta.dirname, '../../agents/assets');

/** A static page or asset, read on each request (so a missing build is a 404, not a crash). */
export function servePage(dir: string, file: string, type: string, cacheControl?: string): RequestHandler {
  return (req, res) => {
    let body: string;
    try {
      body = readFileSync(path.join(dir, file), 'utf8');
    } catch {
      throw new ClientError(404, 'not_found', `${req.path} is not available`);
    }
    if (cacheControl) res.set('Cache-Control', cacheControl);
    res.type(type).send(body);
  };
}

export const page = (routePath: string, dir: string, file: string, type: string, summary: string, tag = 'Pages', cacheControl?: string) =>
  route({
    method: 'get',
    path: routePath,
    operationId: `page${file.replace(/[^a-zA-Z]/g, '')}`,
    tag,
    summary,
    auth: 'public',
    noBackingServices: true,
    responses: { 200: { description: file, type: type === 'html' ? 'text/html' : type } },
    bespoke: () => [servePage(dir, file, type, cacheControl)],
  });

const conversationAction = (
  action: 'release' | 'transfer' | 'resolve',
  summary: string,
  description: string,
  body: RouteDef['body'],
  act: (rt: Runtime, actor: Actor, id: string, body: never) => Promise<unknown>,
) =>
  route({
    method: 'post',
    path: `/api/conversations/:id/${action}`,
    operationId: `${action}Conversation`,
    tag: 'Agents',
    summary,
    description,
    auth: 'agent',
    params: ConversationParams,
    ...(body ? { body } : {}),
    responses: { 200: { description: 'The conversation after the change.', schema: ConversationView, name: 'Conversation' } },
    errors: ['Forbidden', 'NotFound', 'Conflict'],
    handler: async ({ rt, actor, params, body: input }) => {
      await act(rt, actor(), params.id, input as never);
      return { status: 200 as const, body: await currentConversation(rt.db, params.id) };
    },
  });

export const agentRoutes: RouteDef[] = [
  page('/agent', ASSETS, 'agent.html', 'html', 'The agent console'),
  route({
    method: 'get',
    path: '/agent.js',
    operationId: 'pageagentjs',
    tag: 'Pages',
    summary: 'The agent console script (src/console, bundled)',
    auth: 'public',
    noBackingServices: true,
    responses: { 200: { description: 'agent.js', type: 'application/javascript' } },
    bespoke: () => {
      void consoleScript().catch(() => {}); // bundle at start, not on the first agent's request
      return [
        (_req, res, next) => {
          consoleScript().then((js) => res.type('application/javascript').set('Cache-Control', 'no-cache').send(js), next);
        },
      ];
    },
  }),
  page('/agent.css', ASSETS, 'agent.css', 'text/css', 'The agent console styles'),
  route({
    method: 'get',
    path: '/api/me',
    operationId: 'whoAmI',
    tag: 'Agents',
    summary: 'Who the token belongs to',
    auth: 'agent',
    responses: { 200: { description: 'The caller.', schema: Me, name: 'Me' } },
    handler: async ({ actor }) => {
      const { kind, id, name, role, languages, skills } = actor();
      return { status: 200 as const, body: { id, kind, name, role, languages, skills } };
    },
  }),
  route({
    method: 'get',
    path: '/api/inbox',
    operationId: 'inbox',
    tag: 'Agents',
    summary: 'Conversations waiting for a person that this agent may take, most urgent first',
    auth: 'agent',
    responses: { 200: { description: 'Up to 100 waiting conversations.', schema: Inbox, name: 'Inbox' } },
    handler: async ({ rt, actor }) => ({ status: 200 as const, body: await inboxFor(rt.db, actor(), 100, skillsOf(rt.packs.current().bots)) }),
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/claim',
    operationId: 'claimConversation',
    tag: 'Agents',
    summary: 'Claim a waiting conversation',
    description: 'Of any number of simultaneous claims exactly one wins; the others get 409 `already_claimed`.',
    auth: 'agent',
    params: ConversationParams,
    responses: { 200: { description: 'The conversation, now held by the caller.', schema: ConversationView, name: 'Conversation' } },
    errors: ['Forbidden', 'NotFound'],
    customErrors: { 409: { description: 'Someone else claimed it first, or it is not waiting.', example: { error: 'already_claimed', message: 'this conversation is not waiting for a person' } } },
    handler: async ({ rt, actor, params }) => {
      const conversation = await claimConversation(rt.escalation, actor(), params.id);
      return { status: 200 as const, body: await currentConversation(rt.db, conversation.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/messages',
    operationId: 'replyToConversation',
    tag: 'Agents',
    summary: "Reply on the customer's channel",
    description: '`text` or `template` is required (a WhatsApp template is needed once the customer last wrote more than 24 hours ago). 403 unless the caller holds the conversation.',
    auth: 'agent',
    params: ConversationParams,
    body: { schema: AgentMessageBody, name: 'AgentMessageBody', example: { text: 'Hi Asha, I am looking at your order now.', clientMessageId: 'a-01J2Z3QX' } },
    responses: { 201: { description: 'The stored reply; it is sent asynchronously.', schema: MessageView, name: 'Message' } },
    errors: ['Forbidden', 'NotFound'],
    customErrors: {
      422: {
        description: 'Outside the WhatsApp 24-hour window without a template (`template_required`), or longer than the channel takes in one message (`too_long`: SMS 1,600 characters, WhatsApp 4,096).',
        example: { error: 'template_required', message: 'the customer last wrote more than 24 hours ago: WhatsApp only allows an approved template now' },
      },
      409: {
        description: 'The customer opted out of messages on this channel (SMS STOP) and has not sent START since.',
        example: { error: 'opted_out', message: 'the customer opted out of messages on this channel (they opt back in by sending START)' },
      },
    },
    handler: async ({ rt, actor, params, body }) => ({ status: 201 as const, body: messageView(await agentReply(rt.escalation, actor(), params.id, body)) }),
  }),
  conversationAction(
    'release',
    'Hand the conversation back to the bots or the queue',
    'What the agent learned can be passed on as `slots`; `note` is carried in the context. With `intent` (what the customer really wanted, one of the pack\'s intents; 400 `unknown_intent` otherwise) a correction is recorded for the message the bots misread and the bot owning that intent takes the conversation.',
    { schema: ReleaseBody, name: 'ReleaseBody', example: { to: 'bot', note: 'Refund approved; the orders bot can confirm the date.', slots: { orderId: 'ORD-1003' } } },
    (rt, actor, id, body: ReleaseBody) => releaseWithLearning(rt.escalation, actor, id, body),
  ),
  conversationAction(
    'transfer',
    'Transfer the conversation to another agent',
    'The target must be an active agent other than the current holder.',
    { schema: TransferBody, name: 'TransferBody', example: { agentId: '5b1f8c9e-2d4a-4f6b-9c1e-7a8b9c0d1e2f' } },
    (rt, actor, id, body: TransferBody) =>
      body.agentId ? transferConversation(rt.escalation, actor, id, body.agentId) : releaseConversation(rt.escalation, actor, id, { to: 'queue', skill: body.skill }),
  ),
  conversationAction('resolve', 'Close the conversation', 'The next customer message opens a new conversation.', undefined, (rt, actor, id) => resolveConversation(rt.escalation, actor, id)),
  route({
    method: 'get',
    path: '/api/events',
    operationId: 'streamAgentEvents',
    tag: 'Agents',
    summary: "The agent's live events as Server-Sent Events",
    description:
      'Events: `waiting` (a conversation this agent may take), `claimed`, `released`, `message` (on conversations it holds), `sla` (supervisors). ' +
      'The stream ends when the agent is deactivated, its token rotated, or the server shuts down; EventSource reconnects.',
    auth: 'agent',
    tokenInQuery: true,
    responses: { 200: { description: 'An endless event stream.', type: 'text/event-stream' } },
    bespoke: (rt) => [
      (req, res) => {
        const actor = actorOf(res);
        // An open stream is the agent being here (GET /api/agents shows it online).
        if (actor.kind === 'agent') void rt.db.agent.update({ where: { id: actor.id }, data: { lastSeenAt: new Date() } }).catch(() => {});
        openEventStream(req, res, {
          streams: rt.streams,
          owner: agentOwner(actor.id),
          log: rt.log,
          subscribe: (send) => {
            const forward = (p: unknown) => send(p as AgentEvent);
            const offs = [
              rt.bus.subscribe(AGENTS_TOPIC, (p) => {
                const e = p as AgentEvent;
                if (e.event !== 'waiting' || fits(rt, actor, e.data)) send(e);
              }),
            ];
            if (actor.kind === 'agent') offs.push(rt.bus.subscribe(agentTopic(actor.id), forward));
            if (actor.role === 'supervisor') offs.push(rt.bus.subscribe(SUPERVISORS_TOPIC, forward));
            return offs;
          },
        });
      },
    ],
  }),
];

function fits(rt: Runtime, actor: Actor, data: Record<string, unknown>): boolean {
  const locale = typeof data.locale === 'string' ? data.locale : 'en';
  const intent = typeof data.intent === 'string' ? data.intent : undefined;
  return mayTake(actor, { locale, intent }, skillsOf(rt.packs.current().bots));
}
