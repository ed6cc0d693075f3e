// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans cover
// webhook → queue → bot turn → handoff → send, carry the conversation id as
// `baton.conversation_id`, and continue across processes through the job data
// (`trace` = W3C traceparent). Spans go to the collector as OTLP/HTTP JSON through
// OpenTelemetry's own exporter (events, status, links; OTEL_EXPORTER_OTLP_HEADERS and
// the other OTEL_EXPORTER_OTLP_* settings it reads from the environment).
import { context, propagation, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const tracer = () => trace.getTracer('baton');
let provider: NodeTracerProvider | undefined;

/** Starts tracing when an OTLP endpoint is configured; safe to call more than once. */
export function startTracing(endpoint: string | undefined, serviceName: string): void {
  if (!endpoint || provider) return;
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
}

export async function stopTracing(): Promise<void> {
  await provider?.shutdown().catch(() => {});
  provider = undefined;
}

/** Runs `fn` inside a span; a thrown error marks the span and is rethrown. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent?: string): Promise<T> {
  const ctx = parent ? propagation.extract(context.active(), { traceparent: parent }) : context.active();
  return tracer().startActiveSpan(name, { attributes }, ctx, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The current span as a W3C traceparent, to carry in job data; undefined when off. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
