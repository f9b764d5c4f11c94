/**
 * OpenTelemetry tracing, configured by the standard `OTEL_*` variables (spread into the one schema,
 * `config-schema.ts`). Tracing is off unless an exporter is asked for: `OTEL_TRACES_EXPORTER=otlp`
 * (or `console`), or an OTLP endpoint is set while `OTEL_TRACES_EXPORTER` is unset.
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turns it off whatever else is set.
 */
import { z } from 'zod';
import { Secret } from './secret.ts';

const flag = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() === 'true' : value),
  z.boolean(),
);

/** `key=value` pairs separated by commas (W3C Baggage-like, percent-encoded values), as OTel lists them. */
function parsePairs(text: string): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return undefined;
    try {
      pairs[decodeURIComponent(entry.slice(0, equals).trim())] = decodeURIComponent(
        entry.slice(equals + 1).trim(),
      );
    } catch {
      return undefined;
    }
  }
  return pairs;
}

const pairs = z.string().transform((text, context) => {
  const parsed = parsePairs(text);
  if (parsed) return parsed;
  context.addIssue({ code: 'custom', message: 'must be key=value pairs separated by commas' });
  return z.NEVER;
});

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export const TracingConfigShape = {
  /** `true` turns every OpenTelemetry signal off, whatever else is set. */
  otelSdkDisabled: flag.default(false),
  /** `otlp` (OTLP/HTTP with JSON), `console` (spans on stdout), or `none`; a comma list is accepted. */
  otelTracesExporter: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(z.enum(['otlp', 'console', 'none'])))
    .optional(),
  /** The OTLP base URL; traces go to `<endpoint>/v1/traces`. */
  otelExporterOtlpEndpoint: z.string().url().optional(),
  /** The full OTLP traces URL; wins over `otelExporterOtlpEndpoint`. */
  otelExporterOtlpTracesEndpoint: z.string().url().optional(),
  /** Headers sent with every export (`api-key=…,x-tenant=…`), e.g. a collector's credentials. */
  otelExporterOtlpHeaders: pairs.transform((value) => new Secret(JSON.stringify(value))).optional(),
  otelExporterOtlpTracesHeaders: pairs
    .transform((value) => new Secret(JSON.stringify(value)))
    .optional(),
  /**
   * The OTLP protocol. Concierge sends OTLP/HTTP with JSON bodies, which every OTLP/HTTP receiver
   * accepts on the same path as protobuf; `grpc` is refused.
   */
  otelExporterOtlpProtocol: z.enum(['http/json', 'http/protobuf']).optional(),
  /** `service.name` of the spans (default `concierge`). */
  otelServiceName: z.string().min(1).default('concierge'),
  /** More resource attributes, `key=value` pairs separated by commas. */
  otelResourceAttributes: pairs.default({}),
  /** Which traces are kept (default `parentbased_always_on`: follow the caller's decision, else keep). */
  otelTracesSampler: z.enum(SAMPLERS).default('parentbased_always_on'),
  /** The ratio of the `traceidratio` samplers, 0 to 1 (default 1). */
  otelTracesSamplerArg: z.coerce.number().min(0).max(1).default(1),
  /** Milliseconds between batch exports (default 5000). */
  otelBspScheduleDelay: z.coerce.number().int().positive().default(5000),
  /**
   * Prompts, outputs, tool arguments and tool results in spans (`gen_ai.input.messages`,
   * `gen_ai.output.messages`, `gen_ai.tool.call.arguments`, `gen_ai.tool.call.result`). Off by
   * default: spans carry sizes, models, tokens and outcomes, never what was said.
   */
  otelInstrumentationGenaiCaptureMessageContent: flag.default(false),
};

export const TRACING_ENVIRONMENT_VARIABLES = {
  otelSdkDisabled: 'OTEL_SDK_DISABLED',
  otelTracesExporter: 'OTEL_TRACES_EXPORTER',
  otelExporterOtlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otelExporterOtlpTracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  otelExporterOtlpHeaders: 'OTEL_EXPORTER_OTLP_HEADERS',
  otelExporterOtlpTracesHeaders: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  otelExporterOtlpProtocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  otelServiceName: 'OTEL_SERVICE_NAME',
  otelResourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  otelTracesSampler: 'OTEL_TRACES_SAMPLER',
  otelTracesSamplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  otelBspScheduleDelay: 'OTEL_BSP_SCHEDULE_DELAY',
  otelInstrumentationGenaiCaptureMessageContent:
    'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
} as const;

const TracingSettingsSchema = z.object(TracingConfigShape);
type TracingSettings = z.output<typeof TracingSettingsSchema>;

/** Where spans go, or undefined when tracing is off (the SDK is then never loaded). */
export interface TracesExport {
  /** The OTLP/HTTP traces URL, when spans are exported over OTLP. */
  otlpUrl: string | undefined;
  /** Whether spans are also printed on stdout. */
  console: boolean;
}

/** The rule that turns tracing on (see the module's comment), as the settings say. */
export function tracesExport(settings: TracingSettings): TracesExport | undefined {
  if (settings.otelSdkDisabled) return undefined;
  const endpoint =
    settings.otelExporterOtlpTracesEndpoint ??
    (settings.otelExporterOtlpEndpoint &&
      `${settings.otelExporterOtlpEndpoint.replace(/\/+$/, '')}/v1/traces`);
  const exporters = settings.otelTracesExporter ?? (endpoint ? ['otlp'] : []);
  if (exporters.includes('none') || exporters.length === 0) return undefined;
  return {
    otlpUrl: exporters.includes('otlp')
      ? (endpoint ?? 'http://localhost:4318/v1/traces')
      : undefined,
    console: exporters.includes('console'),
  };
}
