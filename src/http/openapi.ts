// The OpenAPI 3.1 description of every route, served at GET /openapi.json. Request
// schemas are generated from the very zod schemas the routes parse with (so the two
// cannot drift); response schemas are documentation-only zod shapes of what the views
// in src/conversations return. Built once, on first use.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';
import { TwilioInbound, TwilioStatus } from '../channels/sms/payload.ts';
import { EMPTY_TWIML, TWIML_CONTENT_TYPE } from '../channels/sms/twiml.ts';
import { WhatsAppWebhook } from '../channels/whatsapp/payload.ts';
import { Locale } from '../config/env.ts';
import { ConversationContext } from '../conversations/context.ts';
import { HandoffEnvelopeV1, HandoffPattern } from '../handoff/envelope.ts';
import { CreateAgentBody } from './routes/adminRoutes.ts';
import { AgentMessageBody, ReleaseBody, TransferBody } from './routes/agentRoutes.ts';
import { DeadLetterListQuery } from './routes/deadLetterRoutes.ts';
import { ConversationListQuery, HandoffListQuery } from './routes/ledgerRoutes.ts';
import { CreateSessionBody, PostMessageBody } from './routes/webchatRoutes.ts';

type Json = Record<string, unknown>;
type Method = 'get' | 'post' | 'delete';

/** The name of the cookie /admin/queues sets after `?token=` (see queueDashboardRoutes). */
export const QUEUE_DASHBOARD_COOKIE = 'baton_queues';

// ---------------------------------------------------------------------------------
// Response shapes (documentation only: the routes build these with plain functions).

const Uuid = z.uuid();
const Timestamp = z.iso.datetime();

const ErrorBody = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid_request, unauthorized, already_claimed'),
    message: z.string().describe('human-readable explanation'),
  })
  .meta({ examples: [{ error: 'invalid_request', message: 'text: text must not be empty' }] });

const MessageView = z.object({
  id: Uuid,
  direction: z.enum(['inbound', 'outbound']),
  text: z.string(),
  author: z.object({ type: z.enum(['contact', 'bot', 'agent', 'system']), id: z.string().nullable(), name: z.string().nullable() }),
  channel: ChannelName,
  createdAt: Timestamp,
  status: z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'played', 'failed', 'undelivered', 'deleted']),
  kind: z.string().describe('text, interactive, media, location, reaction, unsupported, ...'),
  options: z.array(z.object({ id: z.string(), title: z.string() })).optional().describe('buttons offered with a bot reply'),
  attachment: z.unknown().optional(),
});

const Owner = z.object({ type: z.enum(['bot', 'agent', 'queue']), id: z.string().nullable() });

const ConversationSummary = z.object({
  id: Uuid,
  channel: ChannelName,
  contact: z.object({ id: Uuid, name: z.string().nullable(), phone: z.string().nullable() }),
  locale: z.string(),
  status: z.enum(['bot', 'waiting', 'agent', 'resolved']),
  owner: Owner,
  priority: z.number().int(),
  reason: z.string().nullable().describe('why the conversation was escalated, when it was'),
  waitingSince: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const HandoffView = z.object({
  id: Uuid,
  conversationId: Uuid,
  from: z.string().describe('type:id, e.g. bot:orders'),
  to: z.string().describe('type:id, e.g. queue:human'),
  pattern: HandoffPattern,
  reason: z.string(),
  confidence: z.number().nullable(),
  status: z.enum(['pending', 'accepted', 'rejected', 'rolled_back', 'failed']),
  latencyMs: z.number().int().nullable(),
  createdAt: Timestamp,
  steps: z.array(z.unknown()).describe('protocol steps with timestamps: pause, transmit, validate, ack, release'),
  error: z.string().optional(),
});

const ConversationView = ConversationSummary.extend({
  context: ConversationContext.describe('what the bots learned; context.slots holds what the customer told any bot (e.g. orderId)'),
  messages: z.array(MessageView),
  handoffs: z.array(HandoffView),
});

const InboxItem = z.object({
  conversationId: Uuid,
  channel: ChannelName,
  locale: z.string(),
  reason: z.string().nullable(),
  waitingSince: Timestamp.nullable(),
  summary: z.string(),
  priority: z.number().int(),
  intent: z.string().nullable(),
});

const DeadLetter = z.object({
  id: Uuid,
  queue: z.string(),
  jobId: z.string(),
  messageId: Uuid.nullable(),
  conversationId: Uuid.nullable(),
  messageStatus: z.string().nullable().describe("the reply's current status; a retry needs `failed`"),
  error: z.string(),
  attempts: z.number().int(),
  createdAt: Timestamp,
  retriedAt: Timestamp.nullable(),
});

const responseSchemas = {
  Error: ErrorBody,
  Message: MessageView,
  MessageList: z.object({ messages: z.array(MessageView) }),
  WebchatSession: z.object({ sessionId: Uuid, token: z.string().describe('bearer token for this session; shown once') }),
  MessageAccepted: z.object({ messageId: Uuid }),
  WhatsAppWebhookAck: z.object({ received: z.number().int(), statuses: z.number().int() }),
  AgentCreated: z.object({ id: Uuid, token: z.string().describe('the agent bearer token; shown exactly once') }),
  Me: z.object({
    id: z.string(),
    kind: z.enum(['admin', 'agent']),
    name: z.string(),
    role: z.enum(['agent', 'supervisor']),
    languages: z.array(z.string()),
    skills: z.array(z.string()),
  }),
  InboxItem,
  Inbox: z.array(InboxItem),
  ConversationSummary,
  Conversation: ConversationView,
  ConversationList: z.object({ conversations: z.array(ConversationSummary), nextCursor: z.string().nullable() }),
  Handoff: HandoffView,
  HandoffList: z.object({ handoffs: z.array(HandoffView), nextCursor: z.string().nullable() }),
  HandoffEnvelopeV1,
  ContactExport: z.object({
    exportedAt: Timestamp,
    contact: z.object({
      id: Uuid,
      name: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      locale: z.string().nullable(),
      memory: z.unknown(),
      createdAt: Timestamp,
      erasedAt: Timestamp.nullable(),
    }),
    identities: z.array(z.object({ channel: ChannelName, externalId: z.string(), createdAt: Timestamp })),
    conversations: z.array(
      z.object({
        id: Uuid,
        channel: ChannelName,
        status: z.enum(['bot', 'waiting', 'agent', 'resolved']),
        locale: z.string(),
        context: z.unknown(),
        createdAt: Timestamp,
        messages: z.array(
          z.object({ id: Uuid, direction: z.enum(['inbound', 'outbound']), author: z.enum(['contact', 'bot', 'agent', 'system']), text: z.string(), payload: z.unknown(), status: z.string(), createdAt: Timestamp }),
        ),
        handoffs: z.array(z.object({ from: z.string(), to: z.string(), pattern: z.string(), reason: z.string(), status: z.string(), createdAt: Timestamp })),
      }),
    ),
  }),
  ContactErased: z.object({ contactId: Uuid, conversations: z.number().int(), messagesErased: z.number().int(), handoffsKept: z.number().int() }),
  DeadLetter,
  DeadLetterList: z.object({ deadLetters: z.array(DeadLetter) }),
  Health: z.object({ status: z.literal('ok') }),
  Readiness: z.object({ status: z.enum(['ready', 'unavailable']), database: z.enum(['ok', 'unavailable']), redis: z.enum(['ok', 'unavailable']) }),
} satisfies Record<string, z.ZodType>;

/** Request bodies and query strings: exactly the schemas the routes parse with. */
export const requestSchemas = {
  WhatsAppWebhook,
  TwilioInbound,
  TwilioStatus,
  CreateSessionBody,
  PostMessageBody,
  CreateAgentBody,
  AgentMessageBody,
  ReleaseBody,
  TransferBody,
  ConversationListQuery,
  HandoffListQuery,
  DeadLetterListQuery,
} satisfies Record<string, z.ZodType>;

// ---------------------------------------------------------------------------------
// zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), cross-referenced by name.

const COMPONENT = (name: string) => `#/components/schemas/${name}`;

function generate(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, unrepresentable: 'any', uri: COMPONENT }) as { schemas: Record<string, Json> };
  const result: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(out)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    result[id] = io === 'output' ? open(rest) : rest;
  }
  return result;
}

/**
 * Output mode closes every object (`additionalProperties: false`); responses are
 * documented open instead, so clients accept fields added later.
 */
function open<T>(node: T): T {
  if (Array.isArray(node)) return node.map(open) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = open(v);
  }
  return out as T;
}

const ref = (name: string) => ({ $ref: COMPONENT(name) });

// ---------------------------------------------------------------------------------
// Building blocks for operations.

type Security = Array<Record<string, string[]>>;
const PUBLIC: Security = [];
const ADMIN: Security = [{ adminToken: [] }];
const AGENT: Security = [{ agentToken: [] }, { adminToken: [] }];
const AGENT_STREAM: Security = [{ agentToken: [] }, { adminToken: [] }, { tokenQuery: [] }];
const SESSION: Security = [{ sessionToken: [] }];
const SESSION_STREAM: Security = [{ sessionToken: [] }, { tokenQuery: [] }];

const errorResponse = (description: string, example?: { error: string; message: string }) => ({
  description,
  content: { 'application/json': { schema: ref('Error'), ...(example ? { example } : {}) } },
});

const ERROR_RESPONSES: Record<string, Json> = {
  BadRequest: errorResponse('The request is malformed or fails validation.', { error: 'invalid_request', message: 'text: text must not be empty' }),
  Unauthorized: errorResponse('No token, or not a valid one.', { error: 'unauthorized', message: 'Authorization: Bearer <token> is required' }),
  Forbidden: errorResponse('The token is valid but may not do this.', { error: 'forbidden', message: 'this route needs the admin token' }),
  NotFound: errorResponse('No such resource, or not one the caller may see.', { error: 'not_found', message: 'no such conversation' }),
  Conflict: errorResponse('Someone else acted first.', { error: 'conflict', message: 'someone else acted on this conversation first' }),
  PayloadTooLarge: errorResponse('Request bodies are limited to 1 MiB, on every route.', { error: 'payload_too_large', message: 'request bodies are limited to 1 MiB' }),
  UnsupportedMediaType: errorResponse('The body is not of the content type this route reads.', { error: 'unsupported_media_type', message: 'expected Content-Type application/json' }),
  TooManyRequests: {
    ...errorResponse('Over the rate limit (per IP; web chat messages also per session).', { error: 'rate_limited', message: 'too many requests (ip); retry in 12 s' }),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } },
  },
  Unavailable: {
    ...errorResponse('PostgreSQL or Redis is unreachable; retry after the given delay.', { error: 'unavailable', message: 'a backing service is unavailable; retry shortly' }),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } },
  },
};

const STATUS_OF: Record<string, string> = {
  BadRequest: '400',
  Unauthorized: '401',
  Forbidden: '403',
  NotFound: '404',
  Conflict: '409',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  TooManyRequests: '429',
  Unavailable: '503',
};
const err = (...names: string[]) => names.map((n) => [STATUS_OF[n]!, { $ref: `#/components/responses/${n}` }] as const);

const jsonResponse = (description: string, schemaName: string) => ({ description, content: { 'application/json': { schema: ref(schemaName) } } });
const textResponse = (description: string, type: string, example?: string) => ({
  description,
  content: { [type]: { schema: { type: 'string' }, ...(example !== undefined ? { example } : {}) } },
});
const sseResponse = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events: `event: <name>`, `data: <JSON>` blocks, `: keep-alive` comments every 15 s' } } },
});

const conversationIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'conversation id',
  schema: { type: 'string', format: 'uuid' },
};
const sessionIdParam = { name: 'id', in: 'path', required: true, description: 'web chat session id', schema: { type: 'string', format: 'uuid' } };
const tokenQueryParam = {
  name: 'token',
  in: 'query',
  required: false,
  description: 'the bearer token, for EventSource (which cannot set headers)',
  schema: { type: 'string' },
};

/** One parameter per property of a query schema, from the route's own zod object. */
function queryParams(schema: Json): Json[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

type Operation = {
  method: Method;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  security: Security;
  parameters?: Json[];
  body?: { type: string; schema: string; example: unknown; description?: string };
  responses: Array<readonly [string, Json]>;
};

// ---------------------------------------------------------------------------------
// Examples (each one is accepted by its zod schema; test/observability checks that).

export const EXAMPLES = {
  WhatsAppWebhook: {
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
  },
  TwilioInbound: { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+919812345678', To: '+15005550006', Body: 'Where is my order ORD-1001?', NumMedia: '0' },
  TwilioStatus: { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', MessageStatus: 'delivered', To: '+919812345678', From: '+15005550006' },
  CreateSessionBody: { locale: 'en', name: 'Asha' },
  PostMessageBody: { text: 'Where is my order ORD-1001?', clientMessageId: 'c-01J2Z3QX' },
  CreateAgentBody: { name: 'Ravi Kumar', email: 'ravi@example.com', role: 'agent', languages: ['en', 'hi'], skills: ['billing'] },
  AgentMessageBody: { text: 'Hi Asha, I am looking at your order now.', clientMessageId: 'a-01J2Z3QX' },
  ReleaseBody: { to: 'bot', note: 'Refund approved; the orders bot can confirm the date.', slots: { orderId: 'ORD-1003' } },
  TransferBody: { agentId: '5b1f8c9e-2d4a-4f6b-9c1e-7a8b9c0d1e2f' },
} as const;

function operations(requests: Record<string, Json>): Operation[] {
  const conversationAction = (action: string, summary: string, description: string, extra: Partial<Operation> = {}): Operation => ({
    method: 'post',
    path: `/api/conversations/{id}/${action}`,
    operationId: `${action}Conversation`,
    tag: 'Agents',
    summary,
    description,
    security: AGENT,
    parameters: [conversationIdParam],
    responses: [['200', jsonResponse('The conversation after the change.', 'Conversation')], ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'Unavailable')],
    ...extra,
  });
  const page = (route: string, file: string, type: string, summary: string): Operation => ({
    method: 'get',
    path: route,
    operationId: `page${file.replace(/[^a-zA-Z]/g, '')}`,
    tag: 'Pages',
    summary,
    security: PUBLIC,
    responses: [['200', textResponse(file, type)]],
  });

  return [
    // Channels in ---------------------------------------------------------------
    {
      method: 'get',
      path: '/webhooks/whatsapp',
      operationId: 'verifyWhatsAppWebhook',
      tag: 'Webhooks',
      summary: "Meta's webhook verification handshake",
      description: 'Answers `hub.challenge` as plain text when `hub.verify_token` equals WHATSAPP_VERIFY_TOKEN.',
      security: PUBLIC,
      parameters: [
        { name: 'hub.mode', in: 'query', required: true, schema: { type: 'string', const: 'subscribe' } },
        { name: 'hub.verify_token', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'hub.challenge', in: 'query', required: true, schema: { type: 'string' } },
      ],
      responses: [['200', textResponse('The challenge, echoed.', 'text/plain', '1158201444')], ['403', errorResponse('The verify token (or mode) is wrong.', { error: 'verification_failed', message: 'hub.mode, hub.verify_token or hub.challenge is wrong' })]],
    },
    {
      method: 'post',
      path: '/webhooks/whatsapp',
      operationId: 'receiveWhatsAppWebhook',
      tag: 'Webhooks',
      summary: 'WhatsApp Cloud API webhook (messages and statuses)',
      description:
        'Messages (text, interactive replies, media, location, reactions, unsupported) and status updates (sent/delivered/read/failed). ' +
        'Answers 200 once every message in the body is durably stored; a repeated message id changes nothing.',
      security: PUBLIC,
      parameters: [
        {
          name: 'X-Hub-Signature-256',
          in: 'header',
          required: true,
          description: '`sha256=` + hex HMAC-SHA256 of the raw body bytes, keyed with WHATSAPP_APP_SECRET',
          schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
        },
      ],
      body: { type: 'application/json', schema: 'WhatsAppWebhook', example: EXAMPLES.WhatsAppWebhook },
      responses: [
        ['200', jsonResponse('Every message is stored.', 'WhatsAppWebhookAck')],
        ['400', errorResponse('Not JSON, or not a WhatsApp webhook payload.', { error: 'invalid_payload', message: 'not a WhatsApp webhook: object: Invalid input' })],
        ['401', errorResponse('The signature is missing or does not match the body.', { error: 'invalid_signature', message: 'X-Hub-Signature-256 does not match the body' })],
        ...err('PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable'),
      ],
    },
    {
      method: 'post',
      path: '/webhooks/sms',
      operationId: 'receiveSmsWebhook',
      tag: 'Webhooks',
      summary: 'Twilio inbound SMS',
      description: 'A repeated `MessageSid` changes nothing. Unknown form fields are accepted (and signed over) but ignored.',
      security: PUBLIC,
      parameters: [
        {
          name: 'X-Twilio-Signature',
          in: 'header',
          required: true,
          description: 'base64 HMAC-SHA1 of PUBLIC_BASE_URL + "/webhooks/sms" followed by every form param sorted by name (name then value), keyed with TWILIO_AUTH_TOKEN',
          schema: { type: 'string' },
        },
      ],
      body: { type: 'application/x-www-form-urlencoded', schema: 'TwilioInbound', example: EXAMPLES.TwilioInbound },
      responses: [
        ['200', textResponse('Stored; empty TwiML (Baton replies through the REST API).', TWIML_CONTENT_TYPE, EMPTY_TWIML)],
        ['400', errorResponse('Signed correctly but not an inbound message.', { error: 'invalid_payload', message: 'not a Twilio inbound message (MessageSid, From, To and Body are required)' })],
        ['403', errorResponse('The signature does not match.', { error: 'invalid_signature', message: 'X-Twilio-Signature does not match PUBLIC_BASE_URL + path and the form' })],
        ...err('PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable'),
      ],
    },
    {
      method: 'post',
      path: '/webhooks/sms/status',
      operationId: 'receiveSmsStatus',
      tag: 'Webhooks',
      summary: 'Twilio delivery status callback',
      description: 'Signed over PUBLIC_BASE_URL + "/webhooks/sms/status". A status value Baton does not know is acknowledged and ignored.',
      security: PUBLIC,
      parameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, description: 'as for POST /webhooks/sms, over this URL', schema: { type: 'string' } }],
      body: { type: 'application/x-www-form-urlencoded', schema: 'TwilioStatus', example: EXAMPLES.TwilioStatus },
      responses: [
        ['200', textResponse('Applied (or ignored).', TWIML_CONTENT_TYPE, EMPTY_TWIML)],
        ['403', errorResponse('The signature does not match.', { error: 'invalid_signature', message: 'X-Twilio-Signature does not match PUBLIC_BASE_URL + path and the form' })],
        ...err('PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable'),
      ],
    },

    // Web chat ------------------------------------------------------------------
    { ...page('/widget.js', 'widget.js', 'application/javascript', 'The embeddable web chat widget'), tag: 'Web chat' },
    { ...page('/chat', 'chat.html', 'text/html', 'Demo page hosting the widget'), tag: 'Web chat' },
    {
      method: 'get',
      path: '/webchat/strings',
      operationId: 'getWidgetStrings',
      tag: 'Web chat',
      summary: "The widget's labels in the customer's language",
      description: 'Resolved through the language fallback chain; an unknown locale gets DEFAULT_LOCALE. `dir` is rtl for Urdu, Kashmiri and Sindhi.',
      security: PUBLIC,
      parameters: [{ name: 'locale', in: 'query', required: false, schema: { type: 'string' } }],
      responses: [['200', { description: 'Label texts keyed like the widget expects, plus dir.', content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } }]],
    },
    {
      method: 'post',
      path: '/webchat/sessions',
      operationId: 'createWebchatSession',
      tag: 'Web chat',
      summary: 'Start a web chat session',
      description: 'Send `{}` for defaults. The token authenticates every later call on this session.',
      security: PUBLIC,
      body: { type: 'application/json', schema: 'CreateSessionBody', example: EXAMPLES.CreateSessionBody },
      responses: [['201', jsonResponse('The new session and its token (shown once).', 'WebchatSession')], ...err('BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable')],
    },
    {
      method: 'post',
      path: '/webchat/sessions/{id}/messages',
      operationId: 'postWebchatMessage',
      tag: 'Web chat',
      summary: 'Send a customer message',
      description: 'Idempotent per `clientMessageId`: the same id again answers the same `messageId` and nothing is processed twice.',
      security: SESSION,
      parameters: [sessionIdParam],
      body: { type: 'application/json', schema: 'PostMessageBody', example: EXAMPLES.PostMessageBody },
      responses: [['202', jsonResponse('Stored; the bot answers asynchronously (see the events stream).', 'MessageAccepted')], ...err('BadRequest', 'Unauthorized', 'PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/webchat/sessions/{id}/messages',
      operationId: 'listWebchatMessages',
      tag: 'Web chat',
      summary: "The session's history (last 200 messages, oldest first)",
      security: SESSION_STREAM,
      parameters: [sessionIdParam, tokenQueryParam],
      responses: [['200', jsonResponse('Messages.', 'MessageList')], ...err('Unauthorized', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/webchat/sessions/{id}/events',
      operationId: 'streamWebchatEvents',
      tag: 'Web chat',
      summary: 'Live replies as Server-Sent Events',
      description: 'Each reply is `event: message` with `id: <messageId>` and a `Message` as data. Reconnecting with `Last-Event-ID` replays what was missed.',
      security: SESSION_STREAM,
      parameters: [
        sessionIdParam,
        tokenQueryParam,
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'the last message id seen', schema: { type: 'string', format: 'uuid' } },
      ],
      responses: [['200', sseResponse('An endless event stream; data is a `Message`.')], ...err('Unauthorized', 'Unavailable')],
    },

    // Human agents ----------------------------------------------------------------
    {
      method: 'post',
      path: '/api/admin/agents',
      operationId: 'createAgent',
      tag: 'Admin',
      summary: 'Create a human agent',
      description: 'Admin token only. The returned token is shown exactly once.',
      security: ADMIN,
      body: { type: 'application/json', schema: 'CreateAgentBody', example: EXAMPLES.CreateAgentBody },
      responses: [
        ['201', jsonResponse('The agent and its bearer token.', 'AgentCreated')],
        ...err('BadRequest', 'Unauthorized', 'Forbidden'),
        ['409', errorResponse('An agent with this email exists.', { error: 'email_taken', message: 'an agent with email ravi@example.com exists' })],
        ...err('PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable'),
      ],
    },
    {
      method: 'post',
      path: '/api/admin/pack/reload',
      operationId: 'reloadPack',
      tag: 'Admin',
      summary: 'Load the pack folder again and swap it in without a restart',
      description: 'The new pack is validated first; conversations in flight finish their turn with the old one. Other processes reload too.',
      security: ADMIN,
      responses: [
        ['200', { description: 'The pack now running.', content: { 'application/json': { schema: { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string' }, version: { type: 'string' } } }, example: { name: 'ShopKart', version: '2.0.0' } } } }],
        ...err('Unauthorized', 'Forbidden'),
        ['422', errorResponse('The pack does not validate; the old pack keeps running.', { error: 'invalid_pack', message: 'pack /srv/pack: pack.json intents[0].owner: intent "order.status" is owned by "shipping", which is not a bot of this pack' })],
        ...err('Unavailable'),
      ],
    },
    {
      method: 'get',
      path: '/api/admin/contacts/{id}/export',
      operationId: 'exportContact',
      tag: 'Admin',
      summary: "Export everything Baton holds about a contact (the customer's right of access)",
      security: ADMIN,
      parameters: [{ name: 'id', in: 'path', required: true, description: 'contact id', schema: { type: 'string', format: 'uuid' } }],
      responses: [
        ['200', { ...jsonResponse('The contact, its channel identities, conversations, messages and handoffs.', 'ContactExport'), headers: { 'Content-Disposition': { schema: { type: 'string' }, description: 'attachment; filename="contact-<id>.json"' } } }],
        ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Unavailable'),
      ],
    },
    {
      method: 'delete',
      path: '/api/admin/contacts/{id}',
      operationId: 'eraseContact',
      tag: 'Admin',
      summary: "Erase a contact's personal data (the customer's right to erasure)",
      description: 'Keeps the fact that conversations and handoffs happened (who handed to whom, when, why) but not what was said or known.',
      security: ADMIN,
      parameters: [{ name: 'id', in: 'path', required: true, description: 'contact id', schema: { type: 'string', format: 'uuid' } }],
      responses: [['200', jsonResponse('What was erased.', 'ContactErased')], ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/api/admin/dead-letters',
      operationId: 'listDeadLetters',
      tag: 'Admin',
      summary: 'Replies whose every send attempt failed',
      description: 'Supervisors and the admin token. `pending=true` lists only those not retried yet (or that failed again after a retry).',
      security: AGENT,
      parameters: queryParams(requests.DeadLetterListQuery!),
      responses: [['200', jsonResponse('Dead letters, newest first.', 'DeadLetterList')], ...err('BadRequest', 'Unauthorized', 'Forbidden', 'Unavailable')],
    },
    {
      method: 'post',
      path: '/api/admin/dead-letters/{id}/retry',
      operationId: 'retryDeadLetter',
      tag: 'Admin',
      summary: 'Send a dead-lettered reply again',
      description: 'The reply keeps its id (so the provider sees the same idempotency key) and goes back through the outbox.',
      security: AGENT,
      parameters: [{ name: 'id', in: 'path', required: true, description: 'dead letter id', schema: { type: 'string', format: 'uuid' } }],
      responses: [
        ['202', jsonResponse('Queued again.', 'DeadLetter')],
        ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound'),
        ['409', errorResponse('Not retryable now: no message, not failed, or being sent.', { error: 'not_failed', message: 'the message is sent; only a failed message can be retried' })],
        ...err('Unavailable'),
      ],
    },
    {
      method: 'get',
      path: '/api/me',
      operationId: 'whoAmI',
      tag: 'Agents',
      summary: 'Who the token belongs to',
      security: AGENT,
      responses: [['200', jsonResponse('The caller.', 'Me')], ...err('Unauthorized', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/api/inbox',
      operationId: 'inbox',
      tag: 'Agents',
      summary: 'Conversations waiting for a person that this agent may take, most urgent first',
      security: AGENT,
      responses: [['200', jsonResponse('Up to 100 waiting conversations.', 'Inbox')], ...err('Unauthorized', 'Unavailable')],
    },
    conversationAction('claim', 'Claim a waiting conversation', 'Of any number of simultaneous claims exactly one wins; the others get 409 `already_claimed`.', {
      responses: [
        ['200', jsonResponse('The conversation, now held by the caller.', 'Conversation')],
        ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound'),
        ['409', errorResponse('Someone else claimed it first, or it is not waiting.', { error: 'already_claimed', message: 'this conversation is not waiting for a person' })],
        ...err('Unavailable'),
      ],
    }),
    {
      method: 'post',
      path: '/api/conversations/{id}/messages',
      operationId: 'replyToConversation',
      tag: 'Agents',
      summary: "Reply on the customer's channel",
      description: '`text` or `template` is required (a WhatsApp template is needed once the customer last wrote more than 24 hours ago). 403 unless the caller holds the conversation.',
      security: AGENT,
      parameters: [conversationIdParam],
      body: { type: 'application/json', schema: 'AgentMessageBody', example: EXAMPLES.AgentMessageBody },
      responses: [
        ['201', jsonResponse('The stored reply; it is sent asynchronously.', 'Message')],
        ...err('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'PayloadTooLarge', 'UnsupportedMediaType'),
        ['422', errorResponse('Outside the WhatsApp 24-hour window without a template.', { error: 'template_required', message: 'the customer last wrote more than 24 hours ago: WhatsApp only allows an approved template now' })],
        ...err('Unavailable'),
      ],
    },
    conversationAction('release', 'Hand the conversation back to the bots or the queue', 'What the agent learned can be passed on as `slots`; `note` is carried in the context.', {
      body: { type: 'application/json', schema: 'ReleaseBody', example: EXAMPLES.ReleaseBody },
    }),
    conversationAction('transfer', 'Transfer the conversation to another agent', 'The target must be an active agent other than the current holder.', {
      body: { type: 'application/json', schema: 'TransferBody', example: EXAMPLES.TransferBody },
    }),
    conversationAction('resolve', 'Close the conversation', 'The next customer message opens a new conversation.'),
    {
      method: 'get',
      path: '/api/conversations/{id}',
      operationId: 'getConversation',
      tag: 'Conversations',
      summary: 'One conversation with context, messages and handoffs',
      description: 'Agents see conversations that wait for people and those they hold; supervisors and the admin token see all.',
      security: AGENT,
      parameters: [conversationIdParam],
      responses: [['200', jsonResponse('The conversation.', 'Conversation')], ...err('BadRequest', 'Unauthorized', 'NotFound', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/api/conversations',
      operationId: 'listConversations',
      tag: 'Conversations',
      summary: 'List conversations, newest first, paginated',
      description: '`contact` matches a phone number or a channel external id. Pass `nextCursor` back as `cursor` for the next page.',
      security: AGENT,
      parameters: queryParams(requests.ConversationListQuery!),
      responses: [['200', jsonResponse('A page of conversations.', 'ConversationList')], ...err('BadRequest', 'Unauthorized', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/api/handoffs',
      operationId: 'listHandoffs',
      tag: 'Conversations',
      summary: 'The handoff audit ledger, newest first, paginated',
      description: 'Agents must pass `conversationId`; supervisors and the admin token may list everything.',
      security: AGENT,
      parameters: queryParams(requests.HandoffListQuery!),
      responses: [['200', jsonResponse('A page of handoff events.', 'HandoffList')], ...err('BadRequest', 'Unauthorized', 'Forbidden', 'Unavailable')],
    },
    {
      method: 'get',
      path: '/api/events',
      operationId: 'streamAgentEvents',
      tag: 'Agents',
      summary: "The agent's live events as Server-Sent Events",
      description: 'Events: `waiting` (a conversation this agent may take), `claimed`, `released`, `message` (on conversations it holds), `sla` (supervisors).',
      security: AGENT_STREAM,
      parameters: [tokenQueryParam],
      responses: [['200', sseResponse('An endless event stream.')], ...err('Unauthorized', 'Unavailable')],
    },
    page('/agent', 'agent.html', 'text/html', 'The agent console'),
    page('/agent.js', 'agent.js', 'application/javascript', 'The agent console script'),
    page('/agent.css', 'agent.css', 'text/css', 'The agent console styles'),

    // Operations ----------------------------------------------------------------
    {
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      tag: 'Operations',
      summary: 'Liveness: the process answers',
      security: PUBLIC,
      responses: [['200', jsonResponse('Alive.', 'Health')]],
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      tag: 'Operations',
      summary: 'Readiness: PostgreSQL and Redis are reachable',
      security: PUBLIC,
      responses: [['200', jsonResponse('Ready.', 'Readiness')], ['503', jsonResponse('PostgreSQL or Redis is unreachable.', 'Readiness')]],
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      tag: 'Operations',
      summary: 'Prometheus metrics (text exposition format)',
      security: PUBLIC,
      responses: [['200', textResponse('Metrics.', 'text/plain; version=0.0.4', '# TYPE baton_escalations_waiting gauge\nbaton_escalations_waiting 0\n')]],
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      tag: 'Operations',
      summary: 'This document',
      security: PUBLIC,
      responses: [['200', { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } }]],
    },
    {
      method: 'get',
      path: '/schemas/handoff-envelope.v1.json',
      operationId: 'handoffEnvelopeSchema',
      tag: 'Operations',
      summary: 'JSON Schema (2020-12) of the handoff context envelope, version 1',
      description: 'The schema itself is also in this document as `#/components/schemas/HandoffEnvelopeV1`.',
      security: PUBLIC,
      responses: [['200', { description: 'A JSON Schema document.', content: { 'application/schema+json': { schema: { type: 'object' } } } }]],
    },
    {
      method: 'get',
      path: '/admin/queues',
      operationId: 'queueDashboard',
      tag: 'Operations',
      summary: 'BullMQ queue dashboard (inbound, outbound, escalation)',
      description:
        'Admin token only. A browser opens `/admin/queues?token=<ADMIN_TOKEN>` once: that sets a short-lived HttpOnly, SameSite=Strict cookie ' +
        `(\`${QUEUE_DASHBOARD_COOKIE}\`, path /admin/queues) and redirects to the clean URL, so the dashboard's own assets and API calls under ` +
        '`/admin/queues/` are authorized too. Those sub-routes belong to the dashboard and are not part of this API.',
      security: [{ adminToken: [] }, { queueDashboardToken: [] }, { queueDashboardCookie: [] }],
      responses: [
        ['200', textResponse('The dashboard page.', 'text/html')],
        ['302', { description: '`?token=` was valid: the cookie is set and the browser is sent to the URL without the token.', headers: { 'Set-Cookie': { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } } }],
        ...err('Unauthorized', 'Forbidden'),
      ],
    },
  ];
}

/** The prefixes app.ts puts behind the per-IP rate limit. */
const RATE_LIMITED = ['/webhooks/', '/webchat/', '/api/'];

function buildDocument(): Json {
  const requests = generate(requestSchemas, 'input');
  const responses = generate(responseSchemas, 'output');
  // zod cannot express AgentMessageBody's refinement; say it in the schema.
  requests.AgentMessageBody = { ...requests.AgentMessageBody, anyOf: [{ required: ['text'] }, { required: ['template'] }] };

  const paths: Record<string, Record<string, Json>> = {};
  for (const op of operations(requests)) {
    const responsesObject = Object.fromEntries(op.responses);
    if (op.body) {
      responsesObject['413'] ??= { $ref: '#/components/responses/PayloadTooLarge' };
      responsesObject['415'] ??= { $ref: '#/components/responses/UnsupportedMediaType' };
    }
    if (RATE_LIMITED.some((prefix) => op.path.startsWith(prefix))) responsesObject['429'] = { $ref: '#/components/responses/TooManyRequests' };
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: op.security,
      ...(op.parameters?.length ? { parameters: op.parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              ...(op.body.description ? { description: op.body.description } : {}),
              content: { [op.body.type]: { schema: ref(op.body.schema), example: op.body.example } },
            },
          }
        : {}),
      responses: Object.fromEntries(Object.entries(responsesObject).sort(([a], [b]) => a.localeCompare(b))),
    };
  }

  const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Baton',
      version,
      summary: 'Omnichannel customer conversations with specialist bots that hand off without losing context',
      description:
        'JSON uses camelCase. Every error is `{"error": "<code>", "message": "<human text>"}`. ' +
        'Request bodies over 1 MiB are refused with 413 on every route; /webhooks, /webchat and /api answer 429 with Retry-After over their rate limits. Supported locales: ' +
        Locale.options.join(', ') +
        '.',
    },
    tags: [
      { name: 'Webhooks', description: 'Provider webhooks (WhatsApp Cloud API, Twilio), authenticated by signature headers.' },
      { name: 'Web chat', description: 'The web chat widget and its session API.' },
      { name: 'Admin', description: 'Administration, with the ADMIN_TOKEN.' },
      { name: 'Agents', description: 'The human side: inbox, claims, replies, hand-ons, live events.' },
      { name: 'Conversations', description: 'Read side: conversations and the handoff ledger.' },
      { name: 'Pages', description: 'Browser pages and their assets.' },
      { name: 'Operations', description: 'Health, readiness, metrics, schemas, the queue dashboard.' },
    ],
    paths,
    components: {
      schemas: { ...requests, ...responses },
      responses: ERROR_RESPONSES,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN. Acts with a supervisor’s reach on the agent API.' },
        agentToken: { type: 'http', scheme: 'bearer', description: 'An agent token from POST /api/admin/agents.' },
        sessionToken: { type: 'http', scheme: 'bearer', description: 'The web chat session token from POST /webchat/sessions.' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'The same bearer token as `?token=`, for EventSource.' },
        queueDashboardToken: { type: 'apiKey', in: 'query', name: 'token', description: 'ADMIN_TOKEN as `?token=` on /admin/queues; sets the dashboard cookie.' },
        queueDashboardCookie: { type: 'apiKey', in: 'cookie', name: QUEUE_DASHBOARD_COOKIE, description: 'Set by /admin/queues?token=; short-lived.' },
      },
    },
  };
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document (built on first call, then shared; do not mutate it). */
export function openApiDocument(): Json {
  cached ??= buildDocument();
  return cached;
}
