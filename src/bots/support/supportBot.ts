// Support: a troubleshooting flow, one step per turn. When the steps run out, a person
// takes over with the steps already tried in the context.
import type { Bot, TurnInput, TurnResult } from '../bot.ts';
import { RoleContract } from '../contract.ts';

export const SUPPORT_STEPS = 3;

export const supportContract = RoleContract.parse({
  id: 'support',
  titleKey: 'bots.support',
  scope: ['support.troubleshoot', 'support.not_fixed', 'support.fixed'],
  authority: { mayEscalate: true, handsTo: ['orders', 'billing'] },
  produces: ['supportStep'],
  pattern: 'explicit',
});

export const supportBot: Bot = {
  contract: supportContract,
  async handle(input: TurnInput): Promise<TurnResult> {
    const { t, context } = input;
    // Explicit pattern: this bot decides itself to pass on what is not its job.
    if (input.outOfScope) return { replies: [], context, handoff: { to: input.outOfScope.owner, reason: 'out_of_scope' } };

    const step = Number(context.botState.supportStep ?? 0);
    const withStep = (n: number) => ({
      ...context,
      botState: { ...context.botState, supportStep: n },
      slots: { ...context.slots, supportStep: { value: String(n), pii: false, source: 'support' } },
    });
    if (input.understanding.intent === 'support.fixed') {
      return { replies: [{ text: t('support:fixed') }], context: { ...withStep(0) } };
    }
    const next = input.understanding.intent === 'support.not_fixed' || step > 0 ? step + 1 : 1;
    if (next > SUPPORT_STEPS) return { replies: [], context: withStep(step), escalate: { reason: 'unresolved' } };
    return {
      replies: [{ text: t(`support:step${next}`), options: [{ id: 'fixed', title: t('support:optionFixed') }, { id: 'not_fixed', title: t('support:optionNotFixed') }] }],
      context: withStep(next),
    };
  },
};
