/** file_search inside runs: retrieval from the assistant's and the thread's stores, results in steps, citations. */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const INCLUDE = 'step_details.tool_calls[*].file_search.results[*].content' as const;

describe('file_search in runs with the official SDK', () => {
  let bed: RunTestBed;
  let assistantId: string;
  let handbookId: string;
  const poll = { pollIntervalMs: 20 };

  beforeAll(async () => {
    bed = await createRunTestBed();
    const store = await bed.client.vectorStores.create({ name: 'handbook' });
    const handbook = await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(
        Buffer.from(
          '# Leave policy\n\nEmployees receive 27 days of paid leave per year. Unused days expire in March.\n',
        ),
        'handbook.md',
      ),
      { pollIntervalMs: 20 },
    );
    handbookId = handbook.id;
    await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(
        Buffer.from('# Cafeteria\n\nLunch is served from noon until two.\n'),
        'cafeteria.md',
      ),
      { pollIntervalMs: 20 },
    );
    assistantId = (
      await bed.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [
          {
            type: 'file_search',
            file_search: { max_num_results: 3, ranking_options: { score_threshold: 0 } },
          },
        ],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      })
    ).id;
  });
  afterAll(() => bed.close());

  it('searches the stores, shows results in the step, and turns the cited marker into a file_citation', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'How many days of paid leave do we get?' }],
    });
    bed.upstream.enqueue(
      {
        toolCalls: [
          { name: 'file_search', arguments: { query: 'paid leave days per year' }, id: 'call_fs' },
        ],
      },
      { text: 'You get 27 days of paid leave 【0†handbook.md】.' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      poll,
    );
    expect(run.status).toBe('completed');

    // The model was offered the tool and read the passage with its marker.
    expect(bed.upstream.requests.at(-2)!.body.tools.map((tool: any) => tool.function.name)).toEqual(
      ['file_search'],
    );
    const toolResult = bed.upstream.lastRequest.messages.find(
      (message: any) => message.role === 'tool',
    );
    expect(toolResult.content).toContain('【0†handbook.md】');
    expect(toolResult.content).toContain('27 days of paid leave');

    const steps = await bed.client.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    const call = (steps.data[0]!.step_details as any).tool_calls[0];
    expect(call).toMatchObject({
      id: 'call_fs',
      type: 'file_search',
      file_search: { ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0 } },
    });
    expect(call.file_search.results[0]).toMatchObject({
      file_id: handbookId,
      file_name: 'handbook.md',
    });
    expect(call.file_search.results[0].score).toBeGreaterThan(0);
    expect(call.file_search.results[0].score).toBeLessThanOrEqual(1);
    expect(call.file_search.results[0]).not.toHaveProperty('content');
    expect(call.file_search.results.length).toBeLessThanOrEqual(3);

    const withContent = await bed.client.beta.threads.runs.steps.retrieve(steps.data[0]!.id, {
      thread_id: thread.id,
      run_id: run.id,
      include: [INCLUDE],
    });
    expect(
      (withContent.step_details as any).tool_calls[0].file_search.results[0].content[0].text,
    ).toContain('27 days of paid leave');

    const answer = (await bed.client.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data[0]!;
    const text = (answer.content[0] as OpenAI.Beta.Threads.TextContentBlock).text;
    expect(text.value).toBe('You get 27 days of paid leave 【0†handbook.md】.');
    expect(text.annotations).toEqual([
      {
        type: 'file_citation',
        text: '【0†handbook.md】',
        file_citation: { file_id: handbookId },
        start_index: 30,
        end_index: 45,
      },
    ]);
  });

  it('streams the result content only when include[] asks for it', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'When is lunch?' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'file_search', arguments: { query: 'lunch hours' } }] },
      { text: 'From noon 【0†cafeteria.md】.' },
    );
    const stream = bed.client.beta.threads.runs.stream(thread.id, {
      assistant_id: assistantId,
      include: [INCLUDE],
    });
    let completedStep: any;
    stream.on('runStepDone', (step) => {
      if (step.type === 'tool_calls') completedStep = step;
    });
    await stream.finalRun();
    expect(
      completedStep.step_details.tool_calls[0].file_search.results[0].content[0].text,
    ).toContain('noon');
  });

  it('searches a store made from a message attachment too', async () => {
    const file = await bed.client.files.create({
      file: await toFile(Buffer.from('The office wifi password is tangerine-42.'), 'wifi.txt'),
      purpose: 'assistants',
    });
    const thread = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'What is the wifi password?',
          attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
        },
      ],
    });
    const storeId = (await bed.client.beta.threads.retrieve(thread.id)).tool_resources!.file_search!
      .vector_store_ids![0]!;
    await waitForStore(bed.client, storeId);
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'file_search', arguments: { query: 'wifi password' } }] },
      { text: 'tangerine-42' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      poll,
    );
    expect(run.status).toBe('completed');
    const steps = await bed.client.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    expect(
      (steps.data[0]!.step_details as any).tool_calls[0].file_search.results.map(
        (result: any) => result.file_id,
      ),
    ).toContain(file.id);
  });
});

async function waitForStore(client: OpenAI, storeId: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const store = await client.vectorStores.retrieve(storeId);
    if (store.status === 'completed') return store;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`vector store ${storeId} never completed`);
}
