// Optional adapter for any OpenAI-compatible chat completions API. Only the customer's
// message leaves Baton, with emails and phone numbers masked first.
import { z } from 'zod';
import type { Understanding } from './intents.ts';
import { maskPersonalData } from '../shared/personalData.ts';

const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});
const Answer = z.object({ intent: z.string(), confidence: z.number().min(0).max(1) });

export class LlmClassifier {
  constructor(
    private readonly llm: { baseUrl: string; apiKey?: string | undefined; model: string },
    private readonly timeoutMs: number,
    /** The intents the running pack and Baton understand. */
    private readonly intents: readonly string[],
  ) {}

  async classify(text: string, locale: string): Promise<Understanding> {
    const response = await fetch(`${this.llm.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.llm.apiKey ? { authorization: `Bearer ${this.llm.apiKey}` } : {}),
      },
      signal: AbortSignal.timeout(this.timeoutMs),
      body: JSON.stringify({
        model: this.llm.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          {
            role: 'system',
            content:
              'Classify the customer message for a customer service. Answer only JSON {"intent": one of ' +
              JSON.stringify([...this.intents, 'None']) +
              ', "confidence": 0..1}. The message may be in any Indian language or English (locale hint: ' +
              locale +
              ').',
          },
          { role: 'user', content: maskPersonalData(text) },
        ],
      }),
    });
    if (!response.ok) throw new Error(`LLM answered ${response.status}`);
    const completion = ChatCompletion.parse(await response.json());
    const answer = Answer.parse(JSON.parse(completion.choices[0]!.message.content));
    if (answer.intent !== 'None' && !this.intents.includes(answer.intent)) throw new Error(`LLM answered an unknown intent "${answer.intent}"`);
    return { intent: answer.intent, confidence: answer.confidence, alternatives: [], source: 'llm' };
  }
}
