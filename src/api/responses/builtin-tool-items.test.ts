/**
 * Built-in tool calls of a run step as Responses items, events and annotations: each is checked
 * against OpenAI's schema for its type through the Open Responses harness, and for what a client
 * reads (queries, results only when included, code and its outputs, the container's citations).
 */
import { describe, expect, it } from 'vitest';
import type { StepToolCall } from '../../domain/run.ts';
import {
  openResponsesSpecAvailable,
  validateStreamEvent,
} from '../../../test/helpers/open-responses-schema.ts';
import {
  builtinToolEvents,
  builtinToolItem,
  INCLUDE_CODE_OUTPUTS,
  INCLUDE_FILE_SEARCH_RESULTS,
  toResponseAnnotation,
} from './builtin-tool-items.ts';

const searchCall: StepToolCall = {
  id: 'call_abc',
  type: 'file_search',
  file_search: {
    ranking_options: { ranker: 'auto', score_threshold: 0 },
    results: [
      {
        file_id: 'file-1',
        file_name: 'policy.md',
        score: 0.9,
        content: [{ type: 'text', text: 'Refunds within 30 days.' }],
      },
    ],
  },
};
const searchTranscript = {
  id: 'call_abc',
  name: 'file_search',
  arguments: '{"query":"refund window"}',
  output: '【1†policy.md】 Refunds within 30 days.',
};

const codeCall: StepToolCall = {
  id: 'call_def',
  type: 'code_interpreter',
  code_interpreter: {
    input: 'print(6 * 7)',
    outputs: [
      { type: 'logs', logs: '42\n' },
      { type: 'image', image: { file_id: 'file-chart' } },
    ],
  },
};
const codeTranscript = { id: 'call_def', name: 'code_interpreter', arguments: '', output: '42' };

const filename = (id: string) => (id === 'file-1' ? 'policy.md' : id);

/** Wraps an item in its `output_item.done` event, so the harness checks it by OpenAI's schema. */
function itemErrors(item: unknown): string[] {
  return validateStreamEvent({
    type: 'response.output_item.done',
    sequence_number: 0,
    output_index: 0,
    item,
  });
}

describe('built-in tool items', () => {
  const context = {
    include: [] as string[],
    containerId: 'cntr_1',
    fileUrl: (id: string) => `http://127.0.0.1:8080/v1/files/${id}/content`,
  };

  it('shows a file search with its queries, and its results only when included', () => {
    const item = builtinToolItem(searchCall, searchTranscript, 'completed', context);
    expect(item).toEqual({
      type: 'file_search_call',
      id: 'fs_abc',
      queries: ['refund window'],
      status: 'completed',
      results: null,
    });
    const included = builtinToolItem(searchCall, searchTranscript, 'completed', {
      ...context,
      include: [INCLUDE_FILE_SEARCH_RESULTS],
    });
    expect(included).toMatchObject({
      results: [
        {
          file_id: 'file-1',
          filename: 'policy.md',
          score: 0.9,
          text: 'Refunds within 30 days.',
        },
      ],
    });
    const running = builtinToolItem(
      searchCall,
      { ...searchTranscript, output: null },
      'in_progress',
      context,
    );
    expect(running).toMatchObject({ status: 'in_progress', results: null });
    expect(builtinToolItem(searchCall, searchTranscript, 'failed', context)).toMatchObject({
      status: 'failed',
    });
  });

  it('shows code in its container, and its outputs only when included', () => {
    const item = builtinToolItem(codeCall, codeTranscript, 'completed', context);
    expect(item).toEqual({
      type: 'code_interpreter_call',
      id: 'ci_def',
      code: 'print(6 * 7)',
      container_id: 'cntr_1',
      outputs: null,
      status: 'completed',
    });
    const included = builtinToolItem(codeCall, codeTranscript, 'completed', {
      ...context,
      include: [INCLUDE_CODE_OUTPUTS],
    });
    expect(included).toMatchObject({
      outputs: [
        { type: 'logs', logs: '42\n' },
        { type: 'image', url: 'http://127.0.0.1:8080/v1/files/file-chart/content' },
      ],
    });
    const running = builtinToolItem(
      codeCall,
      { ...codeTranscript, output: null },
      'in_progress',
      context,
    );
    expect(running).toMatchObject({ status: 'interpreting', outputs: null });
  });

  it('has no item for function and service_agent calls', () => {
    const functionCall: StepToolCall = {
      id: 'call_f',
      type: 'function',
      function: { name: 'f', arguments: '{}', output: null },
    };
    const agentCall: StepToolCall = { id: 'call_s', type: 'service_agent', service_agent: {} };
    expect(builtinToolItem(functionCall, undefined, 'completed', context)).toBeUndefined();
    expect(builtinToolItem(agentCall, undefined, 'completed', context)).toBeUndefined();
  });

  it('streams the progress events in OpenAI order', () => {
    const search = builtinToolItem(searchCall, searchTranscript, 'completed', context)!;
    expect(builtinToolEvents(search, 2).map((event) => event.type)).toEqual([
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
    ]);
    const code = builtinToolItem(codeCall, codeTranscript, 'completed', context)!;
    const events = builtinToolEvents(code, 3);
    expect(events.map((event) => event.type)).toEqual([
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call_code.delta',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
    ]);
    expect(events[2]).toMatchObject({ code: 'print(6 * 7)', output_index: 3, item_id: 'ci_def' });
    const running = builtinToolItem(
      codeCall,
      { ...codeTranscript, output: null },
      'in_progress',
      context,
    )!;
    expect(builtinToolEvents(running, 0).map((event) => event.type)).not.toContain(
      'response.code_interpreter_call.completed',
    );
  });

  it('turns citations into file_citation and container_file_citation annotations', () => {
    const cited = toResponseAnnotation(
      {
        type: 'file_citation',
        text: '【1†policy.md】',
        file_citation: { file_id: 'file-1' },
        start_index: 10,
        end_index: 24,
      },
      { containerId: null, filename },
    );
    expect(cited).toEqual({
      type: 'file_citation',
      file_id: 'file-1',
      filename: 'policy.md',
      index: 10,
    });
    const link = {
      type: 'file_path' as const,
      text: 'sandbox:/mnt/data/report.csv',
      file_path: { file_id: 'file-report' },
      start_index: 5,
      end_index: 33,
    };
    expect(toResponseAnnotation(link, { containerId: 'cntr_1', filename })).toEqual({
      type: 'container_file_citation',
      container_id: 'cntr_1',
      file_id: 'file-report',
      filename: 'report.csv',
      start_index: 5,
      end_index: 33,
    });
    expect(toResponseAnnotation(link, { containerId: null, filename })).toEqual({
      type: 'file_path',
      file_id: 'file-report',
      index: 5,
    });
  });

  describe.skipIf(!openResponsesSpecAvailable && !process.env['CI'])('against the specs', () => {
    it("validates every item, event and annotation against OpenAI's schema", () => {
      const include = [INCLUDE_FILE_SEARCH_RESULTS, INCLUDE_CODE_OUTPUTS];
      const items = [
        builtinToolItem(searchCall, searchTranscript, 'completed', { ...context, include })!,
        builtinToolItem(searchCall, searchTranscript, 'completed', context)!,
        builtinToolItem(codeCall, codeTranscript, 'completed', { ...context, include })!,
        builtinToolItem(codeCall, { ...codeTranscript, output: null }, 'in_progress', context)!,
      ];
      for (const item of items) expect(itemErrors(item)).toEqual([]);
      for (const [index, item] of items.entries()) {
        for (const event of builtinToolEvents(item, index))
          expect(validateStreamEvent({ ...event, sequence_number: 1 })).toEqual([]);
      }
      const annotation = toResponseAnnotation(
        {
          type: 'file_path',
          text: 'sandbox:/mnt/data/a.csv',
          file_path: { file_id: 'file-a' },
          start_index: 0,
          end_index: 23,
        },
        { containerId: 'cntr_1', filename: (id) => id },
      );
      const added = {
        type: 'response.output_text.annotation.added',
        sequence_number: 1,
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        annotation_index: 0,
        annotation,
      };
      expect(validateStreamEvent(added)).toEqual([]);
      // The harness does hold these to the schema: a code item without its container fails.
      const { container_id: _container, ...noContainer } = items[2] as Record<string, unknown>;
      expect(itemErrors(noContainer).join('\n')).toMatch(/container_id/);
    });
  });
});
