// A turn writes the customer's memory only when it learned something: a turn that learns
// nothing leaves the contact's row as it was (no new row version for every message).
import { describe, expect, it } from 'vitest';
import { runBotTurn } from '../../src/turn/runBotTurn.ts';
import { randomPhone } from '../support/harness.ts';
import { customerWrites, stubClassifier, turnDeps, useHarness } from './support.ts';

const h = useHarness('contact-memory');

describe('the contact’s memory', () => {
  it('is written when a turn learns a detail, and left alone when it learns nothing', async () => {
    const waId = randomPhone().slice(1);
    const deps = turnDeps(h, stubClassifier());
    const first = await customerWrites(h, waId, 'my order is ORD-1001');
    await runBotTurn(deps, first.conversationId);
    const learned = await h.rt.db.contact.findUniqueOrThrow({ where: { id: (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId } })).contactId } });
    expect(JSON.stringify(learned.memory)).toContain('ORD-1001');

    const second = await customerWrites(h, waId, 'hello again');
    await runBotTurn(deps, second.conversationId);
    expect((await h.rt.db.message.findUniqueOrThrow({ where: { id: second.id } })).handledAt).not.toBeNull();
    const after = await h.rt.db.contact.findUniqueOrThrow({ where: { id: learned.id } });
    expect(after.memory).toEqual(learned.memory);
    expect(after.updatedAt.getTime()).toBe(learned.updatedAt.getTime());
  });
});
