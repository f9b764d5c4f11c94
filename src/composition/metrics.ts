/**
 * The Prometheus metrics of one process (`CONCIERGE_METRICS`), on a registry of its own (no global
 * state: two apps in one process count apart). What happens in this process is counted as it happens
 * (HTTP requests, model calls, runs ending, lease takeovers); what the database knows (queue, ingestion,
 * approvals, spend) is read at scrape time. Labels hold bounded vocabularies only: route patterns,
 * statuses, model and service-agent names; never an id.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../storage/store.ts';

/** Seconds buckets for model latency: a first token in 50 ms to a long answer in two minutes. */
const MODEL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
/** Seconds buckets for HTTP requests (streams count until they end). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  /** A request has ended (or its client went away): its route pattern, never its URL. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** One model call: seconds to its first part (undefined when none came) and to its end. */
  modelCall(
    model: string,
    outcome: 'ok' | 'error',
    firstPartSeconds: number | undefined,
    seconds: number,
  ): void;
  runCreated(model: string): void;
  /** A run reached a final status, with the usage it reports. */
  runEnded(status: string, model: string, inputTokens: number, outputTokens: number): void;
  /** A worker claimed a run whose earlier worker lost its lease mid-run. */
  leaseTakeover(): void;
  /** Where the number of open code_interpreter sessions of this process is read. */
  watchCodeSessions(read: () => number): void;
  /** The registry's text, with the database's gauges read now. */
  render(): Promise<{ contentType: string; text: string }>;
  close(): void;
}

/** Code sessions before `watchCodeSessions` names where to read them. */
const noSessions = () => 0;

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const http = {
    requests: new Counter({
      name: 'concierge_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'concierge_http_request_duration_seconds',
      help: 'Seconds from a request to the end of its response (a stream counts until it ends).',
      labelNames: ['method', 'route'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
  };
  const model = {
    firstPart: new Histogram({
      name: 'concierge_model_time_to_first_token_seconds',
      help: 'Seconds from a model call to its first streamed part (text or tool call).',
      labelNames: ['model'] as const,
      buckets: MODEL_BUCKETS,
      registers,
    }),
    duration: new Histogram({
      name: 'concierge_model_call_duration_seconds',
      help: 'Seconds from a model call to its end, by outcome (ok, error).',
      labelNames: ['model', 'outcome'] as const,
      buckets: MODEL_BUCKETS,
      registers,
    }),
  };
  const runs = {
    created: new Counter({
      name: 'concierge_runs_created_total',
      help: 'Runs created through this process, by model.',
      labelNames: ['model'] as const,
      registers,
    }),
    ended: new Counter({
      name: 'concierge_runs_finished_total',
      help: 'Runs that reached a final status in this process, by status and model.',
      labelNames: ['status', 'model'] as const,
      registers,
    }),
    inputTokens: new Counter({
      name: 'concierge_run_input_tokens_total',
      help: 'Prompt tokens of the runs that ended in this process (their reported usage), by model.',
      labelNames: ['model'] as const,
      registers,
    }),
    outputTokens: new Counter({
      name: 'concierge_run_output_tokens_total',
      help: 'Completion tokens of the runs that ended in this process (their reported usage), by model.',
      labelNames: ['model'] as const,
      registers,
    }),
    takeovers: new Counter({
      name: 'concierge_run_lease_takeovers_total',
      help: "Runs this process's worker took over after their worker lost its lease mid-run.",
      registers,
    }),
  };
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  const database = {
    queued: gauge('concierge_run_queue_depth', 'Runs waiting in the queue (whole deployment).'),
    oldest: gauge(
      'concierge_run_queue_oldest_age_seconds',
      'Seconds since the oldest queued run was created; 0 when none waits (whole deployment).',
    ),
    backlog: gauge(
      'concierge_ingestion_backlog_files',
      'Vector store files waiting for or in ingestion (whole deployment).',
    ),
    failed: gauge(
      'concierge_ingestion_failed_files',
      'Vector store files whose ingestion failed, as stored now (whole deployment).',
    ),
    approvals: gauge(
      'concierge_service_agent_pending_approvals',
      'Service-agent actions waiting for approval (whole deployment).',
    ),
    denied: gauge(
      'concierge_service_agent_policy_denials',
      'Service-agent actions the policy denied, as stored (whole deployment).',
    ),
    spend: gauge(
      'concierge_service_agent_executed_spend_usd',
      'US dollars of executed service-agent actions, by service agent name (whole deployment).',
      ['service_agent'],
    ),
  };
  const codeSessions = gauge(
    'concierge_code_sessions_active',
    'Open code_interpreter sessions (one sandboxed Python each) in this process.',
  );
  let readCodeSessions: () => number = noSessions;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const lag = {
    p99: gauge(
      'concierge_event_loop_lag_p99_seconds',
      "99th percentile of the event loop's delay since the previous scrape.",
    ),
    max: gauge(
      'concierge_event_loop_lag_max_seconds',
      'Largest delay of the event loop since the previous scrape.',
    ),
  };

  async function readDatabase(): Promise<void> {
    const snapshot = await store.gauges.read();
    database.queued.set(snapshot.queuedRuns);
    const oldest = snapshot.oldestQueuedCreatedAt;
    database.oldest.set(oldest === null ? 0 : Math.max(0, Date.now() / 1000 - oldest));
    database.backlog.set(snapshot.ingestionBacklog);
    database.failed.set(snapshot.ingestionFailed);
    database.approvals.set(snapshot.pendingApprovals);
    database.denied.set(snapshot.deniedActions);
    database.spend.reset();
    for (const { serviceAgent, usd } of snapshot.executedSpendUsd)
      database.spend.set({ service_agent: serviceAgent }, usd);
  }

  return {
    httpRequest(method, route, status, seconds) {
      http.requests.inc({ method, route, status: String(status) });
      http.duration.observe({ method, route }, seconds);
    },
    modelCall(name, outcome, firstPartSeconds, seconds) {
      if (firstPartSeconds !== undefined)
        model.firstPart.observe({ model: name }, firstPartSeconds);
      model.duration.observe({ model: name, outcome }, seconds);
    },
    runCreated(name) {
      runs.created.inc({ model: name });
    },
    runEnded(status, name, inputTokens, outputTokens) {
      runs.ended.inc({ status, model: name });
      runs.inputTokens.inc({ model: name }, inputTokens);
      runs.outputTokens.inc({ model: name }, outputTokens);
    },
    leaseTakeover() {
      runs.takeovers.inc();
    },
    watchCodeSessions(read) {
      readCodeSessions = read;
    },
    async render() {
      await readDatabase();
      codeSessions.set(readCodeSessions());
      // Before the first sample the histogram reports NaN or a sentinel; no delay measured is 0.
      const seconds = (nanoseconds: number) =>
        Number.isFinite(nanoseconds) && loop.count > 0 ? nanoseconds / 1e9 : 0;
      lag.p99.set(seconds(loop.percentile(99)));
      lag.max.set(seconds(loop.max));
      loop.reset();
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
    close() {
      loop.disable();
    },
  };
}
