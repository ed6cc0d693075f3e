// The bot contract. A bot reads one customer message with what Baton understood and
// the conversation's context, and returns replies, the updated context, and maybe a
// handoff or an escalation. It never sends or stores anything itself: the turn use
// case does, atomically.
import type { TFunction } from 'i18next';
import type { ChannelName } from '../channels/channel.ts';
import type { ConversationContext } from '../conversations/context.ts';
import type { Db } from '../db/client.ts';
import type { Understanding } from '../understanding/intents.ts';
import type { RoleContract } from './contract.ts';

export type ReplyOption = { id: string; title: string };
/** `asks` names the slot a reply asks the customer for (measured: never twice). */
export type BotReply = { text: string; options?: ReplyOption[]; asks?: string; /** The bot that said it. */ by?: string };

export type TurnInput = {
  conversationId: string;
  channel: ChannelName;
  locale: string;
  contact: { id: string; name: string | null };
  message: { id: string; text: string; kind: string; replyId?: string };
  understanding: Understanding;
  context: ConversationContext;
  /** Set when the intent belongs to another bot and this bot's pattern is `explicit`. */
  outOfScope?: { intent: string; owner: string };
  t: TFunction;
  db: Db;
};

export type TurnResult = {
  replies: BotReply[];
  context: ConversationContext;
  /** Explicit pattern: "hand this conversation to X". */
  handoff?: { to: string; reason: string };
  /** This bot should not go on: a person takes over. */
  escalate?: { reason: string };
};

export interface Bot {
  readonly contract: RoleContract;
  handle(input: TurnInput): Promise<TurnResult>;
  /** Protocol step "acknowledge": a bot may refuse an envelope it cannot work with. */
  acknowledge?(envelope: { slots: Record<string, { value: string }> }): Promise<void>;
}
