import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { tracesExport } from './tracing-config.ts';

const load = (environment: Record<string, string>) => loadConfig({ environment });

/** What the environment turns tracing into; undefined when it stays off. */
const exportOf = (environment: Record<string, string>) => tracesExport(load(environment));

describe('the rule that turns tracing on', () => {
  it('is off with nothing set', () => {
    expect(exportOf({})).toBeUndefined();
  });

  it('exports to an endpoint once one is set, the traces endpoint winning', () => {
    expect(exportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      otlpUrl: 'http://collector:4318/v1/traces',
      console: false,
    });
    expect(
      exportOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom',
      })?.otlpUrl,
    ).toBe('http://tempo:4318/custom');
  });

  it('follows OTEL_TRACES_EXPORTER, and OTEL_SDK_DISABLED over everything', () => {
    expect(exportOf({ OTEL_TRACES_EXPORTER: 'otlp' })?.otlpUrl).toBe(
      'http://localhost:4318/v1/traces',
    );
    expect(exportOf({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({
      otlpUrl: undefined,
      console: true,
    });
    expect(
      exportOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBeUndefined();
    expect(
      exportOf({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBeUndefined();
  });

  it('names the variable of a bad setting', () => {
    expect(() => load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL/,
    );
    expect(() => load({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => load({ OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign' })).toThrow(
      /OTEL_RESOURCE_ATTRIBUTES/,
    );
  });

  it('keeps content out of spans unless the operator opts in', () => {
    expect(load({}).otelInstrumentationGenaiCaptureMessageContent).toBe(false);
    expect(
      load({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })
        .otelInstrumentationGenaiCaptureMessageContent,
    ).toBe(true);
  });
});
