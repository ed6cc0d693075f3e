// An llm bot against a scripted OpenAI-compatible model and a real pack back-end (through
// the real action client): tools are actions, handoffs and escalation; the model may get a
// tool call wrong and recover; it cannot loop forever, act over its authority or see
// personal data; and it is told which language to answer in.
import { describe, expect, it } from 'vitest';
import type { SlotValue } from '../../src/bots/bot.ts';
import { createLlmBot, type LlmBotConfig } from '../../src/bots/llm/llmBot.ts';
import { maskPersonalData } from '../../src/shared/personalData.ts';
import { actionTool, createActionPort } from '../../src/packs/actions.ts';
import { ActionSpec } from '../../src/packs/packSchema.ts';
import { botTurn } from '../support/botTurn.ts';
import { useRecordingServer } from '../support/recordingServer.ts';
import { callTools, say, useScriptedModel } from '../support/scriptedModel.ts';

const model = useScriptedModel();
const backEnd = useRecordingServer(() => ({ body: { order: { status: 'shipped' } } }));

const actions = [
  { id: 'orderStatus', description: 'Where an order is', url: '{{env.SHOP_URL}}/orders/{{slots.orderId}}?email={{slots.email}}', slots: { orderStatus: 'order.status', customerEmail: 'customer.email' } },
  {
    id: 'refund',
    description: 'Refund part of an order',
    method: 'POST',
    url: '{{env.SHOP_URL}}/refunds',
    body: { order: '{{slots.orderId}}', amount: '{{params.amount}}' },
    params: { amount: { type: 'number' }, reason: { type: 'string' } },
    required: ['amount'],
  },
].map((a) => ActionSpec.parse(a));

const LANGUAGES: Record<string, string> = { en: 'English', hi: 'Hindi' };

function bot(change: Partial<LlmBotConfig> = {}) {
  return createLlmBot({
    id: 'orders',
    instructions: 'You help customers of Acme with their orders.',
    model: 'scripted',
    baseUrl: model.url,
    apiKey: 'sk-test',
    tools: actions.map(actionTool),
    handsTo: [{ id: 'billing', description: 'payments, invoices and refunds' }],
    mayEscalate: true,
    maxToolRounds: 3,
    maxTokens: 256,
    timeoutMs: 2000,
    redact: maskPersonalData,
    languageName: (locale) => LANGUAGES[locale] ?? locale,
    isPii: (slot) => slot === 'email' || slot === 'customerEmail',
    ...change,
  });
}

const slots: Record<string, SlotValue> = {
  orderId: { value: 'ORD-1001', pii: false },
  email: { value: 'priya.sharma@example.com', pii: true },
  fullName: { value: 'Priya Sharma', pii: true },
};

function turn(change: Parameters<typeof botTurn>[0] = {}, limits?: Record<string, Record<string, number>>) {
  const base = botTurn({ slots, ...change });
  const actionPort = createActionPort({
    actions,
    env: { SHOP_URL: backEnd.server.url },
    scope: { conversationId: base.conversationId, contact: base.contact, slots: base.slots },
    ...(limits ? { limits } : {}),
  });
  return { ...base, actions: actionPort };
}

const toolMessages = (i: number) => model.requests()[i]!.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');

describe('createLlmBot', () => {
  it('calls an action, gives the model its result and answers with what it said and the slots learned', async () => {
    model.script(callTools([['orderStatus', {}]]), say('Your order ORD-1001 has shipped.'));
    const answer = await bot().answer(turn());

    expect(answer).toEqual({
      replies: [{ text: 'Your order ORD-1001 has shipped.' }],
      slots: { orderStatus: { value: 'shipped', pii: false, source: 'orders' } },
    });
    expect(backEnd.server.requests.map((r) => r.path)).toEqual(['/orders/ORD-1001?email=priya.sharma%40example.com']);
    expect(model.paths()).toEqual(['/v1/chat/completions', '/v1/chat/completions']);

    const [first, second] = model.requests();
    expect(first).toMatchObject({ model: 'scripted', tool_choice: 'auto', max_tokens: 256, temperature: 0 });
    expect(first!.tools!.map((t) => t.function.name)).toEqual(['orderStatus', 'refund', 'transfer_to_billing', 'escalate_to_human']);
    expect(first!.tools![1]!.function.parameters).toEqual({ type: 'object', properties: { amount: { type: 'number' }, reason: { type: 'string' } }, required: ['amount'], additionalProperties: false });
    expect(second!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second!.messages[2]!.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'orderStatus', arguments: '{}' } });
    expect(second!.messages[3]!.tool_call_id).toBe(second!.messages[2]!.tool_calls![0]!.id);
    expect(JSON.parse(toolMessages(1)[0]!)).toEqual({ order: { status: 'shipped' } });
  });

  it('offers no transfer or escalation it may not use', async () => {
    model.script(say('Hello.'));
    await bot({ handsTo: [], mayEscalate: false }).answer(turn());
    expect(model.requests()[0]!.tools!.map((t) => t.function.name)).toEqual(['orderStatus', 'refund']);
  });

  it('hands off through a transfer tool, keeping what the model said', async () => {
    model.script(callTools([['transfer_to_billing', { reason: 'wants a refund' }]], 'Let me pass you to billing.'));
    expect(await bot().answer(turn())).toEqual({ replies: [{ text: 'Let me pass you to billing.' }], handoff: { to: 'billing', reason: 'wants a refund' } });
  });

  it('escalates through the escalate tool', async () => {
    model.script(callTools([['escalate_to_human', { reason: 'asks for a person' }]]));
    expect(await bot().answer(turn())).toEqual({ replies: [], escalate: { reason: 'asks for a person' } });
  });

  it('tells the model about malformed arguments, unknown tools and failed actions, and lets it recover', async () => {
    const errors: string[] = [];
    backEnd.next = { status: 404, body: { error: 'no such order' } };
    model.script(
      callTools([
        ['orderStatus', '{not json'],
        ['refund', { amount: 'lots' }],
        ['deleteEverything', {}],
      ]),
      callTools([['orderStatus', {}]]),
      say('I could not find that order. Could you check the number?'),
    );
    const answer = await bot({ onToolError: (kind) => errors.push(kind) }).answer(turn());

    expect(answer).toEqual({ replies: [{ text: 'I could not find that order. Could you check the number?' }] });
    const [notJson, badSchema, unknown] = toolMessages(1);
    expect(notJson).toMatch(/arguments of orderStatus are malformed: they are not JSON/);
    expect(badSchema).toMatch(/arguments of refund are malformed: amount/);
    expect(unknown).toMatch(/no tool named "deleteEverything"/);
    expect(toolMessages(2)[3]).toMatch(/error: action "orderStatus": the back-end answered 404/);
    expect(errors).toEqual(['malformed_arguments', 'malformed_arguments', 'unknown_tool', 'action_failed']);
    expect(backEnd.server.requests).toHaveLength(1);
  });

  it('fails the turn when the model never stops calling tools', async () => {
    model.script(...Array.from({ length: 5 }, () => callTools([['orderStatus', {}]])));
    await expect(bot({ maxToolRounds: 2 }).answer(turn())).rejects.toThrow('llm bot "orders": the model still calls tools after 2 rounds');
    expect(model.requests()).toHaveLength(3);
    expect(backEnd.server.requests).toHaveLength(2);
  });

  it('fails the turn on a timeout, an error status, an empty answer or a body that is no completion', async () => {
    model.script({ ...say('late'), delayMs: 1000 });
    await expect(bot({ timeoutMs: 300 }).answer(turn())).rejects.toThrow('llm bot "orders": timed out after 300ms');
    model.script({ status: 429, body: { error: { message: 'slow down' } } });
    await expect(bot().answer(turn())).rejects.toThrow(/answered 429/);
    model.script(say(''));
    await expect(bot().answer(turn())).rejects.toThrow(/neither text nor tool calls/);
    model.script({ body: { choices: [] } });
    await expect(bot().answer(turn())).rejects.toThrow(/not a chat completion/);
  });

  it('escalates for authority when the model asks for a refund over the bot limit, without calling the back-end', async () => {
    model.script(callTools([['refund', { amount: 250, reason: 'damaged' }]], 'Let me check that refund.'));
    const answer = await bot().answer(turn({}, { refund: { amount: 100 } }));
    expect(answer).toEqual({ replies: [{ text: 'Let me check that refund.' }], escalate: { reason: 'authority' } });
    expect(backEnd.server.requests).toHaveLength(0);
  });

  it('never sends personal data to the model: not from the message, the slots, the envelope or action results', async () => {
    backEnd.next = { body: { order: { status: 'shipped' }, customer: { email: 'priya.sharma@example.com', name: 'Priya Sharma', phone: '+91 98123 45678' } } };
    model.script(callTools([['orderStatus', {}]]), say('It has shipped.'));
    const answer = await bot().answer(
      turn({
        message: { id: 'm', kind: 'text', text: 'I am Priya Sharma, mail me at priya.sharma@example.com or call +91 98123 45678 about ORD-1001' },
        envelope: { summary: 'Priya Sharma (priya.sharma@example.com) asks about ORD-1001' },
      }),
    );

    const received = model.received();
    for (const personal of ['priya.sharma@example.com', 'Priya Sharma', '98123', 'priya.sharma%40']) expect(received).not.toContain(personal);
    expect(received).toContain('ORD-1001');
    expect(received).toContain('[redacted:email]');
    // Baton itself filled the email into the back-end call, and learned it as personal data.
    expect(backEnd.server.requests[0]!.path).toContain('priya.sharma%40example.com');
    expect(answer.slots).toEqual({
      orderStatus: { value: 'shipped', pii: false, source: 'orders' },
      customerEmail: { value: 'priya.sharma@example.com', pii: true, source: 'orders' },
    });
  });

  it("names the conversation's language, the intent and the known slots in the system prompt", async () => {
    model.script(say('आपका ऑर्डर भेज दिया गया है।'));
    await bot().answer(turn({ locale: 'hi' }));
    const system = model.requests()[0]!.messages[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toContain('You help customers of Acme with their orders.');
    expect(system.content).toContain('Answer in Hindi (hi).');
    expect(system.content).toContain('"order.status" (confidence 0.92)');
    expect(system.content).toContain('- orderId: ORD-1001');
    expect(system.content).toContain('- fullName: [redacted:fullName]');
  });
});
