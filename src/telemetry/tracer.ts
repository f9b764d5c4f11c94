/**
 * The spans Concierge makes, through OpenTelemetry's API only. The API is a no-op until the
 * composition root registers a tracer provider (`composition/tracing.ts`, only when tracing is
 * configured), so with tracing off a span costs one call that returns a shared non-recording span.
 *
 * OpenTelemetry's API keeps its provider, context manager and propagator in process globals by design
 * (libraries find them without being handed anything); this layer is the one place that reads them.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, type Attributes, type Context, type Span };

const tracer = trace.getTracer('concierge');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent: the active context when absent. `ROOT_CONTEXT` starts a new trace. */
  parent?: Context;
}

/** Marks a span failed with the error's type and message (never its data). */
export function recordFailure(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

/** Marks a span failed with a reason of ours (a failed run, a 5xx answer). */
export function markFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Starts a span without making it active (the caller ends it and activates it where needed). */
export function startSpan(name: string, options: SpanOptions = {}): Span {
  return tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    options.parent ?? context.active(),
  );
}

/** The context in which `span` is the active span, under `parent` (the active context by default). */
export function contextWithSpan(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

/** Runs `work` in `active` (so spans it starts, and headers it sends, follow that context). */
export function runInContext<T>(active: Context, work: () => T): T {
  return context.with(active, work);
}

/**
 * Runs `work` inside a new active span, which ends when `work` settles; a throw marks it failed and
 * passes through.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () =>
      work(span),
    );
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export { ROOT_CONTEXT };
