// Use cases: saved replies ("canned responses"). The team's are made by supervisors (or
// the admin token), an agent's own by that agent; an agent sees both. For a conversation
// they come ready to send: in the customer's language when a translation exists (else
// along the language's fallback chain, else the text as written), with {{name}} (the
// customer), {{agent}} and any slot, e.g. {{orderId}} or {{refundPaise}} as ₹2,499.00.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import { LOCALES, type Locale } from '../config/env.ts';
import { parseContext } from '../handoff/context.ts';
import { visibleTo } from './readSide.ts';
import { isUniqueViolation } from '../db/dbErrors.ts';
import type { Db } from '../db/client.ts';
import type { CannedResponse } from '../generated/prisma/client.ts';
import { FALLBACKS } from '../i18n/i18n.ts';
import { Conflict, Forbidden, NotFound } from '../shared/errors.ts';
import { formatSlotValue } from './formatSlot.ts';

const TEAM = 'team';

export const Shortcut = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{M}\p{N}_-]{0,31}$/u, 'a shortcut is 1–32 letters, digits, _ or - (typed after /)');
const Text = z.string().trim().min(1).max(4096);

export const NewCannedResponse = z.object({
  shortcut: Shortcut,
  text: Text,
  translations: z.partialRecord(z.enum(LOCALES), Text).default({}),
  team: z.boolean().default(false).describe('for the whole team (supervisors and the admin token only)'),
});
export type NewCannedResponse = z.infer<typeof NewCannedResponse>;

export const CannedResponseView = z.object({
  id: z.uuid(),
  shortcut: z.string(),
  text: z.string(),
  translations: z.record(z.string(), z.string()),
  team: z.boolean(),
});
export type CannedResponseView = z.infer<typeof CannedResponseView>;
export const CannedResponseList = z.array(CannedResponseView);

export const ReadyReply = z.object({
  id: z.uuid(),
  shortcut: z.string(),
  team: z.boolean(),
  language: z.string().nullable().describe('the translation used; null when `text` is as written'),
  text: z.string().describe('placeholders filled for this conversation; unknown ones are left for the agent'),
});
export type ReadyReply = z.infer<typeof ReadyReply>;
export const ReadyReplyList = z.array(ReadyReply);

const view = (c: CannedResponse): CannedResponseView => ({
  id: c.id,
  shortcut: c.shortcut,
  text: c.text,
  translations: (c.translations ?? {}) as Record<string, string>,
  team: c.scope === TEAM,
});

const scopesOf = (actor: Actor) => (actor.kind === 'agent' ? [TEAM, actor.id] : [TEAM]);

export async function listCannedResponses(db: Db, actor: Actor): Promise<CannedResponseView[]> {
  const rows = await db.cannedResponse.findMany({ where: { scope: { in: scopesOf(actor) } }, orderBy: [{ shortcut: 'asc' }, { scope: 'asc' }] });
  return rows.map(view);
}

export async function createCannedResponse(db: Db, actor: Actor, input: NewCannedResponse): Promise<CannedResponseView> {
  if (input.team && actor.role !== 'supervisor') throw new Forbidden('forbidden', 'only supervisors make saved replies for the whole team');
  if (!input.team && actor.kind !== 'agent') throw new Forbidden('forbidden', 'the admin token makes team replies only (pass team: true)');
  try {
    const row = await db.cannedResponse.create({
      data: { scope: input.team ? TEAM : actor.id, agentId: input.team ? null : actor.id, shortcut: input.shortcut, text: input.text, translations: input.translations },
    });
    return view(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('shortcut_taken', `/${input.shortcut} is taken`);
    throw err;
  }
}

export async function deleteCannedResponse(db: Db, actor: Actor, id: string): Promise<void> {
  const row = await db.cannedResponse.findUnique({ where: { id } });
  if (!row || !scopesOf(actor).includes(row.scope)) throw new NotFound('not_found', 'no such saved reply');
  if (row.scope === TEAM && actor.role !== 'supervisor') throw new Forbidden('forbidden', 'only supervisors remove team replies');
  await db.cannedResponse.delete({ where: { id } });
}

/** The caller's saved replies, ready for one conversation (see the top of this file). */
export async function readyReplies(db: Db, actor: Actor, conversationId: string): Promise<ReadyReply[]> {
  const conversation = await db.conversation.findFirst({ where: { AND: [{ id: conversationId }, visibleTo(actor)] }, include: { contact: true } });
  if (!conversation) throw new NotFound('not_found', 'no such conversation, or not one you may see');
  const locale = conversation.locale;
  const slots = parseContext(conversation.context).slots;
  const values: Record<string, string> = { agent: actor.name };
  for (const [key, slot] of Object.entries(slots)) values[key] = formatSlotValue(key, slot.value, locale);
  if (conversation.contact.name) values.name = conversation.contact.name;
  const chain = [locale, ...(FALLBACKS[locale as Locale] ?? [])];
  return (await listCannedResponses(db, actor)).map((c) => {
    const language = chain.find((l) => c.translations[l]);
    const text = language ? c.translations[language]! : c.text;
    return {
      id: c.id,
      shortcut: c.shortcut,
      team: c.team,
      language: language ?? null,
      text: text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole),
    };
  });
}
