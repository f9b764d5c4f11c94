/**
 * Observability: with `CONCIERGE_METRICS` other than `off`, the metrics registry and the event bus
 * that counts run events into it. With metrics off nothing is built and nothing is wrapped, and
 * prom-client (32 modules) is not loaded.
 */
import type { Config } from '../config/config-schema.ts';
import type { CloserStack } from './closer-stack.ts';
import type { Metrics } from './metrics.ts';
import { observedBus } from './metrics-observers.ts';
import type { Persistence } from './persistence.ts';

export interface Observability {
  /** Undefined when metrics are off. */
  metrics: Metrics | undefined;
  /** The persistence the later parts use: its bus counts run events when metrics are on. */
  persistence: Persistence;
}

export async function createObservability(
  config: Config,
  persistence: Persistence,
  closers: CloserStack,
): Promise<Observability> {
  if (config.metrics === 'off') return { metrics: undefined, persistence };
  const { createMetrics } = await import('./metrics.ts');
  const metrics = createMetrics(persistence.store);
  closers.push('metrics', () => metrics.close());
  return { metrics, persistence: { ...persistence, bus: observedBus(persistence.bus, metrics) } };
}
