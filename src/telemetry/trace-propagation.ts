/**
 * W3C trace context across process boundaries: into a run's stored options (so the worker that takes
 * the run continues the trace of the request that created it), out of incoming headers, and into
 * outgoing HTTP requests (the model provider, A2A agents, MCP servers). With tracing off no
 * propagator is registered and each function returns at once with nothing added.
 */
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** A trace context as stored with a run: the W3C `traceparent` and, when present, `tracestate`. */
export interface StoredTraceContext {
  traceparent: string;
  tracestate?: string;
}

/** The active trace context as W3C headers, or undefined when there is none (or tracing is off). */
export function currentTraceContext(): StoredTraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier['traceparent'];
  if (traceparent === undefined) return undefined;
  return carrier['tracestate']
    ? { traceparent, tracestate: carrier['tracestate'] }
    : { traceparent };
}

/** The context a stored (or received) trace context continues; a new trace when there is none. */
export function contextFromHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>> | null | undefined,
): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => carrier[key],
  });
}

/**
 * Adds the active trace context (`traceparent`, `tracestate`) to outgoing HTTP headers, in place,
 * and returns them. For clients that take a headers object (an MCP client's transport, for one).
 */
export function injectTraceHeaders<T extends Headers | Record<string, string>>(headers: T): T {
  if (headers instanceof Headers) {
    propagation.inject(context.active(), headers, {
      set: (carrier, key, value) => carrier.set(key, value),
    });
  } else {
    propagation.inject(context.active(), headers);
  }
  return headers;
}

/** `fetch`, with the trace context of the moment of each call added to its request's headers. */
export function tracedFetch(base: typeof fetch): typeof fetch {
  return (input, init) => {
    const added: Record<string, string> = {};
    propagation.inject(context.active(), added);
    if (Object.keys(added).length === 0) return base(input, init);
    const headers = new Headers(
      init?.headers ?? (input instanceof Request ? input.headers : undefined),
    );
    for (const [name, value] of Object.entries(added)) headers.set(name, value);
    return base(input, { ...init, headers });
  };
}
