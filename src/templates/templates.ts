// The WhatsApp template registry: what an operator registered after Meta approved it.
// Agents list them for a picker; automatic notices use the one registered for them.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { asJson } from '../db/json.ts';
import { isUniqueViolation } from '../db/dbErrors.ts';
import type { WhatsAppTemplate } from '../generated/prisma/client.ts';
import { Conflict, NotFound } from '../shared/errors.ts';

/** The automatic notices a template can stand in for outside the 24-hour window. */
export const NOTICES = ['escalation:agentJoined', 'escalation:transferred', 'escalation:backToBot', 'escalation:resolved'] as const;
export const Notice = z.enum(NOTICES);

export const TemplateInput = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lower-case letters, digits and underscores, as Meta names templates'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "Meta's language code, e.g. en, en_US, hi, ta"),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
  components: z.array(z.record(z.string(), z.unknown())).max(20).default([]).describe("the approved template's components, as in Meta's API"),
  parameters: z
    .array(z.enum(['name', 'business']))
    .max(10)
    .default([])
    .describe("what fills the body's {{1}}, {{2}}, ... when Baton sends it for a notice: the agent's name, the business name"),
  notice: Notice.optional().describe('the automatic notice this template stands in for outside the WhatsApp 24-hour window'),
});
export type TemplateInput = z.infer<typeof TemplateInput>;

export const TemplateView = z.object({
  id: z.uuid(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  components: z.array(z.record(z.string(), z.unknown())),
  parameters: z.array(z.string()),
  notice: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type TemplateView = z.infer<typeof TemplateView>;
export const TemplateList = z.object({ templates: z.array(TemplateView) });

const view = (t: WhatsAppTemplate): TemplateView => ({
  id: t.id,
  name: t.name,
  language: t.language,
  category: t.category,
  components: t.components as Array<Record<string, unknown>>,
  parameters: t.parameters,
  notice: t.notice,
  createdAt: t.createdAt.toISOString(),
});

export async function createTemplate(db: Db, input: TemplateInput): Promise<TemplateView> {
  try {
    const created = await db.whatsAppTemplate.create({ data: { ...input, components: asJson(input.components), notice: input.notice ?? null } });
    return view(created);
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('template_exists', `a template ${input.name} in ${input.language} is registered already`);
    throw err;
  }
}

/** `locale`: a Baton locale (hi) matches Meta's codes for it (hi, hi_IN). */
export async function listTemplates(db: Db, locale?: string): Promise<{ templates: TemplateView[] }> {
  const where = locale ? { OR: [{ language: locale }, { language: { startsWith: `${locale}_` } }] } : {};
  const rows = await db.whatsAppTemplate.findMany({ where, orderBy: [{ name: 'asc' }, { language: 'asc' }] });
  return { templates: rows.map(view) };
}

export async function deleteTemplate(db: Db, id: string): Promise<void> {
  const { count } = await db.whatsAppTemplate.deleteMany({ where: { id } });
  if (count === 0) throw new NotFound('not_found', 'no such template');
}

/** The template registered for a notice in the conversation's language, if any (the exact code first). */
export async function templateForNotice(db: Db, notice: string, locale: string): Promise<WhatsAppTemplate | undefined> {
  const rows = await db.whatsAppTemplate.findMany({ where: { notice, OR: [{ language: locale }, { language: { startsWith: `${locale}_` } }] } });
  return rows.find((t) => t.language === locale) ?? rows.sort((a, b) => a.language.localeCompare(b.language))[0];
}
