// One customer message, start to finish, while a bot owns the conversation:
// understand it, route it (handing off as the owner's pattern says, collecting a
// missing slot first, escalating when a trigger fires), let the owner answer.
// Returns what to say and the new context; the caller persists both atomically.
import type { TFunction } from 'i18next';
import type { ChannelName } from '../channels/channel.ts';
import type { ConversationContext } from '../conversations/context.ts';
import type { Party } from '../handoff/envelope.ts';
import { topicOf } from '../handoff/guards.ts';
import { handoffIdFor } from '../handoff/handoffId.ts';
import { HUMAN_QUEUE, MAX_FALLBACKS, performHandoff, type HandoffDeps, type HandoffOutcome } from '../handoff/protocol.ts';
import { decideRoute } from '../handoff/routing.ts';
import { detectTrigger, sentimentOf } from '../escalation/triggers.ts';
import { estimateWaitMinutes } from '../escalation/estimateWait.ts';
import type { Classifier } from '../understanding/classifier.ts';
import type { Intent, Understanding } from '../understanding/intents.ts';
import { extractSlots, orderIdFromBareNumber } from '../understanding/slots.ts';
import type { BotReply, TurnInput } from './bot.ts';
import { MENU_INTENTS, menu } from './triage/triageBot.ts';
import { LOCALES } from '../config/env.ts';
import type { LanguageDetector } from '../i18n/detectLanguage.ts';
import { translator } from '../i18n/i18n.ts';
import { ENDONYM } from '../i18n/languageNames.ts';
import { decideLanguage } from '../i18n/languagePolicy.ts';

export type TurnDeps = HandoffDeps & { classifier: Classifier; detector: LanguageDetector };

export type TurnRequest = {
  conversation: { id: string; contactId: string; channel: ChannelName; locale: string; ownerId: string };
  contact: { id: string; name: string | null };
  message: { id: string; text: string; kind: string; replyId?: string };
  /** The customer's previous messages in this conversation, newest last. */
  recentInbound: readonly string[];
  context: ConversationContext;
  /** The language the contact chose, if any: it wins over detection. */
  chosenLocale: string | null;
};

export type TurnOutcome = { replies: BotReply[]; context: ConversationContext; owner: Party; handoffs: HandoffOutcome[]; locale: string };

const REPLY_INTENTS: Record<string, Intent> = { ...MENU_INTENTS, fixed: 'support.fixed', not_fixed: 'support.not_fixed' };
const MAX_ROUTING_STEPS = 4;

export async function conductTurn(deps: TurnDeps, req: TurnRequest): Promise<TurnOutcome> {
  let context: ConversationContext = { ...req.context, turn: req.context.turn + 1 };
  const understanding = await understand(deps, req, context);
  const language = decideLanguage({
    text: req.message.text,
    replyId: req.message.replyId,
    current: req.conversation.locale,
    chosen: req.chosenLocale,
    asksToSwitch: understanding.intent === 'language.switch',
    detector: deps.detector,
  });
  const locale = language.locale;
  if (locale !== req.conversation.locale) await deps.db.conversation.update({ where: { id: req.conversation.id }, data: { locale } });
  if (language.chosen) await deps.db.contact.update({ where: { id: req.contact.id }, data: { locale: language.chosen } });
  const t: TFunction = translator(locale);
  context = remember(context, understanding, req.message.text);

  if (context.awaiting && context.slots[context.awaiting.slot] && !context.awaiting.route) context = { ...context, awaiting: undefined };
  let owner: Party = { type: 'bot', id: req.conversation.ownerId };
  const replies: BotReply[] = [];
  const handoffs: HandoffOutcome[] = [];
  let speaker = owner.id;
  const say = (...lines: BotReply[]) => {
    if (owner.type === 'bot') speaker = owner.id;
    replies.push(...lines.map((line) => ({ ...line, by: line.by ?? speaker })));
  };
  let outOfScope: TurnInput['outOfScope'];

  const handoff = async (to: Party, pattern: Parameters<typeof performHandoff>[1]['pattern'], reason: string, fallback = false) => {
    const outcome = await performHandoff(deps, {
      handoffId: handoffIdFor(req.message.id, handoffs.length),
      conversationId: req.conversation.id,
      from: owner,
      to,
      pattern,
      reason,
      confidence: understanding.confidence,
      context,
      topic: topicOf(understanding.intent),
      handoffsThisTurn: handoffs.filter((h) => h.status === 'accepted').length,
      t,
      fallback,
    });
    handoffs.push(outcome);
    context = outcome.context;
    owner = outcome.owner;
    if (outcome.escalated) say({ text: t('escalation:queued', { count: await estimateWaitMinutes(deps.db) }) });
    else if (outcome.status === 'accepted' && to.type === 'bot' && to.id !== 'triage' && !fallback) say(continuity(t, to.id, context));
    return outcome;
  };

  if (understanding.intent === 'language.switch' || req.message.replyId?.startsWith('lang:')) {
    if (language.chosen) say({ text: t('language:switched', { language: ENDONYM[language.chosen] }) }, menu({ t }));
    else say({ text: t('language:choose') , options: LOCALES.map((l) => ({ id: `lang:${l}`, title: ENDONYM[l] })) });
    return { replies, context, owner, handoffs, locale };
  }

  // Some messages mean a person should take over, whatever a bot could still say.
  const trigger = detectTrigger(req.message.text, req.recentInbound);
  if (trigger) {
    context = { ...context, sentiment: sentimentOf(trigger) };
    await handoff(HUMAN_QUEUE, 'escalation', trigger.reason);
    return { replies, context, owner, handoffs, locale };
  }

  for (let step = 0; step < MAX_ROUTING_STEPS && owner.type === 'bot'; step++) {
    const bot = deps.bots.get(owner.id) ?? deps.bots.get('triage')!;
    const route = decideRoute(bot.contract, understanding, context, deps.bots);
    if (route.kind === 'stay') break;
    if (route.kind === 'explicit') {
      outOfScope = { intent: route.intent, owner: route.owner };
      break;
    }
    if (route.kind === 'clarify') {
      context = { ...context, clarifications: context.clarifications + 1 };
      say({ text: t('clarify') }, menu({ t }));
      return { replies, context, owner, handoffs, locale };
    }
    if (route.kind === 'collect') {
      context = { ...context, awaiting: { slot: route.slot, intent: understanding.intent, route: { to: route.to, pattern: route.pattern, reason: route.reason } } };
      say({ text: t(`ask.${route.slot}`), asks: route.slot });
      return { replies, context, owner, handoffs, locale };
    }
    if (route.kind === 'escalate') {
      await handoff(HUMAN_QUEUE, 'escalation', route.reason);
      return { replies, context, owner, handoffs, locale };
    }
    const outcome = await handoff({ type: 'bot', id: route.to }, route.pattern, route.reason);
    if (outcome.status === 'rejected' || outcome.status === 'failed') {
      // The source keeps the conversation and says so, rather than answering off-topic.
      if (!outcome.escalated) say({ text: t('handoff:unavailable', { who: t(`bots.${route.to}`) }) });
      return { replies, context, owner, handoffs, locale };
    }
    if (outcome.replayed) break;
  }
  if (owner.type !== 'bot') return { replies, context, owner, handoffs, locale };

  // The owner answers. A bot may hand off explicitly or escalate; one bounce at most.
  for (let bounce = 0; bounce < 2 && owner.type === 'bot'; bounce++) {
    const bot = deps.bots.get(owner.id) ?? deps.bots.get('triage')!;
    let result;
    try {
      result = await bot.handle({
        conversationId: req.conversation.id,
        channel: req.conversation.channel,
        locale,
        contact: req.contact,
        message: req.message,
        understanding,
        context,
        ...(outOfScope ? { outOfScope } : {}),
        t,
        db: deps.db,
      });
    } catch (err) {
      // The bot failed answering: control goes back to the bot it came from (or
      // triage), and after two automated fallbacks a person takes over.
      deps.log.error({ err, bot: owner.id }, 'bot failed');
      context = { ...context, fallbacks: context.fallbacks + 1 };
      if (context.fallbacks >= MAX_FALLBACKS) {
        await handoff(HUMAN_QUEUE, 'escalation', 'fallbacks_exhausted');
        return { replies, context, owner, handoffs, locale };
      }
      const failed = owner.id;
      const back = [...context.lineage].reverse().map((l) => l.slice(4)).find((id) => id !== failed && deps.bots.get(id)) ?? 'triage';
      say({ text: t('errors.botFailure') });
      if (back !== failed) await handoff({ type: 'bot', id: back }, 'implicit', 'bot_failure', true);
      return { replies, context, owner, handoffs, locale };
    }
    say(...result.replies);
    context = result.context;
    outOfScope = undefined;
    if (result.escalate) {
      await handoff(HUMAN_QUEUE, 'escalation', result.escalate.reason);
      break;
    }
    if (!result.handoff) break;
    const outcome = await handoff({ type: 'bot', id: result.handoff.to }, 'explicit', result.handoff.reason);
    if (outcome.status !== 'accepted') {
      if (!outcome.escalated) say({ text: t('handoff:unavailable', { who: t(`bots.${result.handoff.to}`) }) });
      break;
    }
  }
  return { replies, context: { ...context, clarifications: 0 }, owner, handoffs, locale };
}

async function understand(deps: TurnDeps, req: TurnRequest, context: ConversationContext): Promise<Understanding> {
  const byReply = req.message.replyId ? REPLY_INTENTS[req.message.replyId] : undefined;
  if (byReply) return { intent: byReply, confidence: 1, alternatives: [], source: 'rule' };
  if (!req.message.text.trim()) return { intent: 'None', confidence: 0, alternatives: [], source: 'rule' };
  // A bare answer to our own question ("1001", "ORD-1001") continues the asked intent.
  const slots = extractSlots(req.message.text);
  const answered = context.awaiting && (slots[context.awaiting.slot] || (context.awaiting.slot === 'orderId' && orderIdFromBareNumber(req.message.text)));
  const understood = await deps.classifier.classify(req.message.text, req.conversation.locale);
  // "ORD-1001" or "it's 1001" answers the question; "where is ORD-1001" asks a new one.
  // "it's" is one word, not two.
  const otherWords = req.message.text.replace(/\b(?:ORD|INV)[-\s#:]?\d+/gi, ' ').match(/[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu)?.length ?? 0;
  if (answered && (otherWords <= 1 || understood.intent === 'None' || understood.confidence < 0.9 || understood.intent === context.awaiting!.intent)) {
    return { intent: context.awaiting!.intent as Intent, confidence: 1, alternatives: [], source: 'rule' };
  }
  return understood;
}

function remember(context: ConversationContext, understanding: Understanding, text: string): ConversationContext {
  const slots = { ...context.slots, ...extractSlots(text) };
  if (context.awaiting?.slot === 'orderId' && !extractSlots(text).orderId) {
    const bare = orderIdFromBareNumber(text);
    if (bare) slots.orderId = { value: bare, pii: false, source: 'customer', at: new Date().toISOString() };
  }
  const understood = understanding.intent !== 'None';
  return {
    ...context,
    slots,
    ...(understood ? { intent: understanding.intent, confidence: understanding.confidence } : {}),
  };
}

function continuity(t: TFunction, botId: string, context: ConversationContext): BotReply {
  const orderId = context.slots.orderId?.value;
  const who = t(`bots.${botId}`);
  return { text: orderId ? t('handoff:continuityWithOrder', { who, orderId }) : t('handoff:continuity', { who }) };
}
