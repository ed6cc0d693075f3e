// A bot's role contract: what it owns (scope), what it may do alone (authority), what
// it needs to start (requires) and what it learns (produces), and how it hands off
// (pattern). Built from a pack's declaration; the set is checked together at load.
import { z } from 'zod';

export const BotPattern = z.enum(['explicit', 'implicit', 'orchestrator', 'peer']);
export type BotPattern = z.infer<typeof BotPattern>;

export const RoleContract = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  /** i18n key of how customers are told about this bot ("our orders specialist"). */
  titleKey: z.string(),
  scope: z.array(z.string()),
  authority: z.object({
    mayEscalate: z.boolean().default(true),
    /** Bots it may hand to directly (peer pattern) — also its explicit targets. */
    handsTo: z.array(z.string()).default([]),
    /** Upper bounds on action parameters it may use alone: `{action: {param: max}}`. */
    limits: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  }),
  /** Slots it needs before it can answer (for every intent it owns). */
  requires: z.array(z.string()).default([]),
  produces: z.array(z.string()).default([]),
  pattern: BotPattern,
  /** Below this confidence the bot asks once, then escalates. */
  confidenceThreshold: z.number().min(0).max(1).default(0.72),
});
export type RoleContract = z.infer<typeof RoleContract>;
export type RoleContractInput = z.input<typeof RoleContract>;
