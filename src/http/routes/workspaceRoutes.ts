// The agent workspace around a conversation: the console's labels in the agent's
// language, the team (transfer picker, presence), auto-assignment, private notes,
// labels and saved replies. Each route calls one use case.
import { z } from 'zod';
import { Locale } from '../../config/env.ts';
import { skillsOf } from '../../escalation/eligibility.ts';
import { inboxFor } from '../../escalation/inbox.ts';
import { isRtl } from '../../i18n/direction.ts';
import { resolvedNamespace } from '../../i18n/i18n.ts';
import { assignWaiting, listTeam, PresenceBody, Presence, setPresence, takeNext, Team } from '../../workspace/agentDirectory.ts';
import {
  CannedResponseList,
  CannedResponseView,
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  NewCannedResponse,
  ReadyReplyList,
  readyReplies,
} from '../../workspace/cannedResponses.ts';
import { changeLabels, LabelList, LabelsBody, labelsInUse } from '../../workspace/labels.ts';
import { addNote, NoteBody, NoteView } from '../../workspace/notes.ts';
import { CorrectionBody, CorrectionView, recordCorrection } from '../../workspace/corrections.ts';
import { CsatSummary, csatSummary } from '../../workspace/csatSummary.ts';
import { Suggestions, suggestReplies, TranslateQuery, Translation, translateMessage } from '../../workspace/assist.ts';
import { SearchQuery, SearchResults, searchConversations } from '../../workspace/search.ts';
import { route, type RouteDef } from '../route.ts';
import { ConversationParams } from './agentRoutes.ts';

export const ConsoleStrings = z.object({
  locale: Locale,
  dir: z.enum(['ltr', 'rtl']),
  strings: z.record(z.string(), z.unknown()).describe('the `console` catalog, nested as in locales/<locale>/console.json'),
});
const Assigned = z.object({ assigned: z.array(z.uuid()) });
const IdParams = z.object({ id: z.uuid() });

export const workspaceRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/agent/strings',
    operationId: 'getConsoleStrings',
    tag: 'Agents',
    summary: "The agent console's labels in one language",
    description: 'Resolved through the language fallback chain; an unknown locale gets English.',
    auth: 'public',
    noBackingServices: true,
    query: z.object({ locale: z.string().optional().catch(undefined) }),
    responses: { 200: { description: 'The labels and the writing direction.', schema: ConsoleStrings, name: 'ConsoleStrings' } },
    handler: async ({ query }) => {
      const locale = Locale.catch('en').parse(query.locale);
      return {
        status: 200 as const,
        headers: { 'Cache-Control': 'public, max-age=300' },
        body: { locale, dir: isRtl(locale) ? ('rtl' as const) : ('ltr' as const), strings: resolvedNamespace(locale, 'console') },
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/agents',
    operationId: 'listTeam',
    tag: 'Agents',
    summary: 'The active agents: who is online and available, their languages, skills and load',
    description: 'For picking whom to transfer a conversation to.',
    auth: 'agent',
    responses: { 200: { description: 'Active agents by name.', schema: Team, name: 'Team' } },
    handler: async ({ rt }) => ({ status: 200 as const, body: await listTeam(rt) }),
  }),
  route({
    method: 'post',
    path: '/api/me/presence',
    operationId: 'setPresence',
    tag: 'Agents',
    summary: 'Set yourself available or away (and say you are here)',
    description: 'The console sends this every minute, which keeps the agent `online`. Becoming available runs an auto-assignment pass.',
    auth: 'agent',
    body: { schema: PresenceBody, name: 'PresenceBody', example: { presence: 'available' } },
    responses: { 200: { description: 'The presence, and conversations assigned as a result.', schema: z.object({ presence: Presence, assigned: z.array(z.uuid()) }), name: 'PresenceSet' } },
    errors: ['Forbidden'],
    handler: async ({ rt, actor, body }) => ({ status: 200 as const, body: await setPresence(rt.escalation, actor(), body.presence) }),
  }),
  route({
    method: 'post',
    path: '/api/inbox/next',
    operationId: 'takeNext',
    tag: 'Agents',
    summary: 'Claim the most urgent waiting conversation you may take',
    description: 'An alternative to picking one: `conversationId` is null when nothing is waiting for you.',
    auth: 'agent',
    responses: { 200: { description: 'The conversation now held by the caller, if any.', schema: z.object({ conversationId: z.uuid().nullable() }), name: 'TakenNext' } },
    errors: ['Forbidden'],
    handler: async ({ rt, actor }) => {
      const waiting = await inboxFor(rt.db, actor(), 10, skillsOf(rt.packs.current().bots));
      return { status: 200 as const, body: { conversationId: await takeNext(rt.escalation, actor(), waiting.map((w) => w.conversationId)) } };
    },
  }),
  route({
    method: 'post',
    path: '/api/assignments',
    operationId: 'assignWaiting',
    tag: 'Agents',
    summary: 'Give waiting conversations to available agents, least loaded first',
    description: 'Supervisors and the admin token. Each assignment is an atomic claim for that agent; a lost race is skipped.',
    auth: 'supervisor',
    responses: { 200: { description: 'The conversations assigned.', schema: Assigned, name: 'Assigned' } },
    handler: async ({ rt }) => ({ status: 200 as const, body: { assigned: await assignWaiting(rt.escalation) } }),
  }),
  route({
    method: 'get',
    path: '/api/conversations/:id/suggestions',
    operationId: 'suggestReplies',
    tag: 'Agents',
    summary: 'What the bot that owns the last intent would say now (agent assist)',
    description:
      "The pack's own reply for the customer's last intent, from its code bot, asked read-only (no action that changes anything runs). Empty when the owner is a webhook or model bot, or cannot answer. 403 unless the caller holds the conversation (or supervises).",
    auth: 'agent',
    params: ConversationParams,
    responses: { 200: { description: 'Suggested replies in the customer language.', schema: Suggestions, name: 'Suggestions' } },
    errors: ['NotFound'],
    handler: async ({ rt, actor, params }) => ({ status: 200 as const, body: await suggestReplies({ ...rt.escalation, pack: rt.packs.current() }, actor(), params.id) }),
  }),
  route({
    method: 'get',
    path: '/api/conversations/:id/messages/:messageId/translation',
    operationId: 'translateMessage',
    tag: 'Agents',
    summary: "The customer's message translated for the agent (needs a model, LLM_*)",
    description: 'Personal data (emails, phone numbers) is masked before the text goes to the model. 422 no_model when none is configured.',
    auth: 'agent',
    params: ConversationParams.extend({ messageId: z.uuid({ message: 'message id must be a UUID' }) }),
    query: TranslateQuery,
    responses: { 200: { description: 'The translation.', schema: Translation, name: 'Translation' } },
    errors: ['NotFound'],
    customErrors: { 422: { description: 'No model is configured.', example: { error: 'no_model', message: 'translation needs a model: set LLM_BASE_URL and LLM_MODEL' } } },
    handler: async ({ rt, actor, params, query }) => ({
      status: 200 as const,
      body: await translateMessage({ ...rt.escalation, config: rt.config }, actor(), params.id, params.messageId, query.to),
    }),
  }),
  route({
    method: 'get',
    path: '/api/csat',
    operationId: 'csatSummary',
    tag: 'Agents',
    summary: "Customers' ratings after a person resolved their conversation, per agent and per bot",
    description: 'Supervisors and the admin token. Each bot row counts conversations whose last bot before the person was that bot.',
    auth: 'supervisor',
    responses: { 200: { description: 'Ratings and averages.', schema: CsatSummary, name: 'CsatSummary' } },
    handler: async ({ rt }) => ({ status: 200 as const, body: await csatSummary(rt.db) }),
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/notes',
    operationId: 'addNote',
    tag: 'Agents',
    summary: 'Add a private note (never sent to the customer)',
    description: 'Kept in the context: the next agent sees it, and a release to a bot carries it in the envelope `notes`. 403 unless the caller holds the conversation (or supervises).',
    auth: 'agent',
    params: ConversationParams,
    body: { schema: NoteBody, name: 'NoteBody', example: { text: 'Refund approved by finance; waiting for the bank reference.' } },
    responses: { 201: { description: 'The note.', schema: NoteView, name: 'Note' } },
    errors: ['Forbidden', 'NotFound', 'Conflict'],
    handler: async ({ rt, actor, params, body }) => ({ status: 201 as const, body: await addNote(rt.escalation, actor(), params.id, body.text) }),
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/intent',
    operationId: 'correctIntent',
    tag: 'Agents',
    summary: 'Say what the customer really wanted (learning from people)',
    description:
      "Records the intent of a customer's message (`messageId`; by default their last message before a person took over), replacing an earlier correction of it. " +
      'Corrections are exported with `npm run corrections:export -- FILE` for review and `npm run eval:language -- --from-corrections FILE`. ' +
      '400 `unknown_intent` unless the running pack has the intent; 403 unless the caller holds the conversation (or supervises).',
    auth: 'agent',
    params: ConversationParams,
    body: { schema: CorrectionBody, name: 'CorrectionBody', example: { intent: 'billing.refund' } },
    responses: { 201: { description: 'The correction.', schema: CorrectionView, name: 'Correction' } },
    errors: ['BadRequest', 'Forbidden', 'NotFound'],
    handler: async ({ rt, actor, params, body }) => ({ status: 201 as const, body: await recordCorrection(rt.escalation, actor(), params.id, body) }),
  }),
  route({
    method: 'post',
    path: '/api/conversations/:id/labels',
    operationId: 'changeLabels',
    tag: 'Agents',
    summary: "Add or remove a conversation's labels",
    auth: 'agent',
    params: ConversationParams,
    body: { schema: LabelsBody, name: 'LabelsBody', example: { add: ['refund'], remove: [] } },
    responses: { 200: { description: 'The labels after the change.', schema: LabelList, name: 'LabelList' } },
    errors: ['NotFound'],
    handler: async ({ rt, actor, params, body }) => ({ status: 200 as const, body: { labels: await changeLabels(rt.db, actor(), params.id, body) } }),
  }),
  route({
    method: 'get',
    path: '/api/labels',
    operationId: 'labelsInUse',
    tag: 'Agents',
    summary: 'Every label in use (for filters)',
    auth: 'agent',
    responses: { 200: { description: 'Labels, sorted.', schema: LabelList, name: 'LabelList' } },
    handler: async ({ rt }) => ({ status: 200 as const, body: { labels: await labelsInUse(rt.db) } }),
  }),
  route({
    method: 'get',
    path: '/api/search',
    operationId: 'searchConversations',
    tag: 'Agents',
    summary: 'Search messages and customers, newest first, paginated',
    description: "Full-text search (PostgreSQL, 'simple' configuration: any script, whole words) over message text, plus customers by name or phone on the first page. Agents see what waits for people and what they hold.",
    auth: 'agent',
    query: SearchQuery,
    responses: { 200: { description: 'A page of hits; pass `nextCursor` back as `cursor`.', schema: SearchResults, name: 'SearchResults' } },
    handler: async ({ rt, actor, query }) => ({ status: 200 as const, body: await searchConversations(rt.db, actor(), query) }),
  }),
  route({
    method: 'get',
    path: '/api/canned-responses',
    operationId: 'listCannedResponses',
    tag: 'Agents',
    summary: "The team's saved replies and the caller's own",
    auth: 'agent',
    responses: { 200: { description: 'Saved replies by shortcut.', schema: CannedResponseList, name: 'CannedResponseList' } },
    handler: async ({ rt, actor }) => ({ status: 200 as const, body: await listCannedResponses(rt.db, actor()) }),
  }),
  route({
    method: 'post',
    path: '/api/canned-responses',
    operationId: 'createCannedResponse',
    tag: 'Agents',
    summary: 'Save a reply for `/shortcut` insertion',
    description: 'Personal by default; `team: true` (supervisors and the admin token) for everyone. Placeholders: `{{name}}` (the customer), `{{agent}}`, any slot (`{{orderId}}`).',
    auth: 'agent',
    body: {
      schema: NewCannedResponse,
      name: 'NewCannedResponse',
      example: { shortcut: 'refund', text: 'Hi {{name}}, your refund of {{refundPaise}} is on its way.', translations: { hi: 'नमस्ते {{name}}, आपका {{refundPaise}} का रिफ़ंड भेज दिया गया है।' }, team: true },
    },
    responses: { 201: { description: 'The saved reply.', schema: CannedResponseView, name: 'CannedResponse' } },
    errors: ['Forbidden'],
    customErrors: { 409: { description: 'The shortcut is taken in that scope.', example: { error: 'shortcut_taken', message: '/refund is taken' } } },
    handler: async ({ rt, actor, body }) => ({ status: 201 as const, body: await createCannedResponse(rt.db, actor(), body) }),
  }),
  route({
    method: 'delete',
    path: '/api/canned-responses/:id',
    operationId: 'deleteCannedResponse',
    tag: 'Agents',
    summary: 'Remove a saved reply',
    description: 'Your own, or (supervisors) the team’s.',
    auth: 'agent',
    params: IdParams,
    responses: { 200: { description: 'Removed.', schema: z.object({ id: z.uuid() }), name: 'Removed' } },
    errors: ['Forbidden', 'NotFound'],
    handler: async ({ rt, actor, params }) => {
      await deleteCannedResponse(rt.db, actor(), params.id);
      return { status: 200 as const, body: { id: params.id } };
    },
  }),
  route({
    method: 'get',
    path: '/api/conversations/:id/canned-responses',
    operationId: 'readyReplies',
    tag: 'Agents',
    summary: 'Saved replies ready for this conversation',
    description: "In the customer's language when a translation exists, placeholders filled (money and dates formatted for the customer).",
    auth: 'agent',
    params: ConversationParams,
    responses: { 200: { description: 'Ready replies by shortcut.', schema: ReadyReplyList, name: 'ReadyReplyList' } },
    errors: ['NotFound'],
    handler: async ({ rt, actor, params }) => ({ status: 200 as const, body: await readyReplies(rt.db, actor(), params.id) }),
  }),
];
