// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans cover
// webhook → queue → bot turn → handoff → send, carry the conversation id as
// `baton.conversation_id`, and continue across processes through the job data
// (`trace` = W3C traceparent). Spans go to the collector as OTLP/HTTP JSON.
import { context, propagation, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const tracer = () => trace.getTracer('baton');
let provider: NodeTracerProvider | undefined;

/** Starts tracing when an OTLP endpoint is configured; safe to call more than once. */
export function startTracing(endpoint: string | undefined, serviceName: string): void {
  if (!endpoint || provider) return;
  provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OtlpJsonExporter(endpoint, serviceName), { scheduledDelayMillis: 500 })] });
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

/** OTLP/HTTP with JSON encoding, which any OpenTelemetry collector accepts. */
class OtlpJsonExporter implements SpanExporter {
  constructor(
    private readonly endpoint: string,
    private readonly serviceName: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    const hex = (n: number) => n.toString();
    const nanos = (t: [number, number]) => `${BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])}`;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: this.serviceName } }] },
          scopeSpans: [
            {
              scope: { name: 'baton' },
              spans: spans.map((s) => ({
                traceId: s.spanContext().traceId,
                spanId: s.spanContext().spanId,
                ...(s.parentSpanContext?.spanId ? { parentSpanId: s.parentSpanContext.spanId } : {}),
                name: s.name,
                kind: s.kind + 1,
                startTimeUnixNano: nanos(s.startTime),
                endTimeUnixNano: nanos(s.endTime),
                attributes: Object.entries(s.attributes).map(([key, value]) => ({
                  key,
                  value: typeof value === 'number' ? { doubleValue: value } : typeof value === 'boolean' ? { boolValue: value } : { stringValue: String(value) },
                })),
                status: { code: hex(s.status.code) === '2' ? 2 : s.status.code },
              })),
            },
          ],
        },
      ],
    };
    fetch(`${this.endpoint.replace(/\/$/, '')}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    }).then(
      (r) => done({ code: r.ok ? 0 : 1 }),
      () => done({ code: 1 }),
    );
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
