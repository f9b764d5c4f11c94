/**
 * Tool output never breaks the context window: with a small model (the 8192-token default, or a
 * window set in the `models` config), file_search drops its lowest-ranked passages, and a huge
 * function or code_interpreter output keeps its head and tail. The scripted model records every
 * prompt, so each test checks what the model was actually given.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenCounter, type TokenCounter } from '../../src/engine/token-counter.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';

const INCLUDE = 'step_details.tool_calls[*].file_search.results[*].content' as const;
const poll = { pollIntervalMs: 20 };
const CUT = /tokens of this output were cut here to fit the model's context window/;

/** About 50 KB of policy text: every section mentions the travel budget. */
function policyDocument(): string {
  const sections: string[] = [];
  for (let index = 0; sections.join('\n\n').length < 50_000; index++) {
    sections.push(
      `## Region ${index}\n\nThe travel budget for region ${index} is ${1000 + index * 37} euros per quarter. ` +
        `Requests above the travel budget need the approval of the regional lead number ${index}. ` +
        'Receipts are kept for seven years and hotel stays are booked through the travel desk. '.repeat(
          1 + (index % 3),
        ),
    );
  }
  return sections.join('\n\n');
}

/** Prompt tokens of a recorded chat-completions request, as the server estimates them. */
function promptTokens(counter: TokenCounter, body: any): number {
  let total = counter.count(JSON.stringify(body.tools ?? []));
  for (const message of body.messages) {
    total += 4;
    if (typeof message.content === 'string') total += counter.count(message.content);
    else if (Array.isArray(message.content))
      for (const part of message.content) total += counter.count(part.text ?? '');
    for (const call of message.tool_calls ?? [])
      total += counter.count(call.function.name) + counter.count(call.function.arguments);
  }
  return total;
}

function toolMessage(body: any): string {
  return body.messages.find((message: any) => message.role === 'tool').content;
}

describe('tool output fitted to the context window', () => {
  let bed: RunTestBed;
  let counter: TokenCounter;

  beforeAll(async () => {
    counter = await loadTokenCounter();
    bed = await createRunTestBed({
      config: {
        codeSandbox: bwrapAvailable ? 'bwrap' : 'off',
        models: { 'tight-local': { context_window: 3000 } },
      },
    });
  });
  afterAll(() => bed?.close());

  it('file_search over a 50 KB document on an 8192-token model gives the best passages that fit', async () => {
    const store = await bed.client.vectorStores.create({ name: 'policies' });
    await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(policyDocument()), 'travel-policy.md'),
      poll,
    );
    const assistant = await bed.client.beta.assistants.create({
      model: 'small-local-model',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the travel budget for region 12?' }],
    });
    const query = 'travel budget region 12';
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'file_search', arguments: { query } }] },
      { text: 'It is 1444 euros per quarter.' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      poll,
    );
    expect(run.last_error).toBeNull();
    expect(run.status).toBe('completed');

    const prompt = bed.upstream.lastRequest;
    expect(promptTokens(counter, prompt)).toBeLessThanOrEqual(8192);
    expect(toolMessage(prompt)).toContain('lower-ranked passage(s) were left out');

    // The step lists exactly the passages the model read: the top of the ranking, in order.
    const ranking = await bed.client.vectorStores.search(store.id, {
      query,
      max_num_results: 20,
    });
    const steps = await bed.client.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      include: [INCLUDE],
    });
    const results = (steps.data.find((step) => step.type === 'tool_calls')!.step_details as any)
      .tool_calls[0].file_search.results;
    expect(ranking.data.length).toBe(20);
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(ranking.data.length);
    expect(results.map((result: any) => result.content[0].text)).toEqual(
      ranking.data.slice(0, results.length).map((result) => result.content[0]!.text),
    );
    for (let index = 0; index < results.length; index++)
      expect(toolMessage(prompt)).toContain(`【${index}†travel-policy.md】`);
    expect(toolMessage(prompt)).not.toContain(`【${results.length}†travel-policy.md】`);
  });

  it('fits file_search to what is left of max_prompt_tokens on a large model', async () => {
    const store = await bed.client.vectorStores.create({ name: 'policies, again' });
    await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(policyDocument()), 'travel-policy.md'),
      poll,
    );
    const assistant = await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the travel budget for region 7?' }],
    });
    bed.upstream.enqueue(
      {
        toolCalls: [{ name: 'file_search', arguments: { query: 'travel budget region 7' } }],
        usage: { prompt_tokens: 400, completion_tokens: 20 },
      },
      { text: 'It is 1259 euros per quarter.' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id, max_prompt_tokens: 3000 },
      poll,
    );
    expect(run.incomplete_details).toBeNull();
    expect(run.status).toBe('completed');
    // The second prompt fits in what the first left: 3000 - 400.
    expect(promptTokens(counter, bed.upstream.lastRequest)).toBeLessThanOrEqual(2600);
    expect(toolMessage(bed.upstream.lastRequest)).toContain('【0†travel-policy.md】');
  });

  it('a max_completion_tokens larger than the window neither fails the run nor is sent whole', async () => {
    const assistant = await bed.client.beta.assistants.create({ model: 'small-local-model' });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Write a long story.' }],
    });
    bed.upstream.enqueue({ text: 'Once upon a time.' });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id, max_completion_tokens: 20_000 },
      poll,
    );
    expect(run.last_error).toBeNull();
    expect(run.status).toBe('completed');
    const sent = bed.upstream.lastRequest;
    // Capped at what the window leaves after the (short) prompt.
    expect(sent.max_tokens).toBeLessThan(8192);
    expect(sent.max_tokens).toBeGreaterThan(8000);
  });

  it('a huge function output keeps its head and tail, within a window set in the models config', async () => {
    const assistant = await bed.client.beta.assistants.create({
      model: 'tight-local',
      tools: [
        {
          type: 'function',
          function: { name: 'read_log', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Why did the build fail?' }],
    });
    bed.upstream.enqueue({ toolCalls: [{ name: 'read_log', arguments: {}, id: 'call_log' }] });
    let run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      poll,
    );
    expect(run.status).toBe('requires_action');
    const lines = Array.from({ length: 6000 }, (_, index) => `step ${index}: compiling module`);
    const output = `BUILD LOG START\n${lines.join('\n')}\nerror: disk full (BUILD LOG END)`;
    bed.upstream.enqueue({ text: 'The disk is full.' });
    run = await bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      run.id,
      { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'call_log', output }] },
      poll,
    );
    expect(run.last_error).toBeNull();
    expect(run.status).toBe('completed');
    const prompt = bed.upstream.lastRequest;
    expect(promptTokens(counter, prompt)).toBeLessThanOrEqual(3000);
    const given = toolMessage(prompt);
    expect(given.startsWith('BUILD LOG START\nstep 0: compiling module')).toBe(true);
    expect(given.endsWith('error: disk full (BUILD LOG END)')).toBe(true);
    expect(given).toMatch(CUT);
  });

  it.runIf(bwrapAvailable)(
    'a huge code_interpreter log keeps its head and tail, and the step shows the logs as given',
    async () => {
      const assistant = await bed.client.beta.assistants.create({
        model: 'small-local-model',
        tools: [{ type: 'code_interpreter' }],
      });
      const thread = await bed.client.beta.threads.create({
        messages: [{ role: 'user', content: 'Print the table.' }],
      });
      const code =
        'print("TABLE START")\nfor i in range(4000):\n    print(f"row {i}: value {i * i}")\nprint("TABLE END")';
      bed.upstream.enqueue(
        { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
        { text: 'Done.' },
      );
      const run = await bed.client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistant.id },
        poll,
      );
      expect(run.last_error).toBeNull();
      expect(run.status).toBe('completed');
      const prompt = bed.upstream.lastRequest;
      expect(promptTokens(counter, prompt)).toBeLessThanOrEqual(8192);
      const given = toolMessage(prompt);
      expect(given).toContain('TABLE START');
      expect(given).toContain('TABLE END');
      expect(given).toMatch(CUT);
      const steps = await bed.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      const logs = (steps.data.find((step) => step.type === 'tool_calls')!.step_details as any)
        .tool_calls[0].code_interpreter.outputs[0].logs as string;
      expect(logs.startsWith('TABLE START')).toBe(true);
      expect(logs).toMatch(CUT);
      expect(counter.count(logs)).toBeLessThanOrEqual(8192);
    },
  );
});
