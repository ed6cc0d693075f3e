// The pack format (pack.json), parsed with zod at the edge: a pack is outside input.
// One business's bots, intents, slots, back-end actions and dev services.
import { z } from 'zod';

const Id = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "_" or "-", starting with a letter');
const IntentId = z.string().regex(/^[a-z][a-z0-9_.-]*$/, 'lower-case letters, digits, ".", "_" or "-"');
const EnvName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');
/** A string that may hold {{env.X}}, {{slots.x}}, {{params.x}}, {{contact.x}}, {{conversation.x}}. */
const Template = z.string().min(1);

export const HandoffStyle = z.enum(['orchestrator', 'implicit', 'peer', 'explicit']);

/** Upper bounds on what a bot may ask an action for alone: `{action: {param: max}}`. Above: a person decides. */
const Limits = z.record(z.string(), z.record(z.string(), z.number()));

const BotBase = z.object({
  id: Id,
  pattern: HandoffStyle,
  handsTo: z.array(Id).default([]),
  confidenceThreshold: z.number().min(0).max(1).optional(),
  mayEscalate: z.boolean().default(true),
  /** Slots this bot learns (documentation and envelope checks). */
  produces: z.array(z.string()).default([]),
  limits: Limits.default({}),
});

export const CodeBotSpec = BotBase.extend({
  kind: z.literal('code'),
  /** A module in the pack exporting `createBot(ctx)` (or a default export). Optional for the triage bot: Baton's own triage then answers. */
  module: z.string().optional(),
});
export const WebhookBotSpec = BotBase.extend({
  kind: z.literal('webhook'),
  url: Template,
  secretEnv: EnvName,
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
});
export const LlmBotSpec = BotBase.extend({
  kind: z.literal('llm'),
  /** What the model is told about its job (the business's words). */
  instructions: z.string().min(1),
  /** Pack actions offered to the model as tools. */
  tools: z.array(z.string()).default([]),
  /** Per-bot model settings; unset parts come from LLM_BASE_URL / LLM_MODEL / LLM_API_KEY. */
  model: z.string().optional(),
  baseUrlEnv: EnvName.optional(),
  apiKeyEnv: EnvName.optional(),
  maxToolRounds: z.number().int().min(1).max(10).default(4),
  maxTokens: z.number().int().min(16).max(8192).default(512),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});
export const BotSpec = z.discriminatedUnion('kind', [CodeBotSpec, WebhookBotSpec, LlmBotSpec]);
export type BotSpec = z.infer<typeof BotSpec>;
export type CodeBotSpec = z.infer<typeof CodeBotSpec>;
export type WebhookBotSpec = z.infer<typeof WebhookBotSpec>;
export type LlmBotSpec = z.infer<typeof LlmBotSpec>;

export const SlotSpec = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
  /** A regular expression (case-insensitive) finding the slot in a message; group 1 (or the whole match) is the value. */
  pattern: z.string().optional(),
  /** How the value is written, `$1` being the match: "ORD-$1". */
  value: z.string().optional(),
  /** A pattern for a bare answer, used only right after a bot asked for this slot ("1001"). */
  bare: z.string().optional(),
  pii: z.boolean().default(false),
  /** A JSON Schema type for tools (llm bots): string unless said. */
  description: z.string().optional(),
});
export type SlotSpec = z.infer<typeof SlotSpec>;

export const ActionSpec = z.object({
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
  description: z.string().default(''),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: Template,
  /** JSON body; string values are templates. */
  body: z.record(z.string(), z.unknown()).optional(),
  /** Parameters the caller (a code bot or a model) passes, as JSON Schema properties. */
  params: z.record(z.string(), z.object({ type: z.enum(['string', 'number', 'integer', 'boolean']), description: z.string().optional() })).default({}),
  required: z.array(z.string()).default([]),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Fields of the JSON answer that become slots: `{slot: "path.in.answer"}`. */
  slots: z.record(z.string(), z.string()).default({}),
  /** Env var with a secret to sign the call with (X-Baton-Signature), if the back-end checks it. */
  secretEnv: EnvName.optional(),
});
export type ActionSpec = z.infer<typeof ActionSpec>;

export const PackManifest = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  triage: Id,
  /** Languages the pack answers in: every intent needs training phrases in each. */
  languages: z.array(z.string()).default(['en']),
  /** Environment variables the pack reads ({{env.X}}, secretEnv): undeclared ones are an error. */
  env: z.array(EnvName).default([]),
  intents: z.array(z.object({ id: IntentId, owner: Id, requires: z.array(z.string()).optional() })).min(1),
  slots: z.array(SlotSpec).default([]),
  /** The triage menu: an option per entry, titled by the pack catalog key `menu.<id>`. */
  menu: z.array(z.object({ id: Id, intent: z.string() })).default([]),
  /** Button replies a bot offers, mapped to intents without the classifier: `{replyId: intent}`. */
  replies: z.record(z.string(), z.string()).default({}),
  actions: z.array(ActionSpec).default([]),
  /** Development services (e.g. a demo back-end) Baton starts in-process when `provides` is unset. */
  services: z.array(z.object({ module: z.string(), provides: EnvName })).default([]),
  bots: z.array(BotSpec).min(1),
});
export type PackManifest = z.infer<typeof PackManifest>;
export type PackManifestInput = z.input<typeof PackManifest>;
