// Issue #15, writes that raced: erasing a contact while a bot turn runs (the turn wrote
// the context, the memory and a reply back after the erase, and queued replies went
// out to "[erased]"), an agent's reply written after the agent lost the conversation,
// and lastInboundAt moved back by a late delivery.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/agents/authenticate.ts';
import { ERASED, eraseContact } from '../../src/contacts/privacy.ts';
import { runBotTurn } from '../../src/turn/runBotTurn.ts';
import type { Db } from '../../src/db/client.ts';
import { agentReply } from '../../src/escalation/agentReply.ts';
import { Forbidden } from '../../src/shared/errors.ts';
import { randomPhone } from '../support/harness.ts';
import { postWhatsAppText } from '../support/whatsappFlow.ts';
import { createAgent } from '../escalation/helpers.ts';
import { customerWrites, stubClassifier, turnDeps, useHarness } from './support.ts';

const h = useHarness('writes');

describe('erasing a contact', () => {
  it('waits for a running turn, then leaves nothing of it: no context, memory, names or replies to send', async () => {
    const first = await customerWrites(h, randomPhone(), 'hello, I am Meera');
    const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    let entered!: () => void;
    const inTurn = new Promise<void>((r) => (entered = r));
    let finish!: () => void;
    const slow = new Promise<void>((r) => (finish = r));
    const turn = runBotTurn(
      turnDeps(
        h,
        stubClassifier(async () => {
          entered();
          await slow;
          return { intent: 'greeting', confidence: 0.99, alternatives: [], source: 'rule' };
        }),
      ),
      conversation.id,
    );
    await inTurn;
    const erased = eraseContact(h.rt, conversation.contactId);
    await new Promise((r) => setTimeout(r, 300));
    finish();
    await turn;
    const result = await erased;
    expect(result.conversations).toBe(1);

    const after = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(after.context).toEqual({ erased: true });
    const contact = await h.rt.db.contact.findUniqueOrThrow({ where: { id: conversation.contactId } });
    expect(contact.memory).toEqual({});
    const messages = await h.rt.db.message.findMany({ where: { conversationId: conversation.id } });
    expect(messages.filter((m) => m.direction === 'outbound').length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(m.text).toBe(ERASED);
      if (m.direction === 'inbound') expect(m.authorName).toBeNull();
      // Nothing left to send to "[erased]".
      if (m.direction === 'outbound') expect(m.status).toBe('failed');
    }
    expect(await h.rt.db.outbox.count({ where: { conversationId: conversation.id, kind: { in: ['turn', 'send'] } } })).toBe(0);
  });
});

describe("an agent's reply", () => {
  it('is refused, and nothing stored, when the agent lost the conversation between the check and the write', async () => {
    const agent = await createAgent(h, { languages: ['en'] });
    const other = await createAgent(h, { languages: ['en'] });
    const actor: Actor = { kind: 'agent', id: agent.id, role: 'agent', name: agent.name, languages: ['en'], skills: [] };
    const message = await customerWrites(h, randomPhone(), 'hello');
    await h.rt.db.conversation.update({ where: { id: message.conversationId }, data: { status: 'agent', ownerType: 'agent', ownerId: agent.id, claimedAt: new Date() } });
    // The read sees the agent holding it; right after, a transfer gives it to another.
    const db = new Proxy(h.rt.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'conversation') return value;
        return new Proxy(value as object, {
          get(t, p, r) {
            const fn = Reflect.get(t, p, r) as (...a: unknown[]) => Promise<unknown>;
            if (p !== 'findUnique') return typeof fn === 'function' ? fn.bind(t) : fn;
            return async (...a: unknown[]) => {
              const read = await fn.apply(t, a);
              await h.rt.db.conversation.update({ where: { id: message.conversationId }, data: { ownerId: other.id } });
              return read;
            };
          },
        });
      },
    }) as Db;
    await expect(agentReply({ ...h.rt.escalation, db }, actor, message.conversationId, { text: 'I can help' })).rejects.toBeInstanceOf(Forbidden);
    expect(await h.rt.db.message.count({ where: { conversationId: message.conversationId, direction: 'outbound', authorId: agent.id } })).toBe(0);
  });
});

describe('lastInboundAt', () => {
  it('keeps the newest time when an older message is delivered late', async () => {
    const waId = randomPhone();
    const now = Math.floor(Date.now() / 1000);
    expect((await postWhatsAppText(h, { from: waId, id: `wamid.late-${waId}-2`, text: 'newer', timestamp: now })).status).toBe(200);
    expect((await postWhatsAppText(h, { from: waId, id: `wamid.late-${waId}-1`, text: 'older', timestamp: now - 3600 })).status).toBe(200);
    const stored = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: `wamid.late-${waId}-1` } } });
    const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: stored.conversationId } });
    expect(Math.round(conversation.lastInboundAt!.getTime() / 1000)).toBe(now);
  });
});
