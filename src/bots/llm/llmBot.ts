// A bot whose answers come from an OpenAI-compatible model, with handoffs as tools in the
// manner of the OpenAI Agents SDK: the model is offered the pack's actions, one
// `transfer_to_<bot>` per bot it may hand to, and `escalate_to_human` when it may escalate.
// Personal data never reaches the model: the customer's text, slot values, the handoff
// summary and every action result pass through `redact`, and personal-data slots are
// replaced whole (Baton fills them into actions itself through {{slots.x}}).
// The answer is parsed with zod at the edge; anything unusable is a thrown Error, so the
// turn fails and the protocol's fallback applies.
import { z } from 'zod';
import { ActionFailed, AuthorityExceeded, type Bot, type BotAnswer, type BotTurn, type SlotValue } from '../bot.ts';
import { issuesOf, jsonAnswer, postJson } from '../http.ts';

export type LlmTool = { name: string; description: string; /** A JSON Schema object. */ parameters: Record<string, unknown> };

export type LlmBotConfig = {
  id: string;
  instructions: string;
  model: string;
  baseUrl: string;
  apiKey?: string | undefined;
  /** The pack actions offered, named by action id. */
  tools: LlmTool[];
  handsTo: Array<{ id: string; description: string }>;
  mayEscalate: boolean;
  maxToolRounds: number;
  maxTokens: number;
  timeoutMs: number;
  /** Masks personal data in free text (emails, phone numbers). */
  redact: (text: string) => string;
  languageName: (locale: string) => string;
  /** Whether a slot holds personal data; slots learned from actions are tagged with it. */
  isPii?: (slot: string) => boolean;
  /** Told of each tool call the model got wrong (to count it). */
  onToolError?: (kind: 'malformed_arguments' | 'unknown_tool' | 'action_failed') => void;
  fetch?: typeof fetch;
};

export const ESCALATE_TOOL = 'escalate_to_human';
export const transferTool = (botId: string) => `transfer_to_${botId}`;
/** How much of an action's answer goes back to the model. */
export const TOOL_RESULT_LIMIT = 4000;

const ToolCall = z.object({ id: z.string(), type: z.literal('function').optional(), function: z.object({ name: z.string(), arguments: z.string() }) });
type ToolCall = z.infer<typeof ToolCall>;
const Completion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish(), tool_calls: z.array(ToolCall).nullish() }) })).min(1),
});

type Message =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

const Reason = z.strictObject({ reason: z.string().trim().min(1) });
const reasonSchema = { type: 'object', properties: { reason: { type: 'string', description: 'Why, in a few words.' } }, required: ['reason'], additionalProperties: false };

type Offered = { kind: 'action'; args: z.ZodType } | { kind: 'transfer'; to: string; args: z.ZodType } | { kind: 'escalate'; args: z.ZodType };

export function createLlmBot(cfg: LlmBotConfig): Bot {
  const who = `llm bot "${cfg.id}"`;
  const offered = new Map<string, Offered>();
  const tools: Array<{ type: 'function'; function: LlmTool }> = [];
  const offer = (tool: LlmTool, how: Offered) => {
    if (offered.has(tool.name)) throw new Error(`${who}: two tools are named "${tool.name}"`);
    offered.set(tool.name, how);
    tools.push({ type: 'function', function: tool });
  };
  for (const tool of cfg.tools) offer(tool, { kind: 'action', args: z.fromJSONSchema(tool.parameters as Parameters<typeof z.fromJSONSchema>[0]) });
  for (const target of cfg.handsTo)
    offer({ name: transferTool(target.id), description: `Hand the conversation to the ${target.id} bot: ${target.description}`, parameters: reasonSchema }, { kind: 'transfer', to: target.id, args: Reason });
  if (cfg.mayEscalate)
    offer({ name: ESCALATE_TOOL, description: 'Hand the conversation to a person on the team: when the customer asks for one, or when you cannot help.', parameters: reasonSchema }, { kind: 'escalate', args: Reason });

  async function complete(messages: Message[]) {
    const raw = JSON.stringify({ model: cfg.model, messages, ...(tools.length ? { tools, tool_choice: 'auto' } : {}), max_tokens: cfg.maxTokens, temperature: 0 });
    const headers: Record<string, string> = cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {};
    const exchanged = await postJson(cfg.fetch ?? fetch, who, `${cfg.baseUrl.replace(/\/+$/, '')}/chat/completions`, raw, headers, cfg.timeoutMs);
    const parsed = Completion.safeParse(jsonAnswer(who, exchanged));
    if (!parsed.success) throw new Error(`${who}: the model's answer is not a chat completion: ${issuesOf(parsed.error)}`);
    return parsed.data.choices[0]!.message;
  }

  return {
    id: cfg.id,
    remote: true,
    async answer(turn) {
      const isPii = cfg.isPii ?? (() => false);
      const hidden = new Map(Object.entries(turn.slots).flatMap(([name, slot]) => (slot.pii ? [[name, slot.value] as const] : [])));
      /** Personal-data slot values replaced whole wherever they appear, then free text masked. */
      const scrub = (text: string) => cfg.redact([...hidden].reduce((t, [name, value]) => (value.length >= 3 ? t.split(value).join(`[redacted:${name}]`) : t), text));

      const messages: Message[] = [
        { role: 'system', content: systemPrompt(cfg, turn, scrub) },
        { role: 'user', content: scrub(turn.message.text) },
      ];
      const said: string[] = [];
      const learned: Record<string, SlotValue> = {};
      const finish = (effect: Pick<BotAnswer, 'handoff' | 'escalate'>): BotAnswer => ({
        replies: said.map((text) => ({ text })),
        ...(Object.keys(learned).length ? { slots: learned } : {}),
        ...effect,
      });

      for (let round = 0; ; round++) {
        const message = await complete(messages);
        const calls = message.tool_calls ?? [];
        const content = message.content?.trim() ?? '';
        if (!calls.length) {
          if (!content) throw new Error(`${who}: the model answered with neither text nor tool calls`);
          return { ...finish({}), replies: [...said, content].map((text) => ({ text })) };
        }
        if (round >= cfg.maxToolRounds) throw new Error(`${who}: the model still calls tools after ${cfg.maxToolRounds} rounds`);
        if (content) said.push(content);
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: c.function })) });

        for (const call of calls) {
          const reply = (text: string) => messages.push({ role: 'tool', tool_call_id: call.id, content: text });
          const tool = offered.get(call.function.name);
          if (!tool) {
            cfg.onToolError?.('unknown_tool');
            reply(`error: there is no tool named "${call.function.name}"`);
            continue;
          }
          const parsed = parseArguments(call.function.arguments, tool.args);
          if ('problem' in parsed) {
            cfg.onToolError?.('malformed_arguments');
            reply(`error: the arguments of ${call.function.name} are malformed: ${parsed.problem}. Call it again with valid JSON arguments.`);
            continue;
          }
          const args = parsed.args;
          if (tool.kind === 'transfer') return finish({ handoff: { to: tool.to, reason: (args as z.infer<typeof Reason>).reason } });
          if (tool.kind === 'escalate') return finish({ escalate: { reason: (args as z.infer<typeof Reason>).reason } });
          try {
            const result = await turn.actions.call(call.function.name, args as Record<string, unknown>);
            for (const [name, value] of Object.entries(result.slots)) {
              learned[name] = { value, pii: isPii(name), source: cfg.id };
              if (isPii(name)) hidden.set(name, value);
            }
            reply(truncate(scrub(JSON.stringify(result.data ?? null))));
          } catch (err) {
            if (err instanceof AuthorityExceeded) return finish({ escalate: { reason: 'authority' } });
            if (!(err instanceof ActionFailed)) throw err;
            cfg.onToolError?.('action_failed');
            reply(`error: ${scrub(err.message)}`);
          }
        }
      }
    },
  };
}

function systemPrompt(cfg: LlmBotConfig, turn: BotTurn, scrub: (text: string) => string): string {
  const known = Object.entries(turn.slots).map(([name, slot]) =>
    slot.pii ? `- ${name}: [redacted:${name}] (personal data; actions fill it in themselves)` : `- ${name}: ${scrub(slot.value)}`,
  );
  const summary = typeof turn.envelope?.summary === 'string' ? turn.envelope.summary : '';
  return [
    cfg.instructions.trim(),
    '',
    `Answer in ${cfg.languageName(turn.locale)} (${turn.locale}).`,
    `The customer's message was understood as "${turn.intent.name}" (confidence ${turn.intent.confidence.toFixed(2)}).`,
    known.length ? `What the conversation knows:\n${known.join('\n')}` : 'The conversation knows nothing about the customer yet.',
    ...(summary ? [`Another bot handed this conversation to you with this summary: ${scrub(summary)}`] : []),
    'Use the tools to look things up or act; never invent facts. Values shown as [redacted:…] or [email]/[phone] are hidden from you on purpose.',
  ].join('\n');
}

/** The parsed arguments, or a sentence saying what is wrong with them. */
function parseArguments(text: string, schema: z.ZodType): { args: unknown } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    return { problem: 'they are not JSON' };
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { args: parsed.data ?? {} } : { problem: issuesOf(parsed.error) };
}

function truncate(text: string): string {
  return text.length <= TOOL_RESULT_LIMIT ? text : `${text.slice(0, TOOL_RESULT_LIMIT)}… (truncated)`;
}
