// Every live stream this process holds (SSE to agents and web chat customers), so that
// shutdown can end them all and deactivating an agent or rotating its token can end
// the streams opened with it. A stream's `owner` is a key such as `agent:<id>`.
export type OpenStream = { owner: string; end: () => void };

export type OpenStreams = ReturnType<typeof createOpenStreams>;

export function createOpenStreams() {
  const streams = new Set<OpenStream>();
  return {
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
