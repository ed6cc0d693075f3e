// Prometheus metrics for Baton, one registry per process. Counters are incremented
// where things happen; queue depth and waiting escalations are read at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'baton_process_' });

const fastBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const metrics = {
  inbound: new Counter({ name: 'baton_inbound_messages_total', help: 'Inbound customer messages stored (duplicates excluded)', labelNames: ['channel'], registers: [registry] }),
  outbound: new Counter({ name: 'baton_outbound_messages_total', help: 'Outbound messages by final send outcome', labelNames: ['channel', 'status'], registers: [registry] }),
  jobDuration: new Histogram({ name: 'baton_job_duration_seconds', help: 'Job processing time per queue', labelNames: ['queue'], buckets: fastBuckets, registers: [registry] }),
  jobLatency: new Histogram({ name: 'baton_job_wait_seconds', help: 'Time from enqueue to processing start per queue', labelNames: ['queue'], buckets: fastBuckets, registers: [registry] }),
  handoffs: new Counter({ name: 'baton_handoffs_total', help: 'Handoff attempts by pattern, reason and outcome', labelNames: ['pattern', 'reason', 'status'], registers: [registry] }),
  handoffLatency: new Histogram({ name: 'baton_handoff_transition_seconds', help: 'Handoff protocol time from pause to release', buckets: fastBuckets, registers: [registry] }),
  contextLoss: new Counter({ name: 'baton_context_loss_incidents_total', help: 'Handoffs rejected because required context was missing', registers: [registry] }),
  timeToClaim: new Histogram({ name: 'baton_time_to_claim_seconds', help: 'Escalation wait until an agent claimed it', buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600], registers: [registry] }),
  notices: new Counter({ name: 'baton_notices_total', help: 'Automatic notices outside the WhatsApp window: sent as a template, or skipped for want of one', labelNames: ['notice', 'outcome'], registers: [registry] }),
  providerErrors: new Counter({ name: 'baton_provider_errors_total', help: 'Errors answered by Graph API / Twilio', labelNames: ['channel', 'status'], registers: [registry] }),
  actionCalls: new Counter({ name: 'baton_action_calls_total', help: "Calls to a pack's back-end actions by outcome", labelNames: ['action', 'outcome'], registers: [registry] }),
  actionLatency: new Histogram({ name: 'baton_action_duration_seconds', help: "Time a pack's back-end took to answer an action", labelNames: ['action'], buckets: fastBuckets, registers: [registry] }),
  csatRatings: new Counter({ name: 'baton_csat_ratings_total', help: 'Customer ratings (1–5) after a person resolved a conversation, by agent and by the last bot before them', labelNames: ['agent', 'bot', 'rating'], registers: [registry] }),
  llmToolErrors: new Counter({ name: 'baton_llm_tool_errors_total', help: 'Tool calls a model got wrong (malformed arguments, unknown tool, failed action)', labelNames: ['bot', 'kind'], registers: [registry] }),
  http: new Histogram({ name: 'baton_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route', 'method', 'status'], buckets: fastBuckets, registers: [registry] }),
};

export type ScrapeSources = {
  queueCounts: () => Promise<Record<string, Record<string, number>>>;
  waitingEscalations: () => Promise<number>;
};

/** Gauges read at scrape time from Redis and PostgreSQL. */
/** How long a gauge that costs a query keeps its value: scrapes in between cost nothing. */
export const SCRAPE_CACHE_MS = 10_000;

/** `fn` at most once per `ttlMs` (concurrent callers share one call); `fallback` when it fails. */
export function cachedSource<T>(fn: () => Promise<T>, ttlMs: number, fallback: T): () => Promise<T> {
  let value = fallback;
  let at = Number.NEGATIVE_INFINITY;
  let inflight: Promise<T> | undefined;
  return () => {
    if (Date.now() - at < ttlMs) return Promise.resolve(value);
    inflight ??= fn()
      .then((v) => (value = v), () => value)
      .finally(() => {
        at = Date.now();
        inflight = undefined;
      });
    return inflight;
  };
}

export function registerScrapeGauges(sources: ScrapeSources, ttlMs = SCRAPE_CACHE_MS) {
  registry.removeSingleMetric('baton_queue_jobs');
  registry.removeSingleMetric('baton_escalations_waiting');
  const queueCounts = cachedSource(sources.queueCounts, ttlMs, {} as Awaited<ReturnType<ScrapeSources['queueCounts']>>);
  const waiting = cachedSource(sources.waitingEscalations, ttlMs, 0);
  new Gauge({
    name: 'baton_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await queueCounts();
      for (const [queue, states] of Object.entries(counts)) for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
    },
  });
  new Gauge({
    name: 'baton_escalations_waiting',
    help: 'Conversations waiting for a person',
    registers: [registry],
    async collect() {
      this.set(await waiting());
    },
  });
}
