// Learning from people: an agent says which intent a customer's message really had —
// when re-routing it back to the bots (release with `intent`), or on its own before
// resolving. The correction keeps the customer's words and language for review
// (`npm run corrections:export`, then `npm run eval:language -- --from-corrections FILE`
// shows what they would change); reviewed, they become a pack's training phrases.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { Db } from '../db/client.ts';
import { heldBy, releaseConversation } from '../escalation/handOn.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { parseContext } from '../handoff/context.ts';
import type { BotRegistry } from '../packs/registry.ts';
import { InvalidInput, NotFound } from '../shared/errors.ts';

export const CorrectionBody = z.strictObject({
  intent: z.string().trim().min(1).max(100).describe("the intent the customer's message really had (one of the pack's)"),
  messageId: z.uuid().optional().describe("the customer's message it is about; by default their last message before a person took over"),
});
export type CorrectionBody = z.infer<typeof CorrectionBody>;
export const CorrectionView = z.object({ messageId: z.uuid(), text: z.string(), locale: z.string(), fromIntent: z.string().nullable(), intent: z.string() });
export type CorrectionView = z.infer<typeof CorrectionView>;

/** An intent a pack's bot owns, or a domain error naming it. */
export function ownedIntent(bots: BotRegistry, intent: string): string {
  if (!bots.ownerOf(intent)) throw new InvalidInput('unknown_intent', `"${intent}" is not an intent of the running pack`);
  return intent;
}

/**
 * Records the correction for the customer's last message a bot handled before a person
 * took over (the message the bots misread), replacing an earlier one for it.
 */
export async function recordCorrection(deps: EscalationDeps, actor: Actor, conversationId: string, { intent, messageId }: CorrectionBody): Promise<CorrectionView> {
  const conversation = await heldBy(deps, actor, conversationId);
  ownedIntent(deps.bots, intent);
  const customerSaid = { conversationId, direction: 'inbound' as const, authorType: 'contact' as const, text: { not: '' } };
  const message = await deps.db.message.findFirst({
    where: messageId ? { ...customerSaid, id: messageId } : { ...customerSaid, ...(conversation.claimedAt ? { createdAt: { lte: conversation.claimedAt } } : {}) },
    orderBy: { seq: 'desc' },
  });
  if (!message) throw new NotFound('no_message', 'no such customer message in this conversation');
  const fromIntent = parseContext(conversation.context).intent ?? null;
  const data = { conversationId, messageId: message.id, text: message.text, locale: message.locale ?? conversation.locale, fromIntent, intent, agentId: actor.kind === 'agent' ? actor.id : null };
  const row = await deps.db.intentCorrection.upsert({ where: { messageId: message.id }, create: data, update: { intent, agentId: data.agentId } });
  return { messageId: row.messageId, text: row.text, locale: row.locale, fromIntent: row.fromIntent, intent: row.intent };
}

/**
 * Release with what the agent learned: with `intent`, the correction is recorded first
 * (while the agent still holds the conversation) and the bot that owns that intent
 * takes it back instead of the one that misread it.
 */
export async function releaseWithLearning(
  deps: EscalationDeps,
  actor: Actor,
  conversationId: string,
  input: Parameters<typeof releaseConversation>[3] & { intent?: string | undefined },
) {
  if (input.intent !== undefined) await recordCorrection(deps, actor, conversationId, { intent: input.intent });
  return releaseConversation(deps, actor, conversationId, input);
}

/** Every correction as `{text, intent, locale}`, the form eval:language and a pack's training take. */
export async function exportCorrections(db: Db): Promise<Array<{ text: string; intent: string; locale: string }>> {
  const rows = await db.intentCorrection.findMany({ orderBy: { createdAt: 'asc' }, select: { text: true, intent: true, locale: true } });
  return rows;
}
