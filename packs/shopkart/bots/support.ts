// Support: a troubleshooting flow, one step per turn. When the steps run out, a person
// takes over with the steps already tried in the context.
import type { Bot, BotAnswer, BotTurn } from '../../../src/bots/bot.ts';

export const SUPPORT_STEPS = 3;

export function createBot({ id }: { id: string }): Bot {
  return {
    id,
    async answer(turn: BotTurn): Promise<BotAnswer> {
      const { t } = turn;
      // Explicit pattern: this bot decides itself to pass on what is not its job.
      if (turn.outOfScope) return { replies: [], handoff: { to: turn.outOfScope.owner, reason: 'out_of_scope' } };
      const step = Number(turn.state.step ?? 0);
      const at = (n: number): Partial<BotAnswer> => ({ state: { step: n }, slots: { supportStep: { value: String(n), pii: false, source: id } } });
      if (turn.intent.name === 'support.fixed') return { replies: [{ text: t('support:fixed') }], ...at(0) };
      const next = turn.intent.name === 'support.not_fixed' || step > 0 ? step + 1 : 1;
      if (next > SUPPORT_STEPS) return { replies: [], ...at(step), escalate: { reason: 'unresolved' } };
      return {
        replies: [{ text: t(`support:step${next}`), options: [{ id: 'fixed', title: t('support:optionFixed') }, { id: 'not_fixed', title: t('support:optionNotFixed') }] }],
        ...at(next),
      };
    },
  };
}
