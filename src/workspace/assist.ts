// Agent assist: what the bot that owns the customer's last intent would say now (the
// pack's own reply, asked read-only: no action that changes anything runs), and, when a
// model is configured (LLM_*), the customer's message translated for an agent who does
// not read its language. Personal data is masked before text goes to a model.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { Config } from '../config/env.ts';
import { parseContext } from '../handoff/context.ts';
import { botTurnFor } from '../turn/perform.ts';
import { heldBy } from '../escalation/handOn.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { translator } from '../i18n/i18n.ts';
import { ENDONYM } from '../i18n/languageNames.ts';
import type { Pack } from '../packs/loadPack.ts';
import { NotFound, Unprocessable, UnavailableError } from '../shared/errors.ts';
import { maskPersonalData } from '../shared/personalData.ts';

export const Suggestions = z.object({
  intent: z.string().nullable(),
  bot: z.string().nullable(),
  suggestions: z.array(z.object({ text: z.string() })),
});
export type Suggestions = z.infer<typeof Suggestions>;

type AssistDeps = EscalationDeps & { pack: Pack };

export async function suggestReplies(deps: AssistDeps, actor: Actor, conversationId: string): Promise<Suggestions> {
  const conversation = await heldBy(deps, actor, conversationId);
  const context = parseContext(conversation.context);
  const intent = (await lastSpecialistIntent(deps, conversationId, context.intent)) ?? null;
  const owner = intent ? deps.pack.bots.ownerOf(intent) : undefined;
  const kind = owner ? deps.pack.manifest.bots.find((b) => b.id === owner.contract.id)?.kind : undefined;
  // Only code bots answer in-process; webhook and model bots would act in the business's systems.
  if (!owner || !intent || kind !== 'code') return { intent, bot: owner?.contract.id ?? null, suggestions: [] };
  const last = await deps.db.message.findFirst({ where: { conversationId, direction: 'inbound' }, orderBy: { seq: 'desc' } });
  const contact = await deps.db.contact.findUniqueOrThrow({ where: { id: conversation.contactId } });
  try {
    const answer = await owner.answer(
      botTurnFor(deps.pack, {
        botId: owner.contract.id,
        conversationId,
        contact: { id: contact.id, channel: conversation.channel, address: conversation.externalId, name: contact.name },
        message: { id: last?.id ?? conversationId, text: last?.text ?? '', kind: last?.kind ?? 'text' },
        intent: { name: intent, confidence: context.confidence ?? 1 },
        locale: conversation.locale,
        t: translator(conversation.locale),
        context,
        envelope: null,
        readOnly: true,
      }),
    );
    return { intent, bot: owner.contract.id, suggestions: answer.replies.filter((r) => r.text.trim()).map((r) => ({ text: r.text })) };
  } catch (err) {
    deps.log.info({ err: err instanceof Error ? err.message : String(err), conversationId }, 'no suggestion: the bot could not answer read-only');
    return { intent, bot: owner.contract.id, suggestions: [] };
  }
}

/**
 * The customer's last intent that a specialist owns: asking for a person ("human
 * request") is the last intent of most escalated conversations, so the intent that
 * brought the conversation to its last bot (from the ledger's envelope) stands in.
 */
async function lastSpecialistIntent(deps: AssistDeps, conversationId: string, current: string | undefined): Promise<string | undefined> {
  const owned = (intent: string | undefined) => intent !== undefined && deps.pack.bots.ownerOf(intent)?.contract.id !== deps.pack.bots.triageId && deps.pack.bots.ownerOf(intent) !== undefined;
  if (owned(current)) return current;
  const rows = await deps.db.handoffEvent.findMany({ where: { conversationId, toType: 'bot', status: 'accepted' }, orderBy: { createdAt: 'desc' }, take: 10, select: { envelope: true } });
  return rows.map((r) => (r.envelope as { intent?: string } | null)?.intent).find(owned);
}

export const TranslateQuery = z.object({ to: z.enum(Object.keys(ENDONYM) as [string, ...string[]]).describe('the language to translate into') });
export const Translation = z.object({ messageId: z.uuid(), from: z.string().nullable(), to: z.string(), text: z.string() });
export type Translation = z.infer<typeof Translation>;

const Completion = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().min(1) }) })).min(1) });

export async function translateMessage(
  deps: EscalationDeps & { config: Pick<Config, 'llm' | 'providerTimeoutMs'> },
  actor: Actor,
  conversationId: string,
  messageId: string,
  to: string,
): Promise<Translation> {
  await heldBy(deps, actor, conversationId);
  const message = await deps.db.message.findFirst({ where: { id: messageId, conversationId } });
  if (!message) throw new NotFound('not_found', 'no such message in this conversation');
  const llm = deps.config.llm;
  if (!llm) throw new Unprocessable('no_model', 'translation needs a model: set LLM_BASE_URL and LLM_MODEL');
  const response = await fetch(`${llm.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
    signal: AbortSignal.timeout(deps.config.providerTimeoutMs),
    body: JSON.stringify({
      model: llm.model,
      temperature: 0,
      messages: [
        { role: 'system', content: `Translate the customer's message into ${ENDONYM[to as keyof typeof ENDONYM]} (${to}). Answer with the translation only.` },
        { role: 'user', content: maskPersonalData(message.text) },
      ],
    }),
  }).catch((err: unknown) => {
    throw new UnavailableError(`the model did not answer: ${err instanceof Error ? err.message : String(err)}`);
  });
  const parsed = response.ok ? Completion.safeParse(await response.json().catch(() => undefined)) : undefined;
  if (!parsed?.success) throw new UnavailableError(`the model answered ${response.status} without a translation`);
  return { messageId, from: message.locale, to, text: parsed.data.choices[0]!.message.content.trim() };
}
