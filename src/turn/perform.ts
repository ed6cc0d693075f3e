// One customer message, start to finish, while a bot owns the conversation, as named
// steps: understand it, settle the language, check the escalation triggers, route it
// (handing off as the owner's pattern says, collecting a missing slot first), and let
// the owner answer. Returns what to say and the new context; the caller persists both
// atomically.
import type { TFunction } from 'i18next';
import { ActionFailed, AuthorityExceeded, type BotAnswer, type BotReply, type BotTurn, type InboundContent } from '../bots/bot.ts';
import { menuReply } from '../bots/triage/triageBot.ts';
import type { ChannelName } from '../channels/channel.ts';
import { LOCALES } from '../config/env.ts';
import { detectTrigger, sentimentOf } from '../escalation/triggers.ts';
import { estimateWaitMinutes } from '../escalation/estimateWait.ts';
import type { Party } from '../handoff/envelope.ts';
import { topicOf } from '../handoff/guards.ts';
import { handoffIdFor } from '../handoff/handoffId.ts';
import { HUMAN_QUEUE, MAX_FALLBACKS, performHandoff, type HandoffDeps, type HandoffOutcome } from '../handoff/protocol.ts';
import { decideRoute } from '../handoff/routing.ts';
import type { LanguageDetector } from '../i18n/detectLanguage.ts';
import { translator } from '../i18n/i18n.ts';
import { ENDONYM } from '../i18n/languageNames.ts';
import { decideLanguage } from '../i18n/languagePolicy.ts';
import { daysUntil, formatDate, formatMoney, formatNumber } from '../i18n/format.ts';
import type { Pack } from '../packs/loadPack.ts';
import type { Classifier } from '../understanding/classifier.ts';
import { NO_INTENT, type Understanding } from '../understanding/intents.ts';
import { lastOffered, pickOffered } from '../conversations/choices.ts';
import type { ConversationContext } from '../handoff/context.ts';
import type { Slots } from '../shared/slots.ts';

/** `slots`: the worker's slots; a remote bot's answer is awaited outside them. */
export type PerformDeps = HandoffDeps & { classifier: Classifier; detector: LanguageDetector; pack: Pack; slots?: Slots };

export type TurnRequest = {
  conversation: { id: string; contactId: string; channel: ChannelName; locale: string; ownerId: string };
  contact: { id: string; name: string | null; address: string };
  message: InboundContent;
  /** The customer's previous messages in this conversation, newest last. */
  recentInbound: readonly string[];
  context: ConversationContext;
  /** The language the contact chose, if any: it wins over detection. */
  chosenLocale: string | null;
};

export type TurnOutcome = { replies: BotReply[]; context: ConversationContext; owner: Party; handoffs: HandoffOutcome[]; locale: string };

const MAX_ROUTING_STEPS = 4;
const SHARED_KINDS: ReadonlySet<string> = new Set(['media', 'location', 'contacts']);

export async function performTurn(live: PerformDeps, asked: TurnRequest): Promise<TurnOutcome> {
  // One pack for the whole turn, even if a reload swaps it meanwhile.
  const deps: PerformDeps = { ...live };
  const req = withPickedOption(asked);
  const { pack } = deps;
  let context: ConversationContext = { ...req.context, turn: req.context.turn + 1 };
  const understanding = await understand(deps, req, context);
  const { locale, chosen } = await settleLanguage(deps, req, understanding);
  const t: TFunction = translator(locale);
  context = remember(pack, context, understanding, req.message.text);

  if (context.awaiting && context.slots[context.awaiting.slot] && !context.awaiting.route) context = { ...context, awaiting: undefined };
  let owner: Party = { type: 'bot', id: req.conversation.ownerId };
  const replies: BotReply[] = [];
  const handoffs: HandoffOutcome[] = [];
  let speaker = owner.id;
  const say = (...lines: BotReply[]) => {
    if (owner.type === 'bot') speaker = owner.id;
    replies.push(...lines.map((line) => ({ ...line, by: line.by ?? speaker })));
  };
  const done = (): TurnOutcome => ({ replies, context: { ...context, offered: lastOffered(replies) }, owner, handoffs, locale });
  let outOfScope: BotTurn['outOfScope'];
  let envelope: Record<string, unknown> | null = null;

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
    if (outcome.status === 'accepted' && outcome.envelope) envelope = outcome.envelope;
    if (outcome.escalated) say({ text: t('escalation:queued', { count: await estimateWaitMinutes(deps.db) }) });
    else if (outcome.status === 'accepted' && to.type === 'bot' && to.id !== deps.bots.triageId && !fallback) say(continuity(pack, t, to.id, context));
    return outcome;
  };

  // Step: a language switch is answered by Baton itself.
  if (understanding.intent === 'language.switch' || req.message.replyId?.startsWith('lang:')) {
    if (chosen) say({ text: t('language:switched', { language: ENDONYM[chosen] }) }, menuReply(t, pack.menu));
    else say({ text: t('language:choose'), options: LOCALES.map((l) => ({ id: `lang:${l}`, title: ENDONYM[l] })) });
    return done();
  }

  // A location, a contact card or a photo without words goes straight to the owner as
  // what it is: there is nothing to classify, so it is neither "not understood" nor a
  // reason to escalate.
  const shared = SHARED_KINDS.has(req.message.kind) && !req.message.text.trim();

  // Step: some messages mean a person should take over, whatever a bot could still say.
  const trigger = shared ? undefined : detectTrigger(req.message.text, req.recentInbound);
  if (trigger) {
    context = { ...context, sentiment: sentimentOf(trigger) };
    await handoff(HUMAN_QUEUE, 'escalation', trigger.reason);
    return done();
  }

  // Step: route.
  for (let step = 0; !shared && step < MAX_ROUTING_STEPS && owner.type === 'bot'; step++) {
    const bot = deps.bots.get(owner.id) ?? deps.bots.get(deps.bots.triageId)!;
    const route = decideRoute(bot.contract, understanding, context, deps.bots);
    if (route.kind === 'stay') break;
    if (route.kind === 'explicit') {
      outOfScope = { intent: route.intent, owner: route.owner };
      break;
    }
    if (route.kind === 'clarify') {
      context = { ...context, clarifications: context.clarifications + 1 };
      say({ text: t('clarify') }, menuReply(t, pack.menu));
      return done();
    }
    if (route.kind === 'collect') {
      context = { ...context, awaiting: { slot: route.slot, intent: understanding.intent, route: { to: route.to, pattern: route.pattern, reason: route.reason } } };
      say({ text: t(`ask.${route.slot}`), asks: route.slot });
      return done();
    }
    if (route.kind === 'escalate') {
      await handoff(HUMAN_QUEUE, 'escalation', route.reason);
      return done();
    }
    const outcome = await handoff({ type: 'bot', id: route.to }, route.pattern, route.reason);
    if (outcome.status === 'rejected' || outcome.status === 'failed') {
      // The source keeps the conversation and says so, rather than answering off-topic.
      if (!outcome.escalated) say({ text: t('handoff:unavailable', { who: t(`bots.${route.to}`, { defaultValue: route.to }) }) });
      return done();
    }
    if (outcome.replayed) break;
  }
  if (owner.type !== 'bot') return done();

  // Step: the owner answers. A bot may hand off explicitly or escalate; one bounce at most.
  for (let bounce = 0; bounce < 2 && owner.type === 'bot'; bounce++) {
    const botId = owner.id;
    const bot = deps.bots.get(botId) ?? deps.bots.get(deps.bots.triageId)!;
    // A bot that got the conversation in an earlier turn (e.g. a person released it)
    // still reads the envelope that brought it, notes included, on its first answer.
    if (!envelope && context.arrival?.bot === botId) envelope = await arrivalEnvelope(deps, context.arrival.handoffId);
    let answer: BotAnswer;
    try {
      const turn = botTurn(deps, req, { botId: bot.contract.id, locale, t, understanding, context, envelope, outOfScope });
      answer = await (bot.remote && deps.slots ? deps.slots.outside(() => bot.answer(turn)) : bot.answer(turn));
    } catch (err) {
      if (err instanceof AuthorityExceeded) {
        await handoff(HUMAN_QUEUE, 'escalation', 'authority');
        return done();
      }
      // The bot failed answering (an exception, a timeout, an invalid answer, a failed
      // action): control goes back to the bot it came from (or triage), and after two
      // automated fallbacks a person takes over.
      deps.log.error({ err: err instanceof ActionFailed || err instanceof Error ? err.message : String(err), bot: botId }, 'bot failed');
      context = { ...context, fallbacks: context.fallbacks + 1 };
      if (context.fallbacks >= MAX_FALLBACKS) {
        await handoff(HUMAN_QUEUE, 'escalation', 'fallbacks_exhausted');
        return done();
      }
      const back = [...context.lineage].reverse().map((l) => l.slice(4)).find((id) => id !== botId && deps.bots.get(id)) ?? deps.bots.triageId;
      say({ text: t('errors.botFailure') });
      if (back !== botId) await handoff({ type: 'bot', id: back }, 'implicit', 'bot_failure', true);
      return done();
    }
    say(...answer.replies);
    context = { ...applyAnswer(context, bot.contract.id, answer), arrival: undefined };
    outOfScope = undefined;
    if (answer.escalate) {
      await handoff(HUMAN_QUEUE, 'escalation', answer.escalate.reason);
      break;
    }
    if (!answer.handoff) break;
    const outcome = await handoff({ type: 'bot', id: answer.handoff.to }, 'explicit', answer.handoff.reason);
    if (outcome.status !== 'accepted') {
      if (!outcome.escalated) say({ text: t('handoff:unavailable', { who: t(`bots.${answer.handoff.to}`, { defaultValue: answer.handoff.to }) }) });
      break;
    }
  }
  context = { ...context, clarifications: 0 };
  return done();
}

/** Step: settle the reply language (and remember a choice). */
async function settleLanguage(deps: PerformDeps, req: TurnRequest, understanding: Understanding) {
  const language = decideLanguage({
    text: req.message.text,
    replyId: req.message.replyId,
    current: req.conversation.locale,
    chosen: req.chosenLocale,
    asksToSwitch: understanding.intent === 'language.switch',
    detector: deps.detector,
  });
  if (language.locale !== req.conversation.locale) await deps.db.conversation.update({ where: { id: req.conversation.id }, data: { locale: language.locale } });
  if (language.chosen) await deps.db.contact.update({ where: { id: req.contact.id }, data: { locale: language.chosen } });
  return language;
}

function botTurn(
  deps: PerformDeps,
  req: TurnRequest,
  at: { botId: string; locale: string; t: TFunction; understanding: Understanding; context: ConversationContext; envelope: Record<string, unknown> | null; outOfScope: BotTurn['outOfScope'] },
): BotTurn {
  return botTurnFor(deps.pack, {
    ...at,
    conversationId: req.conversation.id,
    contact: { id: req.contact.id, channel: req.conversation.channel, address: req.contact.address, name: req.contact.name },
    message: req.message,
    intent: { name: at.understanding.intent, confidence: at.understanding.confidence },
  });
}

/** What a bot is given for one message (also used to ask a bot for a suggestion, read-only). */
export function botTurnFor(
  pack: Pack,
  at: {
    botId: string;
    conversationId: string;
    contact: BotTurn['contact'];
    message: BotTurn['message'];
    intent: BotTurn['intent'];
    locale: string;
    t: TFunction;
    context: ConversationContext;
    envelope: Record<string, unknown> | null;
    outOfScope?: BotTurn['outOfScope'];
    readOnly?: boolean;
  },
): BotTurn {
  const state = at.context.botState[at.botId];
  const actions = pack.actionsFor(at.botId, { conversationId: at.conversationId, contact: at.contact, slots: at.context.slots });
  return {
    conversationId: at.conversationId,
    channel: at.contact.channel,
    locale: at.locale,
    contact: at.contact,
    message: at.message,
    intent: at.intent,
    slots: at.context.slots,
    state: state && typeof state === 'object' ? (state as Record<string, unknown>) : {},
    envelope: at.envelope,
    notes: at.context.notes,
    ...(at.outOfScope ? { outOfScope: at.outOfScope } : {}),
    t: at.t,
    format: formatterFor(at.locale),
    actions: at.readOnly ? readOnly(pack, actions) : actions,
  };
}

/** Only the pack's GET actions: a suggestion must never change anything in the back-end. */
function readOnly(pack: Pack, actions: BotTurn['actions']): BotTurn['actions'] {
  return {
    call: (id, params) => {
      const method = pack.manifest.actions.find((a) => a.id === id)?.method;
      return method === 'GET' ? actions.call(id, params) : Promise.reject(new ActionFailed(id, 'changes nothing while suggesting a reply'));
    },
  };
}

/** A bot's effects on the context: slots learned or forgotten, its own state, what it asked for. */
function applyAnswer(context: ConversationContext, botId: string, answer: BotAnswer): ConversationContext {
  const slots = { ...context.slots };
  for (const [name, value] of Object.entries(answer.slots ?? {})) {
    if (value === null) delete slots[name];
    else slots[name] = value;
  }
  return {
    ...context,
    slots,
    ...(answer.state ? { botState: { ...context.botState, [botId]: answer.state } } : {}),
    ...(answer.awaiting ? { awaiting: answer.awaiting } : {}),
  };
}

/** A typed answer to numbered options ("2", or an option's title) is the tap it stands for. */
function withPickedOption(req: TurnRequest): TurnRequest {
  const picked = req.message.replyId ? undefined : pickOffered(req.context.offered, req.message.text);
  return picked ? { ...req, message: { ...req.message, replyId: picked } } : req;
}

/** Step: understand. Buttons and bare answers to Baton's own questions need no model. */
async function understand(deps: PerformDeps, req: TurnRequest, context: ConversationContext): Promise<Understanding> {
  const { pack } = deps;
  const byReply = req.message.replyId ? pack.replyIntents[req.message.replyId] : undefined;
  if (byReply) return { intent: byReply, confidence: 1, alternatives: [], source: 'rule' };
  if (!req.message.text.trim()) return { intent: NO_INTENT, confidence: 0, alternatives: [], source: 'rule' };
  // A bare answer to our own question ("1001", "ORD-1001") continues the asked intent.
  const slots = pack.slots.extract(req.message.text);
  const answered = context.awaiting && (slots[context.awaiting.slot] || pack.slots.bare(context.awaiting.slot, req.message.text));
  const understood = await deps.classifier.classify(req.message.text, req.conversation.locale);
  // "ORD-1001" or "it's 1001" answers the question; "where is ORD-1001" asks a new one.
  // "it's" is one word, not two.
  const otherWords = pack.slots.strip(req.message.text).match(/[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu)?.length ?? 0;
  if (answered && (otherWords <= 1 || understood.intent === NO_INTENT || understood.confidence < 0.9 || understood.intent === context.awaiting!.intent)) {
    return { intent: context.awaiting!.intent, confidence: 1, alternatives: [], source: 'rule' };
  }
  return understood;
}

function remember(pack: Pack, context: ConversationContext, understanding: Understanding, text: string): ConversationContext {
  const found = pack.slots.extract(text);
  const slots = { ...context.slots, ...found };
  if (context.awaiting && !found[context.awaiting.slot]) {
    const bare = pack.slots.bare(context.awaiting.slot, text);
    if (bare) slots[context.awaiting.slot] = bare;
  }
  const understood = understanding.intent !== NO_INTENT;
  return {
    ...context,
    slots,
    ...(understood ? { intent: understanding.intent, confidence: understanding.confidence } : {}),
  };
}

/** "Connecting you to …": with the first detail the pack has a line for (`continuity.<slot>`). */
function continuity(pack: Pack, t: TFunction, botId: string, context: ConversationContext): BotReply {
  const who = t(`bots.${botId}`, { defaultValue: botId });
  for (const slot of pack.manifest.slots) {
    const value = context.slots[slot.name]?.value;
    if (value && !slot.pii && t(`continuity.${slot.name}`, { defaultValue: '' })) return { text: t(`continuity.${slot.name}`, { who, value }) };
  }
  return { text: t('handoff:continuity', { who }) };
}

function formatterFor(locale: string): BotTurn['format'] {
  const asDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));
  return {
    money: (paise) => formatMoney(paise, locale),
    date: (d) => formatDate(asDate(d), locale),
    number: (value) => formatNumber(value, locale),
    daysUntil: (d) => daysUntil(asDate(d)),
  };
}

/** The envelope of an earlier handoff, as the ledger keeps it (personal data redacted). */
async function arrivalEnvelope(deps: PerformDeps, handoffId: string): Promise<Record<string, unknown> | null> {
  const row = await deps.db.handoffEvent.findUnique({ where: { id: handoffId }, select: { envelope: true } });
  const envelope = row?.envelope;
  return envelope && typeof envelope === 'object' && !Array.isArray(envelope) && Object.keys(envelope).length ? (envelope as Record<string, unknown>) : null;
}
