// Shared by the escalation tests: agents made through the admin API, the handoff
// ledger read through the API, and the agent event stream read over a real socket.
import { get, type IncomingMessage } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { Express } from 'express';
import { SimulatedCustomer } from '../../src/dev/simulatedCustomer.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { SECRETS, eventually, type Harness } from '../support/harness.ts';

export const ADMIN = { authorization: `Bearer ${SECRETS.adminToken}` };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type TestAgent = { id: string; token: string; name: string; auth: { authorization: string } };

let agentCount = 0;
/** Creates an agent through POST /api/admin/agents, as an operator would. */
export async function createAgent(
  h: Harness,
  options: { role?: 'agent' | 'supervisor'; languages?: string[]; skills?: string[]; name?: string } = {},
): Promise<TestAgent> {
  agentCount++;
  const name = options.name ?? `Agent ${agentCount}`;
  const res = await h.http
    .post('/api/admin/agents')
    .set(ADMIN)
    .send({
      name,
      email: `esc-${agentCount}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@agents.test`,
      role: options.role ?? 'agent',
      languages: options.languages ?? ['en'],
      skills: options.skills ?? [],
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const body = res.body as { id: string; token: string };
  return { id: body.id, token: body.token, name, auth: bearer(body.token) };
}

export type LedgerRow = { id: string; conversationId: string; from: string; to: string; pattern: string; reason: string; status: string; createdAt: string };

/** The conversation's handoffs from GET /api/handoffs (admin token), oldest first. */
export async function ledger(h: Harness, conversationId: string): Promise<LedgerRow[]> {
  const res = await h.http.get('/api/handoffs').query({ conversationId }).set(ADMIN);
  expect(res.status).toBe(200);
  return [...(res.body as { handoffs: LedgerRow[] }).handoffs].reverse();
}

export type ConversationBody = {
  id: string;
  status: string;
  locale: string;
  owner: { type: string; id: string | null };
  priority: number;
  reason: string | null;
  waitingSince: string | null;
  context: { slots: Record<string, { value: string }>; notes: Array<{ by: string; text: string }> };
  messages: Array<{ id: string; direction: string; text: string; author: { type: string; id: string | null } }>;
};

export async function conversation(h: Harness, conversationId: string): Promise<ConversationBody> {
  const res = await h.http.get(`/api/conversations/${conversationId}`).set(ADMIN);
  expect(res.status).toBe(200);
  return res.body as ConversationBody;
}

export type InboxEntry = { conversationId: string; channel: string; locale: string; reason: string | null; waitingSince: string | null; summary: string; priority: number };

export async function inbox(h: Harness, auth: { authorization: string }): Promise<InboxEntry[]> {
  const res = await h.http.get('/api/inbox').set(auth);
  expect(res.status).toBe(200);
  return res.body as InboxEntry[];
}

/** Waits until the escalation worker has placed the conversation in the queue (priority set). */
export async function placedInQueue(h: Harness, conversationId: string): Promise<number> {
  return eventually(
    async () => {
      const c = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      return c.status === 'waiting' && c.priority > 0 ? c.priority : undefined;
    },
    15_000,
    `conversation ${conversationId} to be placed in the queue`,
  );
}

/** Everything the stand-in WhatsApp API was asked to send to this customer. */
export function whatsAppSendsTo(h: Harness, waId: string): Array<Record<string, unknown>> {
  return h.provider.requests
    .filter((r) => r.path.endsWith('/messages') && (r.json as { to?: string } | undefined)?.to === waId)
    .map((r) => r.json as Record<string, unknown>);
}

export const sentText = (send: Record<string, unknown>) => (send.text as { body?: string } | undefined)?.body;

export type Listening = { url: string; server: Server; close: () => Promise<void> };

export async function listen(app: Express): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function customer(h: Harness, baseUrl: string, waId?: string): SimulatedCustomer {
  return new SimulatedCustomer({ baseUrl, db: h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId, ...(waId ? { waId } : {}) });
}

export type AgentStreamEvent = { event: string; data: Record<string, unknown> };

export type AgentStream = {
  status: number;
  events: AgentStreamEvent[];
  next: (match: (e: AgentStreamEvent) => boolean, timeoutMs?: number) => Promise<AgentStreamEvent>;
  close: () => void;
};

/**
 * Opens GET /api/events with a plain HTTP client and parses the Server-Sent Events.
 * Resolves once Baton has subscribed the stream to `topics` in Redis, so no event
 * published afterwards can be missed.
 */
export async function openAgentStream(rt: Runtime, baseUrl: string, token: string, topics: string[]): Promise<AgentStream> {
  const events: AgentStreamEvent[] = [];
  const waiters = new Set<() => void>();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(`${baseUrl}/api/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
  });
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
    }
    for (const wake of waiters) wake();
  });
  response.on('error', () => {});
  if (response.statusCode === 200) {
    // A connection of our own that waits out a slow Redis rather than failing fast.
    const redis = new Redis(rt.redisUrl, { maxRetriesPerRequest: null });
    try {
      await eventually(
        async () => {
          for (const topic of topics) {
            const [, count] = (await redis.pubsub('NUMSUB', `${rt.config.queuePrefix}:${topic}`)) as [string, number];
            if (Number(count) < 1) return false;
          }
          return true;
        },
        10_000,
        `the event stream to subscribe to ${topics.join(', ')}`,
      );
    } finally {
      redis.disconnect();
    }
  }
  return {
    status: response.statusCode ?? 0,
    events,
    next: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => response.destroy(),
  };
}

/** The return value of an escalation job (a timer) once it has run. */
export async function escalationJobResult(rt: Runtime, jobId: string, timeoutMs = 10_000): Promise<string> {
  return eventually(
    async () => {
      try {
        const job = await rt.producer.queues.escalation.getJob(jobId);
        return job && (await job.getState()) === 'completed' ? String(job.returnvalue) : undefined;
      } catch {
        return undefined; // the fail-fast producer connection timed out on a busy machine: ask again
      }
    },
    timeoutMs,
    `escalation job ${jobId} to run`,
  );
}
