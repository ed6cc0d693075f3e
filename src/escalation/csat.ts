// CSAT: when a person resolves a conversation the customer is asked for a 1–5 rating
// in their language on their channel. The answer usually arrives as the first message
// of a new conversation (the old one is closed), so the question is remembered on the
// contact for a day; whatever they write next either answers it or drops it.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { Conversation } from '../generated/prisma/client.ts';
import { asciiDigits } from '../understanding/slots.ts';
import type { EscalationDeps } from './deps.ts';

/** How long a rating question stays open. */
export const CSAT_OPEN_MS = 24 * 3600 * 1000;

export const PendingCsat = z.object({ conversationId: z.string(), agentId: z.string().nullable(), botId: z.string().nullable(), askedAt: z.string() });
export type PendingCsat = z.infer<typeof PendingCsat>;

export const RATING_OPTIONS = [1, 2, 3, 4, 5].map((n) => ({ id: `csat:${n}`, title: String(n) }));

/** The question is remembered on the contact; the caller sends the text (a notice). */
export async function rememberCsatQuestion(deps: Pick<EscalationDeps, 'db'>, conversation: Conversation, actor: Actor, lineage: readonly string[]): Promise<void> {
  const lastBot = [...lineage].reverse().find((l) => l.startsWith('bot:'))?.slice(4) ?? null;
  const pending: PendingCsat = { conversationId: conversation.id, agentId: actor.kind === 'agent' ? actor.id : null, botId: lastBot, askedAt: new Date().toISOString() };
  await deps.db.$executeRaw`
    UPDATE "Contact" SET memory = jsonb_set(memory, '{csat}', ${JSON.stringify(pending)}::jsonb), "updatedAt" = now()
     WHERE id = ${conversation.contactId}::uuid`;
}

/** 1–5 from a button (`csat:4`) or a message that is only that number (any script's digits). */
export function ratingIn(text: string, replyId?: string): number | undefined {
  const raw = replyId?.startsWith('csat:') ? replyId.slice(5) : /^\s*([1-5])\s*[.!]?\s*$/u.exec(asciiDigits(text))?.[1];
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : undefined;
}

/** The open question on a contact's memory, if it is still open. */
export function openCsat(memory: unknown, now = Date.now()): PendingCsat | undefined {
  const parsed = PendingCsat.safeParse((memory as { csat?: unknown } | null)?.csat);
  return parsed.success && now - Date.parse(parsed.data.askedAt) < CSAT_OPEN_MS ? parsed.data : undefined;
}
