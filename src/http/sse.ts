// Server-Sent Events plumbing shared by /api/events and /webchat/sessions/:id/events:
// cleanup is attached before anything is awaited (a client that leaves during the
// replay is not leaked), a replay that fails after the head is written ends the stream
// (the client reconnects with Last-Event-ID), heartbeats keep proxies from timing the
// stream out, every open stream is registered so shutdown can end it, and an owner or a
// client address over its cap of open streams gets 429 before anything is subscribed.
import type { Request, Response } from 'express';
import type { OpenStreams } from '../realtime/openStreams.ts';
import type { Logger } from '../shared/logger.ts';

export const HEARTBEAT_MS = 15_000;

export type SseEvent = { event: string; data: unknown; id?: string | undefined };
export type Send = (e: SseEvent) => void;

export type StreamOptions = {
  streams: OpenStreams;
  owner: string;
  log: Logger;
  /** Subscribes to live events; returns the unsubscribers. Called synchronously. */
  subscribe: (send: Send) => Array<() => void>;
  /** What the client missed (sent after subscribing, so nothing falls in between). */
  replay?: (send: Send) => Promise<void>;
  heartbeatMs?: number;
};

export function openEventStream(req: Request, res: Response, options: StreamOptions): void {
  if (req.destroyed || res.writableEnded || res.socket?.destroyed) return; // left while being authenticated
  const refusal = options.streams.refusal(options.owner, req.ip);
  if (refusal) {
    res.status(429).set('Retry-After', '30').json({ error: 'too_many_streams', message: refusal });
    return;
  }
  let closed = false;
  const unsubscribers: Array<() => void> = [];
  let heartbeat: NodeJS.Timeout | undefined;
  let unregister = () => {};
  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const off of unsubscribers.splice(0)) off();
    unregister();
  };
  const end = () => {
    cleanup();
    if (!res.writableEnded) res.end();
  };
  res.on('close', cleanup);
  unregister = options.streams.add({ owner: options.owner, ip: req.ip, end });

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const send: Send = (e) => {
    if (closed) return;
    res.write(`event: ${e.event}\n${e.id !== undefined ? `id: ${e.id}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  };
  unsubscribers.push(...options.subscribe(send));
  heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  if (options.replay) {
    options.replay(send).catch((err: unknown) => {
      // The head is sent: no error body is possible any more. Ending lets the client
      // reconnect (with Last-Event-ID) and try the replay again.
      options.log.warn({ err, owner: options.owner }, 'event stream replay failed; ending the stream');
      end();
    });
  }
}
