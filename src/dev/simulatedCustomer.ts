// A customer on WhatsApp, driven through Baton's real HTTP webhook: it signs and
// posts each message like Meta would, then waits until Baton has answered it and
// every reply has left (read from PostgreSQL), and returns what it was told.
import { computeTwilioSignature } from '../channels/sms/signature.ts';
import { randomUUID } from 'node:crypto';
import { signWhatsAppBody } from '../channels/whatsapp/index.ts';
import { whatsappWebhookBody } from './whatsappWebhookBody.ts';
import { parseContext, type ConversationContext } from '../handoff/context.ts';
import type { Db } from '../db/client.ts';

export type Reply = { text: string; author: string | null; asks?: string; options?: Array<{ id: string; title: string }> };
export type HandoffRow = { from: string; to: string; pattern: string; reason: string; status: string; latencyMs: number | null; packVersion: string | null };

export type TurnReport = {
  replies: Reply[];
  handoffs: HandoffRow[];
  /** Context before this message: what Baton already knew. */
  knownBefore: ConversationContext['slots'];
  conversation: { id: string; status: string; ownerType: string; ownerId: string | null; locale: string; context: ConversationContext };
};

export class SimulatedCustomer {
  readonly waId: string;
  private sent = 0;
  private conversationId: string | undefined;

  constructor(
    private readonly opts: {
      baseUrl: string;
      db: Db;
      appSecret: string;
      phoneNumberId: string;
      name?: string;
      waId?: string;
      timeoutMs?: number;
      /** Write by SMS instead (Twilio's signed form): the auth token and the URL Twilio signs. */
      sms?: { authToken: string; publicBaseUrl: string; to: string };
    },
  ) {
    this.waId = opts.waId ?? `91${Math.floor(7_000_000_000 + Math.random() * 2_999_999_999)}`;
  }

  /** `image`: a WhatsApp photo (the provider must serve that media id), `text` its caption. */
  async say(text: string, options: { replyId?: string; image?: { mediaId: string; mimeType: string } } = {}): Promise<TurnReport> {
    const before = this.conversationId ? await this.state() : undefined;
    const handoffsBefore = this.conversationId ? await this.opts.db.handoffEvent.count({ where: { conversationId: this.conversationId } }) : 0;
    this.sent++;
    const { channel, id } = this.opts.sms ? await this.postSms(text) : await this.postWhatsApp(text, options);
    const inbound = await this.opts.db.message.findUniqueOrThrow({
      where: { channel_providerMessageId: { channel, providerMessageId: id } },
    });
    this.conversationId = inbound.conversationId;
    await this.settle(inbound.id);
    const replies = await this.opts.db.message.findMany({
      where: { conversationId: inbound.conversationId, direction: 'outbound', idempotencyKey: { startsWith: `${inbound.id}:` } },
      orderBy: { seq: 'asc' },
    });
    const handoffs = await this.opts.db.handoffEvent.findMany({
      where: { conversationId: inbound.conversationId },
      orderBy: { createdAt: 'asc' },
      skip: handoffsBefore,
    });
    return {
      replies: replies.map((r) => {
        const payload = (r.payload ?? {}) as { asks?: string; options?: Reply['options'] };
        return { text: r.text, author: r.authorId, ...(payload.asks ? { asks: payload.asks } : {}), ...(payload.options ? { options: payload.options } : {}) };
      }),
      handoffs: handoffs.map((h) => ({ from: `${h.fromType}:${h.fromId}`, to: `${h.toType}:${h.toId}`, pattern: h.pattern, reason: h.reason, status: h.status, latencyMs: h.latencyMs, packVersion: h.packVersion })),
      knownBefore: before?.context.slots ?? {},
      conversation: await this.state(),
    };
  }

  private async postWhatsApp(text: string, options: { replyId?: string; image?: { mediaId: string; mimeType: string } }) {
    const id = `wamid.sim-${randomUUID()}`;
    const message = options.replyId
      ? { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: options.replyId, title: text } } }
      : options.image
        ? { type: 'image', image: { id: options.image.mediaId, mime_type: options.image.mimeType, ...(text ? { caption: text } : {}) } }
        : { type: 'text', text: { body: text } };
    const body = whatsappWebhookBody({
      phoneNumberId: this.opts.phoneNumberId,
      contact: { waId: this.waId, name: this.opts.name ?? 'Simulated Customer' },
      messages: [{ from: this.waId, id, ...message }],
    });
    const response = await fetch(`${this.opts.baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(body, this.opts.appSecret) },
      body,
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    return { channel: 'whatsapp' as const, id };
  }

  private async postSms(text: string) {
    const sms = this.opts.sms!;
    const id = `SM${randomUUID().replace(/-/g, '')}`;
    const fields = { MessageSid: id, AccountSid: 'ACsimulated', From: `+${this.waId}`, To: sms.to, Body: text, NumMedia: '0' };
    const signature = computeTwilioSignature(sms.authToken, `${sms.publicBaseUrl}/webhooks/sms`, Object.entries(fields));
    const response = await fetch(`${this.opts.baseUrl}/webhooks/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(fields).toString(),
    });
    if (response.status !== 200) throw new Error(`SMS webhook answered ${response.status}: ${await response.text()}`);
    return { channel: 'sms' as const, id };
  }

  private async state() {
    const c = await this.opts.db.conversation.findUniqueOrThrow({ where: { id: this.conversationId! } });
    return { id: c.id, status: c.status, ownerType: c.ownerType, ownerId: c.ownerId, locale: c.locale, context: parseContext(c.context) };
  }

  /** Waits until the message is answered and no reply of the conversation is still queued. */
  private async settle(inboundId: string): Promise<void> {
    const deadline = Date.now() + (this.opts.timeoutMs ?? 20_000);
    for (;;) {
      const inbound = await this.opts.db.message.findUniqueOrThrow({ where: { id: inboundId }, select: { handledAt: true } });
      const pending = await this.opts.db.message.count({
        where: { conversationId: this.conversationId!, direction: 'outbound', status: { in: ['queued', 'sending'] } },
      });
      if (inbound.handledAt && pending === 0) return;
      if (Date.now() > deadline) throw new Error(`no complete answer to message ${this.sent} within the timeout`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}
