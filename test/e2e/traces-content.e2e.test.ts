/**
 * Tracing in one process on SQLite, with the operator's opt-in to content
 * (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`): indexing a file is an `ingest_file`
 * span, a file_search call an `execute_tool` span with its arguments and result, and each model call
 * carries its input and output messages, all in the trace of the request that created the response.
 * A service-agent action is an `execute_action` span, and a delegation over A2A (to this server's own
 * A2A endpoint) carries the trace: the A2A request's span and the delegated run are in the caller's.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { createTestPaymentsAgent } from '../helpers/test-payments-agent.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('traces with content opted in', () => {
  let receiver: OtlpReceiver;
  let bed: RunTestBed;

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    bed = await createRunTestBed({
      overrides: { builtinAgents: [createTestPaymentsAgent()] },
      config: {
        otelExporterOtlpTracesEndpoint: `${receiver.url}/v1/traces`,
        otelBspScheduleDelay: 20,
        otelInstrumentationGenaiCaptureMessageContent: true,
      },
    });
  });
  afterAll(async () => {
    await bed?.close();
    await receiver?.stop();
  });

  function span(what: string, match: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
    return waitFor(async () => receiver.spans.find(match), what, 10_000);
  }

  it('traces indexing, a file_search call and the model calls, with their content', async () => {
    const store = await bed.client.vectorStores.create({ name: 'handbook' });
    const file = await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from('Employees receive 27 days of paid leave per year.\n'), 'leave.md'),
      { pollIntervalMs: 20 },
    );
    const ingestion = await span('the ingestion span', (entry) => entry.name === 'ingest_file');
    expect(ingestion.attributes).toMatchObject({
      'concierge.vector_store.id': store.id,
      'concierge.file.id': file.id,
      'concierge.ingestion.outcome': 'completed',
    });

    bed.upstream.enqueue(
      { toolCalls: [{ name: 'file_search', arguments: { query: 'paid leave' }, id: 'call_fs' }] },
      { text: 'You get 27 days.' },
    );
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'How many leave days?',
      tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
    });
    expect(response.output_text).toBe('You get 27 days.');

    const run = await span('the run span', (entry) => entry.name === 'invoke_agent');
    const request = receiver.spans.find((entry) => entry.spanId === run.parentSpanId);
    expect(request?.name).toBe('POST /v1/responses');
    const tool = await span('the tool span', (entry) => entry.name === 'execute_tool file_search');
    expect(tool.traceId).toBe(run.traceId);
    expect(tool.parentSpanId).toBe(run.spanId);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'file_search',
      'gen_ai.tool.type': 'datastore',
      'gen_ai.tool.call.id': 'call_fs',
      'concierge.tool.outcome': 'completed',
    });
    expect(JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments']))).toEqual({
      query: 'paid leave',
    });
    expect(String(tool.attributes['gen_ai.tool.call.result'])).toContain('27 days of paid leave');

    const calls = await waitFor(async () => {
      const found = receiver.spans.filter(
        (entry) => entry.name === 'chat gpt-4o' && entry.traceId === run.traceId,
      );
      return found.length === 2 && found;
    }, 'both model spans');
    const [first, second] = calls.sort((a, b) =>
      String(a.attributes['gen_ai.response.finish_reasons']).localeCompare(
        String(b.attributes['gen_ai.response.finish_reasons']),
      ),
    );
    expect(first!.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(String(first!.attributes['gen_ai.input.messages'])).toContain('How many leave days?');
    expect(String(first!.attributes['gen_ai.output.messages'])).toContain('You get 27 days.');
    expect(second!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    expect(String(second!.attributes['gen_ai.output.messages'])).toContain('"name":"file_search"');
  });

  const api = <T>(path: string, body: unknown) =>
    (bed.client as any).post(path, { body }) as Promise<T>;

  it('traces a service-agent action, and a delegation over A2A in the same trace', async () => {
    const payer = await api<{ id: string }>('/service_agents', {
      name: 'payer',
      kind: 'builtin',
      builtin: 'test_payments',
      policy: { max_per_action_usd: 100, auto_approve_below_usd: 50 },
    });
    const helper = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
    const remote = await api<{ id: string }>('/service_agents', {
      name: 'helper',
      kind: 'a2a',
      url: `${bed.baseURL}/a2a/${helper.id}`,
    });
    const assistant = await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [
        { type: 'service_agent', service_agent: { id: payer.id } },
        { type: 'service_agent', service_agent: { id: remote.id } },
      ] as any,
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'payer', arguments: { amount_usd: 12, merchant: 'acme.test' } }] },
      { toolCalls: [{ name: 'helper', arguments: { task: 'Check the receipt.' } }] },
      { text: 'The receipt is fine.' },
      { text: 'Paid and checked.' },
    );
    const run = await bed.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Pay $12.' }] } },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');

    const runSpan = await span(
      'the run span',
      (entry) => entry.attributes['concierge.run.id'] === run.id,
    );
    const action = await span('the action span', (entry) => entry.name === 'execute_action payer');
    expect(action.traceId).toBe(runSpan.traceId);
    expect(action.attributes).toMatchObject({
      'concierge.service_agent.name': 'payer',
      'concierge.action.kind': expect.any(String),
      'concierge.action.value_usd': 12,
      'concierge.action.status': 'executed',
    });

    const delegation = await span(
      'the A2A tool span',
      (entry) => entry.name === 'execute_tool helper',
    );
    expect(delegation.parentSpanId).toBe(runSpan.spanId);
    // The A2A request arrived at this server inside the tool call's trace.
    const incoming = await span(
      'the A2A request span',
      (entry) =>
        entry.kind === 2 && entry.traceId === runSpan.traceId && entry.name.includes('/a2a/'),
    );
    expect(incoming.attributes['http.route']).toContain('/a2a/');
    const delegated = await span(
      'the delegated run span',
      (entry) =>
        entry.name === 'invoke_agent' &&
        entry.attributes['gen_ai.agent.id'] === helper.id &&
        entry.traceId === runSpan.traceId,
    );
    expect(delegated.spanId).not.toBe(runSpan.spanId);
  });
});
