// A bot's role contract: what it owns (scope), what it may do alone (authority), what
// it needs to start (requires) and what it learns (produces), and how it hands off
// (pattern). Contracts are checked together at start-up: a broken set never runs.
import { z } from 'zod';
import { Intent } from '../understanding/intents.ts';
import { ConfigError } from '../shared/errors.ts';

export const BotPattern = z.enum(['explicit', 'implicit', 'orchestrator', 'peer']);
export type BotPattern = z.infer<typeof BotPattern>;

export const RoleContract = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  /** i18n key of how customers are told about this bot ("our orders specialist"). */
  titleKey: z.string(),
  scope: z.array(Intent).min(1),
  authority: z.object({
    /** Refunds this bot may grant alone, in paise. Above it: escalate. */
    refundLimitPaise: z.number().int().min(0).default(0),
    mayEscalate: z.boolean().default(true),
    /** Bots it may hand to directly (peer pattern) — also its explicit targets. */
    handsTo: z.array(z.string()).default([]),
  }),
  requires: z.array(z.string()).default([]),
  produces: z.array(z.string()).default([]),
  pattern: BotPattern,
  /** Below this confidence the bot asks once, then escalates. */
  confidenceThreshold: z.number().min(0).max(1).default(0.72),
});
export type RoleContract = z.infer<typeof RoleContract>;
export type RoleContractInput = z.input<typeof RoleContract>;

/** Intents every conversation may raise that the runtime itself handles. */
export const RUNTIME_INTENTS: readonly Intent[] = ['None', 'human.request', 'language.switch'];

/**
 * Start-up check of the whole set. Throws a ConfigError that names the problem:
 * an intent nobody owns or two bots own, a handoff target that does not exist, a
 * cycle of handoffs that no bot in it can leave (no escalation, no way out).
 */
export function validateContracts(contracts: readonly RoleContract[]): void {
  const ids = new Set<string>();
  for (const c of contracts) {
    if (ids.has(c.id)) throw new ConfigError(`bot "${c.id}" is declared twice`);
    ids.add(c.id);
  }
  if (!ids.has('triage')) throw new ConfigError('no "triage" bot: every conversation starts there');

  const owner = new Map<string, string>();
  for (const c of contracts) {
    for (const intent of c.scope) {
      const other = owner.get(intent);
      if (other) throw new ConfigError(`intent "${intent}" is owned by both "${other}" and "${c.id}"`);
      owner.set(intent, c.id);
    }
    for (const target of c.authority.handsTo) {
      if (!ids.has(target)) throw new ConfigError(`bot "${c.id}" may hand to "${target}", which does not exist`);
      if (target === c.id) throw new ConfigError(`bot "${c.id}" lists itself as a handoff target`);
    }
  }
  const unowned = Intent.options.filter((i) => !RUNTIME_INTENTS.includes(i) && !owner.has(i));
  if (unowned.length) throw new ConfigError(`no bot owns intent${unowned.length > 1 ? 's' : ''} ${unowned.map((i) => `"${i}"`).join(', ')}`);

  // A cycle is safe when one of its bots can leave it: escalate to a person, or hand
  // to a bot outside the cycle.
  for (const cycle of cyclesOf(contracts)) {
    const members = new Set(cycle);
    const exit = cycle.some((id) => {
      const c = contracts.find((x) => x.id === id)!;
      return c.authority.mayEscalate || c.authority.handsTo.some((t) => !members.has(t));
    });
    if (!exit) throw new ConfigError(`handoff cycle ${[...cycle, cycle[0]].join(' → ')} has no exit: let one of them escalate`);
  }
}

/** Strongly connected components with more than one bot (Tarjan). */
function cyclesOf(contracts: readonly RoleContract[]): string[][] {
  const edges = new Map(contracts.map((c) => [c.id, c.authority.handsTo]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) result.push(component.reverse());
    }
  };
  for (const c of contracts) if (!index.has(c.id)) visit(c.id);
  return result;
}
