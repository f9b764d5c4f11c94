/**
 * Where the published spec is stricter than the hosted service was, Concierge follows the service
 * (docs/compatibility.md, "Where Concierge differs from the published spec"): small token budgets are
 * accepted and applied, and an empty `tool_outputs` is answered about the run it names.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, weatherTool, type RunTestBed } from '../helpers/run-test-bed.ts';

describe('behaviour that matches the hosted service rather than the spec', () => {
  let bed: RunTestBed;
  let assistantId: string;
  const poll = { pollIntervalMs: 20 };

  beforeAll(async () => {
    bed = await createRunTestBed();
    assistantId = (await bed.client.beta.assistants.create({ model: 'gpt-4o' })).id;
  });
  afterAll(() => bed.close());

  async function threadWith(content: string) {
    return bed.client.beta.threads.create({ messages: [{ role: 'user', content }] });
  }

  it('accepts max_completion_tokens: 16, sends it upstream and ends incomplete when reached', async () => {
    const thread = await threadWith('write a lot');
    bed.upstream.enqueue({ text: 'a reply that was cut', finishReason: 'length' });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, max_completion_tokens: 16 },
      poll,
    );
    expect(run).toMatchObject({
      status: 'incomplete',
      max_completion_tokens: 16,
      incomplete_details: { reason: 'max_completion_tokens' },
    });
    expect(bed.upstream.lastRequest.max_tokens).toBe(16);
  });

  it('accepts a small max_prompt_tokens and ends the run incomplete when the prompt does not fit', async () => {
    const thread = await threadWith('tell me everything about tokens and budgets '.repeat(8));
    const before = bed.upstream.requests.length;
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, max_prompt_tokens: 16 },
      poll,
    );
    expect(run).toMatchObject({
      status: 'incomplete',
      max_prompt_tokens: 16,
      incomplete_details: { reason: 'max_prompt_tokens' },
    });
    expect(bed.upstream.requests.length).toBe(before);
  });

  it('still refuses zero and negative budgets', async () => {
    const thread = await threadWith('hi');
    for (const body of [{ max_completion_tokens: 0 }, { max_prompt_tokens: -1 }]) {
      const error = await bed.client.beta.threads.runs
        .create(thread.id, { assistant_id: assistantId, ...body })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(
        Object.keys(body)[0],
      );
    }
  });

  it('answers an empty tool_outputs about the run: 404 for an unknown run or thread, then state, then missing ids', async () => {
    const thread = await threadWith('weather?');
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, tools: [weatherTool] },
      poll,
    );
    expect(run.status).toBe('requires_action');
    const callId = run.required_action!.submit_tool_outputs.tool_calls[0]!.id;

    const submitEmpty = (threadId: string, runId: string) =>
      bed.client.beta.threads.runs
        .submitToolOutputs(runId, { thread_id: threadId, tool_outputs: [] })
        .catch((caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);

    const unknownRun = await submitEmpty(thread.id, 'run_doesnotexist');
    expect(unknownRun).toBeInstanceOf(OpenAI.NotFoundError);
    const otherThread = await threadWith('another thread');
    const mismatch = await submitEmpty(otherThread.id, run.id);
    expect(mismatch).toBeInstanceOf(OpenAI.NotFoundError);

    const missing = await submitEmpty(thread.id, run.id);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing).toMatchObject({ param: 'tool_outputs' });
    expect((missing as InstanceType<typeof OpenAI.APIError>).message).toContain(callId);
    expect(
      (await bed.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status,
    ).toBe('requires_action');

    bed.upstream.enqueue({ text: 'Sunny.' });
    const done = await bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      run.id,
      { thread_id: thread.id, tool_outputs: [{ tool_call_id: callId, output: 'sunny' }] },
      poll,
    );
    expect(done.status).toBe('completed');
    const late = await submitEmpty(thread.id, run.id);
    expect(late).toBeInstanceOf(OpenAI.BadRequestError);
    expect((late as InstanceType<typeof OpenAI.APIError>).message).toMatch(/status "completed"/);
  });
});
