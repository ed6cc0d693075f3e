// The start-up check of a pack's bot set, as problems: a set that could strand a
// customer (an intent nobody answers, a handoff to nowhere, a loop nobody can leave)
// never runs.
import type { RoleContract } from '../bots/contract.ts';

export type ContractProblem = { field: string; message: string };

export function contractProblems(contracts: readonly RoleContract[], triageId: string): ContractProblem[] {
  const problems: ContractProblem[] = [];
  const ids = new Set<string>();
  contracts.forEach((c, i) => {
    if (ids.has(c.id)) problems.push({ field: `bots[${i}].id`, message: `bot "${c.id}" is declared twice` });
    ids.add(c.id);
  });
  if (!ids.has(triageId)) problems.push({ field: 'triage', message: `triage bot "${triageId}" is not among the bots: every conversation starts there` });
  contracts.forEach((c, i) => {
    for (const target of c.authority.handsTo) {
      if (!ids.has(target)) problems.push({ field: `bots[${i}].handsTo`, message: `bot "${c.id}" may hand to "${target}", which does not exist` });
      else if (target === c.id) problems.push({ field: `bots[${i}].handsTo`, message: `bot "${c.id}" lists itself as a handoff target` });
    }
  });
  // A cycle is safe when one of its bots can leave it: escalate to a person, or hand
  // to a bot outside the cycle.
  for (const cycle of cyclesOf(contracts)) {
    const members = new Set(cycle);
    const exit = cycle.some((id) => {
      const c = contracts.find((x) => x.id === id)!;
      return c.authority.mayEscalate || c.authority.handsTo.some((t) => !members.has(t));
    });
    if (!exit) problems.push({ field: 'bots', message: `handoff cycle ${[...cycle, cycle[0]].join(' → ')} has no exit: let one of them escalate` });
  }
  return problems;
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
      if (!edges.has(w)) continue;
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
