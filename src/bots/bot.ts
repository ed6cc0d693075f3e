// The bot interface: one contract for every kind of specialist (code, webhook, llm).
// A bot reads one customer message with what Baton understood and what the
// conversation knows, and answers with replies and effects (slots learned, a handoff,
// an escalation). It never stores or sends anything and knows nothing of the
// database, the handoff protocol or escalation: the turn applies its answer
// atomically. This folder is a leaf: it imports nothing else of Baton's.
import type { TFunction } from 'i18next';

export type ReplyOption = { id: string; title: string };
/** `asks` names the slot a reply asks the customer for (measured: never twice). */
export type BotReply = { text: string; options?: ReplyOption[]; asks?: string; /** The bot that said it. */ by?: string };

/** A fact the customer gave or a bot learned. Personal data is redacted whenever it leaves Baton. */
export type SlotValue = { value: string; pii: boolean; source?: string | undefined; at?: string | undefined };
export type Slots = Record<string, SlotValue>;

/** Who is asking, as the channel verified it: a back-end checks ownership with it. */
export type ContactIdentity = { id: string; channel: string; address: string; name: string | null };

/** The pack's back-end calls, as a bot may make them. Failures throw `ActionFailed`. */
export interface ActionPort {
  call(action: string, params?: Record<string, unknown>): Promise<ActionResult>;
}
export type ActionResult = { status: number; data: unknown; /** Slots the action's declaration extracts from the answer. */ slots: Record<string, string> };

/**
 * A pack's module recognises these errors by `name` ("ActionFailed", "AuthorityExceeded"),
 * so it needs no runtime import of Baton's code and runs compiled or not.
 */
export class ActionFailed extends Error {
  override name = 'ActionFailed';
  constructor(
    readonly action: string,
    message: string,
    /** HTTP status of the back-end's answer, when there was one. */
    readonly status?: number,
  ) {
    super(`action "${action}": ${message}`);
  }
}

/** A bot asked for more than its authority allows alone (e.g. a refund over its limit): a person decides. */
export class AuthorityExceeded extends Error {
  override name = 'AuthorityExceeded';
  constructor(
    readonly action: string,
    readonly param: string,
    readonly limit: number,
    readonly asked: number,
  ) {
    super(`action "${action}": ${param} ${asked} is over this bot's limit of ${limit}`);
  }
}

/** Numbers, money and dates as the customer's locale writes them. */
export type Formatter = {
  money(paise: number): string;
  date(date: Date | string): string;
  number(value: number): string;
  /** Whole days from now until `date`, at least 0. */
  daysUntil(date: Date | string): number;
};

/**
 * The customer's message as a bot reads it. `kind` says what it is (text, interactive,
 * media, location, contacts); a location, a contact card or a photo without a caption
 * has empty `text` and the thing itself alongside.
 */
export type InboundContent = {
  id: string;
  text: string;
  kind: string;
  replyId?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: ReadonlyArray<{ name: string; phones: string[]; emails: string[] }>;
  attachment?: { kind: string; mimeType?: string; filename?: string };
};

export type BotTurn = {
  conversationId: string;
  channel: string;
  locale: string;
  contact: ContactIdentity;
  message: InboundContent;
  intent: { name: string; confidence: number };
  slots: Slots;
  /** What this bot kept between its own turns. */
  state: Record<string, unknown>;
  /** The handoff envelope v1 that brought the conversation to this bot this turn, else null. */
  envelope: Record<string, unknown> | null;
  /** Notes people on the team left for the bots (e.g. on release). */
  notes: ReadonlyArray<{ by: string; text: string; at: string }>;
  /** Set when the intent belongs to another bot and this bot's pattern is `explicit`. */
  outOfScope?: { intent: string; owner: string };
  /** The pack's catalogs over Baton's, fixed to the conversation's language. */
  t: TFunction;
  format: Formatter;
  actions: ActionPort;
};

export type BotAnswer = {
  replies: BotReply[];
  /** Slots learned this turn, merged into the conversation's slots. A null value forgets one. */
  slots?: Record<string, SlotValue | null>;
  /** Replaces the bot's own state. */
  state?: Record<string, unknown>;
  /** The slot a reply asked for, and the intent it serves: the customer's answer continues it. */
  awaiting?: { slot: string; intent: string };
  /** "Hand this conversation to X" (explicit pattern, or a handoff tool). */
  handoff?: { to: string; reason: string };
  /** This bot should not go on: a person takes over. */
  escalate?: { reason: string };
};

export interface Bot {
  readonly id: string;
  /** Answers over the network (webhook, LLM): its turn waits for it without holding a worker slot. */
  readonly remote?: boolean;
  answer(turn: BotTurn): Promise<BotAnswer>;
  /** Protocol step "acknowledge": a bot may refuse an envelope it cannot work with. */
  acknowledge?(envelope: { slots: Record<string, { value: string }> }): Promise<void>;
}
