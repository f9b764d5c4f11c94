/**
 * OpenTelemetry traces across processes, on PostgreSQL: an API node (`serve --no-worker`) and a worker
 * process (`concierge worker`) export to an OTLP/HTTP receiver on loopback. A response created with an
 * incoming `traceparent` is one trace: the API node's request span continues the caller's, the worker's
 * run span continues the request's (through the stored run), its model call is a child of the run, and
 * the upstream model receives a `traceparent` of the same trace. The worker holding a run is killed
 * mid-run and the other worker process takes it over, continuing the same trace. By default no prompt or output text is in any span.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresTestUrl,
} from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import {
  startServerProcess,
  startWorkerProcess,
  type ServerProcess,
} from '../helpers/server-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SERVER_KIND = 2;
const CLIENT_KIND = 3;

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A W3C traceparent of a caller's span, and its ids. */
function callerTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = hex(16);
  const spanId = hex(8);
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

function traceIdOf(traceparent: unknown): string | undefined {
  return typeof traceparent === 'string' ? traceparent.split('-')[1] : undefined;
}

/** One statement on its own connection to the test database. */
async function query<Row extends pg.QueryResultRow>(text: string, values: unknown[]) {
  const database = new pg.Client({ connectionString: postgresTestUrl });
  await database.connect();
  try {
    return await database.query<Row>(text, values);
  } finally {
    await database.end();
  }
}

describe.runIf(postgresAvailable)('traces across an API node and a worker process', () => {
  const schema = newSchemaName();
  let directory: string;
  let receiver: OtlpReceiver;
  let upstream: ScriptedModel;
  let apiNode: ServerProcess;
  const workers = new Map<string, ServerProcess>();
  let client: OpenAI;

  const environment = (service: string) => {
    const url = new URL(postgresTestUrl);
    url.searchParams.set('schema', schema);
    return {
      CONCIERGE_DATABASE_URL: url.toString(),
      CONCIERGE_DATA_DIR: mkdtempSync(join(directory, 'node-')),
      CONCIERGE_PROVIDER_BASE_URL: upstream.url,
      // The default lease (30 s): a 2 s one lapses on a loaded machine while a worker waits on the
      // database, and the other worker takes the run over before the test kills anyone.
      CONCIERGE_CODE_SANDBOX: 'off',
      CONCIERGE_EMBEDDING_MODEL: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    };
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-traces-'));
    receiver = await new OtlpReceiver().start();
    upstream = await startScriptedModel();
    // The three processes start at once, racing to create the schema and migrate it.
    const [started, ...workerProcesses] = await Promise.all([
      startServerProcess(environment('api-node'), ['serve', '--no-worker']),
      startWorkerProcess(environment('worker-a')),
      startWorkerProcess(environment('worker-b')),
    ]);
    apiNode = started;
    workers.set('worker-a', workerProcesses[0]!);
    workers.set('worker-b', workerProcesses[1]!);
    client = new OpenAI({ baseURL: apiNode.baseURL, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    for (const process of [apiNode, ...workers.values()]) process?.child.kill('SIGKILL');
    await upstream?.stop();
    await receiver?.stop();
    await dropSchema(schema);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Waits until the receiver holds a span of `traceId` that `match` accepts. */
  function spanOf(traceId: string, what: string, match: (span: ReceivedSpan) => boolean) {
    return waitFor(
      async () => receiver.spans.find((span) => span.traceId === traceId && match(span)),
      what,
      10_000,
    );
  }

  it('follows a response from the caller through the API node and the worker to the model', async () => {
    const caller = callerTraceparent();
    upstream.enqueue({
      text: 'The vault code is AZURE-PELICAN.',
      usage: { prompt_tokens: 21, completion_tokens: 7 },
    });
    const response = await client.responses.create(
      { model: 'gpt-4o', input: 'Tell me the secret vault code please', temperature: 0.5 },
      { headers: { traceparent: caller.header } },
    );
    expect(response.output_text).toBe('The vault code is AZURE-PELICAN.');

    const request = await spanOf(caller.traceId, 'the request span', (span) => {
      return span.kind === SERVER_KIND && span.name === 'POST /v1/responses';
    });
    expect(request.service).toBe('api-node');
    expect(request.parentSpanId).toBe(caller.spanId);
    expect(request.attributes['http.route']).toBe('/v1/responses');
    expect(request.attributes['http.response.status_code']).toBe(200);

    const run = await spanOf(
      caller.traceId,
      'the run span',
      (span) => span.name === 'invoke_agent',
    );
    expect(workers.has(run.service)).toBe(true);
    expect(run.parentSpanId).toBe(request.spanId);
    expect(run.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.request.model': 'gpt-4o',
      'concierge.response.id': response.id,
      'concierge.run.status': 'completed',
      'concierge.run.takeover': false,
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 7,
    });

    const chat = await spanOf(
      caller.traceId,
      'the model span',
      (span) => span.name === 'chat gpt-4o',
    );
    expect(chat.service).toBe(run.service);
    expect(chat.kind).toBe(CLIENT_KIND);
    expect(chat.parentSpanId).toBe(run.spanId);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 7,
    });

    // The provider's request went out inside the model span.
    const sent = upstream.requests.at(-1)!.headers['traceparent'];
    expect(sent).toBe(`00-${caller.traceId}-${chat.spanId}-01`);

    // Nothing the caller or the model said is in any exported span.
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('secret vault code');
    expect(exported).not.toContain('AZURE-PELICAN');
  });

  /** The worker process whose worker holds the run of a response now. */
  async function holderOf(responseId: string): Promise<string> {
    const { rows } = await query<{ locked_by: string | null }>(
      `SELECT locked_by FROM "${schema}".runs WHERE assistant_id = $1`,
      [responseId],
    );
    const workerId = rows[0]?.locked_by;
    const holder = [...workers].find(([, process]) =>
      process.output().includes(`Concierge worker ${workerId} started`),
    );
    if (!holder) throw new Error(`no worker process holds ${responseId} (${workerId})`);
    return holder[0];
  }

  it('continues the trace in the worker that takes a run over', async () => {
    const caller = callerTraceparent();
    upstream.enqueue(
      { text: 'This answer never ends', stallAfterChunks: 1 },
      { text: 'Taken over.' },
    );
    const before = upstream.requests.length;
    const queued = await client.responses.create(
      { model: 'gpt-4o', input: 'Hello', background: true },
      { headers: { traceparent: caller.header } },
    );
    await waitFor(async () => upstream.requests.length > before, 'the first model call');
    const first = await holderOf(queued.id);
    workers.get(first)!.child.kill('SIGKILL');
    await workers.get(first)!.exited;
    // The dead worker's lease runs out now rather than in 30 s: the other worker's poll takes the run.
    const lapsed = await query(
      `UPDATE "${schema}".runs SET lease_until = 0 WHERE assistant_id = $1 AND status = 'in_progress'`,
      [queued.id],
    );
    expect(lapsed.rowCount).toBe(1);
    const done = await waitFor(async () => {
      const response = await client.responses.retrieve(queued.id);
      return response.status === 'completed' && response;
    }, 'the response to complete on the second worker');
    expect(done.output_text).toContain('Taken over.');

    const request = await spanOf(
      caller.traceId,
      'the request span',
      (span) => span.kind === SERVER_KIND,
    );
    const run = await spanOf(
      caller.traceId,
      'the run span of the worker that took the run over',
      (span) => span.name === 'invoke_agent' && span.service !== first,
    );
    expect(run.parentSpanId).toBe(request.spanId);
    expect(run.attributes['concierge.run.takeover']).toBe(true);
    // Both workers' model calls carried the caller's trace upstream.
    const sent = upstream.requests
      .slice(before)
      .map((entry) => traceIdOf(entry.headers['traceparent']));
    expect(sent).toEqual([caller.traceId, caller.traceId]);
  });
});
