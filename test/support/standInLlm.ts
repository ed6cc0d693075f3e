// A stand-in for the optional OpenAI-compatible model (LLM_BASE_URL): a real HTTP server
// that classifies every message as the test says, so what the bots answer does not depend
// on how the built-in classifier reads test texts. Answers can be held back: a slow
// classification keeps a bot turn running, so a fault test can kill a worker mid-turn.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Classification = { intent: string; confidence: number };

export type StandInLlm = {
  url: string;
  env: Record<string, string>;
  /** Customer texts classified so far (every request, retries included). */
  texts: string[];
  /** Requests waiting for an answer right now. */
  pending(): number;
  /** The next classification of a text containing `marker` waits `ms` before answering. */
  holdNext(marker: string, ms: number): void;
  close(): Promise<void>;
};

export async function startStandInLlm(classify: (text: string) => Classification): Promise<StandInLlm> {
  const texts: string[] = [];
  const holds: Array<{ marker: string; ms: number }> = [];
  const open = new Set<ServerResponse>();
  let waiting = 0;
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
      const holdIndex = holds.findIndex((h) => text.includes(h.marker));
      const delay = holdIndex >= 0 ? holds.splice(holdIndex, 1)[0]!.ms : 0;
      open.add(res);
      waiting++;
      res.on('close', () => {
        open.delete(res);
        waiting--;
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(classify(text)) } }] }));
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    env: { LLM_BASE_URL: url, LLM_MODEL: 'stand-in-classifier' },
    texts,
    pending: () => waiting,
    holdNext: (marker, ms) => holds.push({ marker, ms }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
