// A stand-in for the optional OpenAI-compatible model (LLM_BASE_URL): a real HTTP server
// that classifies every message as the test says. Delivery tests use it so that what the
// bots answer does not depend on how the built-in classifier reads "m01".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Intent } from '../../src/understanding/intents.ts';

export type StandInLlm = {
  url: string;
  /** The customer texts it was asked to classify, in arrival order. */
  texts: string[];
  /** Environment that points a harness at this stand-in. */
  env: Record<string, string>;
  close(): Promise<void>;
};

export async function startStandInLlm(classify: (text: string) => { intent: Intent; confidence: number }): Promise<StandInLlm> {
  const texts: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return void res.end('{"error":{"message":"unknown stand-in route"}}');
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: Array<{ role: string; content: string }> };
      const text = body.messages.find((m) => m.role === 'user')?.content ?? '';
      texts.push(text);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(classify(text)) } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    texts,
    env: { LLM_BASE_URL: url, LLM_MODEL: 'stand-in-classifier' },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
