// Baton's own triage bot, for packs that do not bring one: it says plainly that it is
// a bot, greets once, answers small talk and shows the pack's menu. Routing to the
// specialists is Baton's (the orchestrator pattern), not this bot's.
import type { TFunction } from 'i18next';
import type { Bot, BotAnswer, BotReply, BotTurn } from '../bot.ts';

export type MenuEntry = { id: string; intent: string };

/** The menu: the pack's entries (titled by `menu.<id>`) and always a way to a person. */
export function menuReply(t: TFunction, entries: readonly MenuEntry[]): BotReply {
  return {
    text: t('menu.prompt'),
    options: [...entries.map((e) => ({ id: e.id, title: t(`menu.${e.id}`) })), { id: 'human', title: t('menu.human') }],
  };
}

export function createTriageBot(opts: { id: string; business: string; menu: readonly MenuEntry[] }): Bot {
  return {
    id: opts.id,
    async answer(turn: BotTurn): Promise<BotAnswer> {
      const { t } = turn;
      const intent = turn.intent.name;
      const business = t('business', { defaultValue: opts.business });
      const greeted = turn.state.greeted === true;
      const replies: BotReply[] = [];
      const shared = ['media', 'location', 'contacts'].includes(turn.message.kind) && !turn.message.text.trim();
      if (turn.message.kind === 'unsupported') replies.push({ text: t('unsupported') });
      else if (shared) replies.push({ text: t('received') });
      else if (intent === 'thanks') replies.push({ text: t('thanks') });
      else if (intent === 'goodbye') replies.push({ text: t('goodbye', { business }) });
      else if (!greeted) replies.push({ text: turn.contact.name ? t('greeting', { name: turn.contact.name, business }) : t('greetingAnonymous', { business }) });
      else if (intent !== 'greeting') replies.push({ text: t('clarify') });
      else replies.push({ text: t('greetingAgain') });
      if (intent !== 'goodbye' && intent !== 'thanks') replies.push(menuReply(t, opts.menu));
      return { replies, state: { ...turn.state, greeted: true } };
    },
  };
}
