// A scripted OpenAI-compatible model: a real HTTP server that answers each chat completion
// with the next step of the test's script and records every request, so a test can say
// exactly what the model does and check everything that was sent to it.
import type { Answer } from './recordingServer.ts';
import { useRecordingServer } from './recordingServer.ts';

export type ChatRequest = {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string; description: string; parameters: unknown } }>;
  tool_choice?: string;
  max_tokens: number;
  temperature: number;
};

let callIds = 0;
const completion = (message: Record<string, unknown>): Answer => ({ body: { id: 'chatcmpl-scripted', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message } }] } });

/** The model answers with text. */
export const say = (text: string): Answer => completion({ content: text });

/** The model calls tools; `args` that are a string are sent as is (to script malformed JSON). */
export const callTools = (calls: Array<[name: string, args: unknown]>, content: string | null = null): Answer =>
  completion({
    content,
    tool_calls: calls.map(([name, args]) => ({ id: `call_${++callIds}`, type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } })),
  });

export function useScriptedModel() {
  const suite = useRecordingServer(() => ({ status: 500, body: { error: { message: 'the script has no more answers' } } }));
  return {
    /** The base URL (…/v1) a client appends /chat/completions to. */
    get url() {
      return `${suite.server.url}/v1`;
    },
    /** The answers to the next requests, in order. */
    script(...steps: Answer[]) {
      suite.queue.push(...steps);
    },
    requests: () => suite.server.requests.map((r) => r.json as ChatRequest),
    /** Every byte the model received. */
    received: () => suite.server.requests.map((r) => r.raw).join('\n'),
    paths: () => suite.server.requests.map((r) => r.path),
  };
}
