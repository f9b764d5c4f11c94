/**
 * file_search citations as openai 6.49.0 and 4.104.0 apps read them: `file_citation` annotations in
 * the `textDelta` callbacks (with the delta that completes the marker, even when the model split the
 * marker across chunks) and in `finalMessages()`, equal to the stored message.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { record, SDK_NAMES, sdkUnderTest, withoutDeltaIndexes } from '../helpers/sdk-clients.ts';

let bed: RunTestBed;
let assistantId: string;
const fileIds = new Map<string, string>();

beforeAll(async () => {
  bed = await createRunTestBed();
  const store = await bed.client.vectorStores.create({ name: 'handbook' });
  for (const [name, text] of [
    ['leave.md', '# Leave\n\nEmployees receive 27 days of paid leave per year.\n'],
    ['lunch.md', '# Lunch\n\nLunch is served from noon until two.\n'],
  ]) {
    const file = await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(text!), name!),
      { pollIntervalMs: 20 },
    );
    fileIds.set(name!, file.id);
  }
  assistantId = (
    await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search', file_search: { ranking_options: { score_threshold: 0 } } }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    })
  ).id;
});
afterAll(() => bed.close());

describe.each(SDK_NAMES)('file_search citations with %s', (name) => {
  it('sends each file_citation in the delta that completes its marker, as stored', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Leave and lunch?' }],
    });
    bed.upstream.respondWith((body) => {
      // The second turn cites the results by the numbers the tool output gave them.
      const output: string = body.messages.find((message: any) => message.role === 'tool').content;
      const number = (file: string) => output.match(new RegExp(`【(\\d+)†${file}】`))![1];
      return {
        chunks: [
          'You get 27 days ',
          `【${number('leave.md')}`,
          '†leave',
          '.md】 and lunch is at noon ',
          `【${number('lunch.md')}†lunch.md】`,
          '.',
        ],
      };
    });
    bed.upstream.enqueue({
      toolCalls: [{ name: 'file_search', arguments: { query: 'leave days and lunch hours' } }],
    });
    const seen = await record(sdkUnderTest(name, bed.baseURL).stream(thread.id, assistantId));
    expect(seen.run.status).toBe('completed');

    const stored = (await bed.client.beta.threads.messages.list(thread.id, { run_id: seen.run.id }))
      .data[0]!;
    const text = (stored.content[0] as { text: { value: string; annotations: any[] } }).text;
    expect(text.annotations.map((annotation) => annotation.file_citation.file_id)).toEqual([
      fileIds.get('leave.md'),
      fileIds.get('lunch.md'),
    ]);

    // The split marker was held back and went out whole, with its annotation.
    const values = seen.textDeltas.map((delta) => delta.value);
    expect(values.join('')).toBe(text.value);
    const leave = text.annotations[0];
    const withLeave = seen.textDeltas.find((delta) => delta.annotations.length > 0)!;
    expect(withLeave.value).toContain(leave.text);
    expect(seen.textDeltas.flatMap((delta) => delta.annotations)).toEqual(
      text.annotations.map((annotation, index) => ({ index, ...annotation })),
    );
    expect(text.value.slice(leave.start_index, leave.end_index)).toBe(leave.text);

    // finalMessages() is built from the deltas alone, and equals the stored message.
    expect(withoutDeltaIndexes(seen.finalMessages[0].content)).toEqual(stored.content);
    expect(seen.messagesDone).toEqual([stored]);
  });
});
