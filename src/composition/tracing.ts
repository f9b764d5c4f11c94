/**
 * Tracing (`OTEL_*`, see `config/tracing-config.ts` for the rule that turns it on). Off, nothing is
 * loaded or wrapped: OpenTelemetry's API stays a no-op and the SDK module is never imported. On, the
 * SDK is registered first, so its `close` runs last and exports the spans of runs the drain finished.
 */
import type { Config } from '../config/config-schema.ts';
import { tracesExport } from '../config/tracing-config.ts';
import type { CloserStack } from './closer-stack.ts';

export interface Tracing {
  /** Prompts, outputs, tool arguments and results go into spans (the operator opted in). */
  captureContent: boolean;
}

export async function startTracing(
  config: Config,
  version: string,
  closers: CloserStack,
): Promise<Tracing | undefined> {
  const where = tracesExport(config);
  if (!where) return undefined;
  const { registerTracing } = await import('./tracing-sdk.ts');
  const registered = registerTracing(config, where, version);
  if (registered) closers.push('tracing', () => registered.shutdown());
  return { captureContent: config.otelInstrumentationGenaiCaptureMessageContent };
}
