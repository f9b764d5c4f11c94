/**
 * Tracing in one process on SQLite, with the operator's opt-in to content
 * (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`): indexing a file is an `ingest_file`
 * span, a file_search call an `execute_tool` span with its arguments and result, and each model call
 * carries its input and output messages, all in the trace of the request that created the response.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('traces with content opted in', () => {
  let receiver: OtlpReceiver;
  let bed: RunTestBed;

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    bed = await createRunTestBed({
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
});
