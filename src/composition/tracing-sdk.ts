/**
 * The OpenTelemetry SDK, loaded only when tracing is configured (`tracing.ts` imports this module
 * dynamically, so a server with tracing off never loads it). It registers the tracer provider, the
 * async-hooks context manager and the W3C trace-context propagator behind OpenTelemetry's API.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config/config-schema.ts';
import type { TracesExport } from '../config/tracing-config.ts';

export interface RegisteredTracing {
  /** Exports what is buffered, then unregisters the provider. */
  shutdown(): Promise<void>;
}

function samplerOf(config: Config): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.otelTracesSamplerArg);
  switch (config.otelTracesSampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function parsePairs(value: { reveal(): string } | undefined): Record<string, string> {
  return value ? (JSON.parse(value.reveal()) as Record<string, string>) : {};
}

function headersOf(config: Config): Record<string, string> {
  return {
    ...parsePairs(config.otelExporterOtlpHeaders),
    ...parsePairs(config.otelExporterOtlpTracesHeaders),
  };
}

/**
 * Registers the SDK globally. Returns undefined when another provider is registered already (a second
 * app in one process): its spans then go where the first app's go.
 */
export function registerTracing(
  config: Config,
  where: TracesExport,
  version: string,
): RegisteredTracing | undefined {
  const spanProcessors: SpanProcessor[] = [];
  if (where.otlpUrl !== undefined)
    spanProcessors.push(
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: where.otlpUrl, headers: headersOf(config) }),
        { scheduledDelayMillis: config.otelBspScheduleDelay },
      ),
    );
  if (where.console) spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...config.otelResourceAttributes,
      'service.name': config.otelServiceName,
      'service.version': version,
      'process.pid': process.pid,
    }),
    sampler: samplerOf(config),
    spanProcessors,
  });
  if (!trace.setGlobalTracerProvider(provider)) {
    void provider.shutdown();
    return undefined;
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}
