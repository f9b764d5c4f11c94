/**
 * A file made by code_interpreter, linked as OpenAI's quickstart app finds it: a `file_path`
 * annotation in the text deltas (the app turns `sandbox:/mnt/data/…` into a download link only
 * from those, after relaying the stream to the page), with openai 6.49.0 and 4.104.0, on the real
 * bwrap sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';
import { record, SDK_NAMES, sdkUnderTest, withoutDeltaIndexes } from '../helpers/sdk-clients.ts';

const WRITE_REPORT = `
with open("/mnt/data/report.csv", "w") as report:
    report.write("month,units\\njan,3\\n")
print("written")
`;

describe.runIf(bwrapAvailable)('code_interpreter file links', () => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed({ config: { codeSandbox: 'bwrap' } });
    assistantId = (
      await bed.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
      })
    ).id;
  });
  afterAll(() => bed?.close());

  it.each(SDK_NAMES)('sends the file_path annotation in the deltas to %s', async (name) => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Make me a report file.' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code: WRITE_REPORT } }] },
      { chunks: ['Download ', '[the report](sand', 'box:/mnt/data/rep', 'ort.csv).'] },
    );
    // As OpenAI's Next.js quickstart does it: the API route relays the stream, the page reads it
    // back and turns each file_path annotation of a text delta into a download link.
    const sdk = sdkUnderTest(name, bed.baseURL);
    const page = sdk.fromReadableStream(sdk.stream(thread.id, assistantId).toReadableStream());
    let shown = '';
    page.on('textDelta', (delta: { value?: string; annotations?: any[] }) => {
      if (delta.value != null) shown += delta.value;
      for (const annotation of delta.annotations ?? [])
        if (annotation.type === 'file_path')
          shown = shown.replaceAll(annotation.text, `/api/files/${annotation.file_path.file_id}`);
    });
    const seen = await record(page);
    expect(seen.run.status).toBe('completed');

    // The code shows up through toolCallDelta, where the quickstart app prints it.
    expect(
      seen.toolCallDeltas.map((delta) => delta.code_interpreter?.input ?? '').join(''),
    ).toContain(WRITE_REPORT);

    const linked = seen.textDeltas.flatMap((delta) => delta.annotations);
    expect(linked).toMatchObject([
      {
        index: 0,
        type: 'file_path',
        text: 'sandbox:/mnt/data/report.csv',
        start_index: 22,
        end_index: 50,
      },
    ]);
    expect(shown).toBe(`Download [the report](/api/files/${linked[0].file_path.file_id}).`);
    const content = await bed.client.files.content(linked[0].file_path.file_id);
    expect(await content.text()).toBe('month,units\njan,3\n');
    // The link went out whole, in the delta that ended it.
    expect(seen.textDeltas.map((delta) => delta.value)).toEqual([
      'Download ',
      '[the report](',
      'sandbox:/mnt/data/report.csv).',
    ]);

    const stored = (await bed.client.beta.threads.messages.list(thread.id, { run_id: seen.run.id }))
      .data[0]!;
    expect(withoutDeltaIndexes(seen.finalMessages.at(-1).content)).toEqual(stored.content);
  });
});
