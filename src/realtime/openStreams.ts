// Every live stream this process holds (SSE to agents and web chat customers), so that
// shutdown can end them all and deactivating an agent or rotating its token can end
// the streams opened with it. A stream's `owner` is a key such as `agent:<id>`.
// The number of streams one owner (agent, web chat session) and one client address may
// hold open is capped: each costs a socket, a subscription and a heartbeat timer.
export type OpenStream = { owner: string; ip?: string | undefined; end: () => void };

export type OpenStreams = ReturnType<typeof createOpenStreams>;

export type StreamLimits = { perOwner: number; perIp: number };
export const DEFAULT_STREAM_LIMITS: StreamLimits = { perOwner: 5, perIp: 50 };

export function createOpenStreams(limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
  const streams = new Set<OpenStream>();
  const count = (match: (s: OpenStream) => boolean) => [...streams].filter(match).length;
  return {
    /** Why a new stream of this owner from this address may not open, or undefined if it may. */
    refusal(owner: string, ip: string | undefined): string | undefined {
      if (count((s) => s.owner === owner) >= limits.perOwner) return `at most ${limits.perOwner} open streams per ${owner.split(':')[0]}`;
      if (ip !== undefined && count((s) => s.ip === ip) >= limits.perIp) return `at most ${limits.perIp} open streams per client address`;
      return undefined;
    },
    add(stream: OpenStream): () => void {
      streams.add(stream);
      return () => void streams.delete(stream);
    },
    /** Ends the streams of one owner; returns how many. */
    endOwner(owner: string): number {
      let n = 0;
      for (const s of [...streams]) {
        if (s.owner !== owner) continue;
        s.end();
        n++;
      }
      return n;
    },
    /** Ends every stream (shutdown). */
    endAll(): number {
      const all = [...streams];
      for (const s of all) s.end();
      return all.length;
    },
    get size() {
      return streams.size;
    },
  };
}

export const agentOwner = (agentId: string) => `agent:${agentId}`;
export const sessionOwner = (sessionId: string) => `webchat:${sessionId}`;
