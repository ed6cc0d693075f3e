// The bot contract. A bot reads one customer message with the conversation's context
// and returns replies and the updated context; it never sends or stores anything
// itself — the turn use case does, atomically.
import type { TFunction } from 'i18next';
import type { ChannelName } from '../channels/channel.ts';
import type { ConversationContext } from '../conversations/context.ts';
import type { Db } from '../db/client.ts';

export type ReplyOption = { id: string; title: string };
export type BotReply = { text: string; options?: ReplyOption[] };

export type TurnInput = {
  conversationId: string;
  channel: ChannelName;
  locale: string;
  contact: { id: string; name: string | null };
  message: { id: string; text: string; kind: string; replyId?: string };
  context: ConversationContext;
  t: TFunction;
  db: Db;
};

export type TurnResult = { replies: BotReply[]; context: ConversationContext };

export interface Bot {
  readonly id: string;
  handle(input: TurnInput): Promise<TurnResult>;
}
