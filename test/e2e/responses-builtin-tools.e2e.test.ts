/**
 * Built-in tools in the Responses API through the official SDK's `responses.stream()`: file_search
 * over a vector store gives a `file_search_call` item with its progress events and a `file_citation`
 * in the answer; every streamed event and the final response validate against the Open Responses
 * standard (built-in parts against OpenAI’s schema for their type). On SQLite and PostgreSQL.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openResponsesSpecAvailable,
  validateResponseResource,
  validateStreamEvent,
} from '../helpers/open-responses-schema.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

/** Locally without the contracts (`shared/openapi/`) the conformance checks are skipped; CI has them. */
const checkConformance = openResponsesSpecAvailable || Boolean(process.env['CI']);

describe.each(testDatabases)(
  'built-in tools in responses with the official SDK (%s)',
  (database) => {
    let bed: RunTestBed;
    let storeId: string;
    let handbookId: string;

    beforeAll(async () => {
      bed = await createRunTestBed({ database });
      const store = await bed.client.vectorStores.create({ name: 'handbook' });
      storeId = store.id;
      const handbook = await bed.client.vectorStores.files.uploadAndPoll(
        store.id,
        await toFile(
          Buffer.from('# Leave policy\n\nEmployees receive 27 days of paid leave per year.\n'),
          'handbook.md',
        ),
        { pollIntervalMs: 20 },
      );
      handbookId = handbook.id;
    });
    afterAll(() => bed.close());

    it('streams a file search with its progress events and cites the file', async () => {
      bed.upstream.enqueue(
        {
          toolCalls: [
            {
              name: 'file_search',
              arguments: { query: 'paid leave days per year' },
              id: 'call_fs',
            },
          ],
        },
        { text: 'You get 27 days of paid leave 【0†handbook.md】.' },
      );
      const stream = bed.client.responses.stream({
        model: 'gpt-4o',
        input: 'How many days of paid leave do we get?',
        tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
      });
      const events: Array<{ type: string; sequence_number: number }> = [];
      for await (const event of stream) events.push(event);
      const response = await stream.finalResponse();

      const types = events.map((event) => event.type);
      const searching = types.indexOf('response.file_search_call.searching');
      expect(types.indexOf('response.file_search_call.in_progress')).toBeLessThan(searching);
      expect(searching).toBeGreaterThan(0);
      expect(types.indexOf('response.file_search_call.completed')).toBeGreaterThan(searching);
      expect(types).toContain('response.output_text.annotation.added');
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));

      expect(response.status).toBe('completed');
      const call = response.output.find((item) => item.type === 'file_search_call');
      expect(call).toMatchObject({
        type: 'file_search_call',
        status: 'completed',
        queries: ['paid leave days per year'],
        results: null,
      });
      const message = response.output.find((item) => item.type === 'message');
      const text = message?.type === 'message' ? message.content[0] : undefined;
      expect(text?.type === 'output_text' ? text.annotations : []).toEqual([
        expect.objectContaining({ type: 'file_citation', file_id: handbookId }),
      ]);

      const eventErrors = (event: unknown) => (checkConformance ? validateStreamEvent(event) : []);
      for (const event of events) expect(eventErrors(event)).toEqual([]);
      const stored = await bed.client.responses.retrieve(response.id);
      const storedErrors = checkConformance ? validateResponseResource(stored) : [];
      expect(storedErrors).toEqual([]);
      // Asked for on retrieve, the results show although the request did not include them.
      const included = await bed.client.responses.retrieve(response.id, {
        include: ['file_search_call.results'],
      });
      const shown = included.output.find((item) => item.type === 'file_search_call');
      expect(shown?.type === 'file_search_call' ? shown.results : null).toEqual([
        expect.objectContaining({ file_id: handbookId, filename: 'handbook.md' }),
      ]);
      expect(included.output_text).toBe(response.output_text);
    });

    it('shows the file search results only with include: ["file_search_call.results"]', async () => {
      bed.upstream.enqueue(
        {
          toolCalls: [
            { name: 'file_search', arguments: { query: 'paid leave days' }, id: 'call_fs_inc' },
          ],
        },
        { text: 'You get 27 days of paid leave 【0†handbook.md】.' },
      );
      const response = await bed.client.responses.create({
        model: 'gpt-4o',
        input: 'How many days of paid leave do we get?',
        tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
        include: ['file_search_call.results'],
      });
      const stored = await bed.client.responses.retrieve(response.id);
      for (const shown of [response, stored]) {
        const call = shown.output.find((item) => item.type === 'file_search_call');
        expect(call).toMatchObject({ queries: ['paid leave days'] });
        expect(call?.type === 'file_search_call' ? call.results : null).toEqual([
          expect.objectContaining({
            file_id: handbookId,
            filename: 'handbook.md',
            text: expect.stringContaining('27 days of paid leave'),
          }),
        ]);
      }
      expect(checkConformance ? validateResponseResource(stored) : []).toEqual([]);
    });
    it('executes at most max_tool_calls built-in calls and tells the model the rest were not run', async () => {
      bed.upstream.enqueue(
        {
          toolCalls: [
            { name: 'file_search', arguments: { query: 'paid leave' }, id: 'call_fs_one' },
            { name: 'file_search', arguments: { query: 'sick leave' }, id: 'call_fs_two' },
          ],
        },
        { toolCalls: [{ name: 'file_search', arguments: { query: 'holidays' }, id: 'call_fs_3' }] },
        { text: 'You get 27 days of paid leave.' },
      );
      // The SDK 6.49 types leave out `max_tool_calls` (OpenAI's spec has it); the SDK sends it as given.
      const capped = { max_tool_calls: 1 } as Record<string, unknown>;
      const response = await bed.client.responses.create({
        model: 'gpt-4o',
        input: 'Tell me about leave.',
        tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
        include: ['file_search_call.results'],
        ...capped,
      });
      expect(response.status).toBe('completed');
      expect((response as unknown as Record<string, unknown>)['max_tool_calls']).toBe(1);
      const calls = response.output.filter((item) => item.type === 'file_search_call');
      expect(calls.map((call) => (call.type === 'file_search_call' ? call.queries : []))).toEqual([
        ['paid leave'],
        ['sick leave'],
        ['holidays'],
      ]);
      // Only the first ran: it alone has results.
      const results = calls.map((call) =>
        call.type === 'file_search_call' ? (call.results?.length ?? 0) : 0,
      );
      expect(results[0]).toBeGreaterThan(0);
      expect(results.slice(1)).toEqual([0, 0]);
      // The model read, for each refused call, that the budget is spent.
      const last = bed.upstream.lastRequest as {
        messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
      };
      const outputs = Object.fromEntries(
        last.messages
          .filter((message) => message.role === 'tool')
          .map((message) => [message.tool_call_id, String(message.content)]),
      );
      expect(outputs['call_fs_one']).toContain('27 days of paid leave');
      for (const id of ['call_fs_two', 'call_fs_3'])
        expect(outputs[id]).toContain('max_tool_calls');
      expect(response.output_text).toBe('You get 27 days of paid leave.');
    });
  },
);
