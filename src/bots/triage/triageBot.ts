// Triage: the first bot every conversation meets. It says plainly that it is a bot,
// greets once, answers small talk, asks what the customer needs, and (as the
// orchestrator) routes every new topic to the specialist that owns it.
import type { Bot, BotReply, TurnInput, TurnResult } from '../bot.ts';
import { RoleContract } from '../contract.ts';

export const triageContract = RoleContract.parse({
  id: 'triage',
  titleKey: 'bots.triage',
  scope: ['greeting', 'thanks', 'goodbye'],
  authority: { mayEscalate: true, handsTo: ['orders', 'billing', 'support'] },
  pattern: 'orchestrator',
});

export const triageBot: Bot = {
  contract: triageContract,
  async handle(input: TurnInput): Promise<TurnResult> {
    const { t, context, understanding } = input;
    const replies: BotReply[] = [];
    const greet = () =>
      input.contact.name ? t('greeting', { name: input.contact.name, business: t('business') }) : t('greetingAnonymous', { business: t('business') });

    if (input.message.kind === 'unsupported') replies.push({ text: t('unsupported') });
    else if (understanding.intent === 'thanks') replies.push({ text: t('thanks') });
    else if (understanding.intent === 'goodbye') replies.push({ text: t('goodbye', { business: t('business') }) });
    else if (!context.greeted) replies.push({ text: greet() });
    else if (understanding.intent !== 'greeting') replies.push({ text: t('clarify') });
    else replies.push({ text: t('greetingAgain') });

    if (understanding.intent !== 'goodbye' && understanding.intent !== 'thanks') replies.push(menu(input));
    return { replies, context: { ...context, greeted: true } };
  },
};

export function menu({ t }: Pick<TurnInput, 't'>): BotReply {
  return {
    text: t('menu.prompt'),
    options: [
      { id: 'orders', title: t('menu.orders') },
      { id: 'billing', title: t('menu.billing') },
      { id: 'support', title: t('menu.support') },
      { id: 'human', title: t('menu.human') },
    ],
  };
}

/** Menu choices are understood without the classifier. */
export const MENU_INTENTS = {
  orders: 'order.status',
  billing: 'billing.invoice',
  support: 'support.troubleshoot',
  human: 'human.request',
} as const;
