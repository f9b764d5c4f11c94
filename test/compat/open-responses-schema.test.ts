/**
 * The Open Responses validation harness (`test/helpers/open-responses-schema.ts`) on hand-made
 * samples: a conforming response and events pass; a broken one fails with an error that names the
 * field; extension parts (built-in tools' items, annotations and events) are held to OpenAI's
 * schema for their type rather than waved through.
 */
import { describe, expect, it } from 'vitest';
import {
  openResponsesSpecAvailable,
  validateResponseResource,
  validateStreamEvent,
} from '../helpers/open-responses-schema.ts';

const message = {
  type: 'message',
  id: 'msg_1',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: 'Hello.', annotations: [] }],
};

const response = {
  id: 'resp_1',
  object: 'response',
  created_at: 1_700_000_000,
  completed_at: 1_700_000_001,
  status: 'completed',
  incomplete_details: null,
  model: 'gpt-4o-mini',
  previous_response_id: null,
  instructions: null,
  output: [message],
  error: null,
  tools: [
    {
      type: 'function',
      name: 'f',
      description: null,
      parameters: { type: 'object' },
      strict: true,
    },
  ],
  tool_choice: 'auto',
  truncation: 'disabled',
  parallel_tool_calls: true,
  text: { format: { type: 'text' } },
  top_p: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  top_logprobs: 0,
  temperature: 1,
  reasoning: null,
  usage: {
    input_tokens: 3,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 2,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 5,
  },
  max_output_tokens: null,
  max_tool_calls: null,
  store: true,
  background: false,
  service_tier: 'default',
  metadata: {},
  safety_identifier: null,
  prompt_cache_key: null,
};

const fileSearchCall = {
  type: 'file_search_call',
  id: 'fs_1',
  status: 'completed',
  queries: ['refund policy'],
  results: [{ file_id: 'file-1', filename: 'policy.md', score: 0.8, text: 'Refunds…' }],
};

const fileCitation = { type: 'file_citation', file_id: 'file-1', filename: 'policy.md', index: 5 };

describe.skipIf(!openResponsesSpecAvailable && !process.env['CI'])('Open Responses harness', () => {
  it('accepts a conforming response and its text delta', () => {
    expect(validateResponseResource(response)).toEqual([]);
    const delta = {
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hel',
      logprobs: [],
    };
    expect(validateStreamEvent(delta)).toEqual([]);
  });

  it('names the field a broken response gets wrong', () => {
    const { usage: _usage, ...withoutUsage } = response;
    expect(validateResponseResource(withoutUsage).join('\n')).toMatch(/usage/);
    const badMessage = { ...message, content: [{ type: 'output_text', text: 'x' }] };
    const errors = validateResponseResource({ ...response, output: [badMessage] });
    expect(errors.join('\n')).toMatch(/annotations/);
  });

  it('names the field a broken event gets wrong, and refuses unknown event types', () => {
    const delta = { type: 'response.output_text.delta', sequence_number: 1, item_id: 'm' };
    expect(validateStreamEvent(delta).join('\n')).toMatch(/output_index|delta/);
    expect(validateStreamEvent({ type: 'response.made_up', sequence_number: 1 })).toEqual([
      'event response.made_up is defined by neither spec',
    ]);
  });

  it("holds built-in tool items, annotations and events to OpenAI's schema for their type", () => {
    const cited = { ...message, content: [{ ...message.content[0], annotations: [fileCitation] }] };
    const tools = [{ type: 'file_search', vector_store_ids: ['vs_1'] }];
    const withFileSearch = { ...response, tools, output: [fileSearchCall, cited] };
    expect(validateResponseResource(withFileSearch)).toEqual([]);

    const { queries: _queries, ...noQueries } = fileSearchCall;
    const broken = { ...withFileSearch, output: [noQueries, cited] };
    expect(validateResponseResource(broken).join('\n')).toMatch(/output\[0\].*queries/);
    const unknownItem = { ...response, output: [{ type: 'telepathy_call', id: 'x' }] };
    expect(validateResponseResource(unknownItem)).toEqual([
      'response.output[0] has type telepathy_call, defined by neither spec',
    ]);

    const searching = {
      type: 'response.file_search_call.searching',
      sequence_number: 3,
      output_index: 0,
      item_id: 'fs_1',
    };
    expect(validateStreamEvent(searching)).toEqual([]);
    const { item_id: _itemId, ...noItemId } = searching;
    expect(validateStreamEvent(noItemId).join('\n')).toMatch(/item_id/);
    const added = { type: 'response.output_item.added', sequence_number: 2, output_index: 0 };
    expect(validateStreamEvent({ ...added, item: fileSearchCall })).toEqual([]);
    expect(validateStreamEvent({ ...added, item: noQueries }).join('\n')).toMatch(/queries/);
  });

  it('checks our service_agent tool against its documented shape', () => {
    const agentTool = { type: 'service_agent', service_agent: { id: 'sa_123' } };
    expect(validateResponseResource({ ...response, tools: [agentTool] })).toEqual([]);
    const wrong = { type: 'service_agent', service_agent: {} };
    expect(validateResponseResource({ ...response, tools: [wrong] }).join('\n')).toMatch(/id/);
  });
});
