// Triage: the first bot every conversation meets. It says plainly that it is a bot,
// greets once per conversation and offers the menu.
import type { Bot, BotReply, TurnInput, TurnResult } from '../bot.ts';

export const triageBot: Bot = {
  id: 'triage',
  async handle(input: TurnInput): Promise<TurnResult> {
    const { t, context } = input;
    const replies: BotReply[] = [];
    if (!context.greeted) {
      const business = t('business');
      replies.push({
        text: input.contact.name ? t('greeting', { name: input.contact.name, business }) : t('greetingAnonymous', { business }),
      });
    } else if (input.message.kind === 'unsupported') {
      replies.push({ text: t('unsupported') });
    }
    replies.push(menu(input));
    return { replies, context: { ...context, greeted: true } };
  },
};

function menu({ t }: TurnInput): BotReply {
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
