/**
 * The truncation rules of a model request: `truncation_strategy` first, then history dropped oldest
 * first to fit the window and `max_prompt_tokens`, the run's own turns always kept (their largest tool
 * outputs cut before the newest message goes), and the two ways nothing fits. Tokens are counted one
 * per word here, so every budget below is plain arithmetic (a message costs its words + 4).
 */
import { describe, expect, it } from 'vitest';
import {
  NO_OPTIONS,
  testMessage,
  testRun,
  wordCounter,
} from '../../test/helpers/engine-fixtures.ts';
import type { Message } from '../domain/message.ts';
import type { Run, RunStep } from '../domain/run.ts';
import type { ModelMessage } from '../models/language-model.ts';
import type { StepTranscript } from '../domain/run-record.ts';
import {
  buildModelRequest,
  toolOutputRoom,
  type BuildRequestInput,
} from './build-model-request.ts';
import { RunFailure } from './run-failure.ts';
import { newStep } from './run-objects.ts';

const THREAD = 'thread_request';

function words(count: number, word = 'word'): string {
  return Array.from({ length: count }, () => word).join(' ');
}

function input(
  run: Run,
  messages: Message[],
  overrides: Partial<BuildRequestInput> = {},
): BuildRequestInput {
  return {
    projectId: 'proj',
    run,
    modelId: run.model,
    // A window of 400: the answer's reserve is a quarter, so a turn's budget is 300 tokens.
    capabilities: { vision: false, contextWindow: 400 },
    messages,
    steps: [],
    tools: [],
    reasoningEffort: NO_OPTIONS.reasoning_effort,
    used: { prompt: 0, completion: 0 },
    counter: wordCounter,
    loadImage: async () => undefined,
    ...overrides,
  };
}

function texts(messages: ModelMessage[]): string[] {
  return messages.map((message) =>
    message.content
      .map((part) =>
        part.type === 'text'
          ? part.text
          : part.type === 'tool-call'
            ? `call ${part.toolCallId}`
            : part.type === 'tool-result'
              ? `result ${part.output}`
              : 'image',
      )
      .join('|'),
  );
}

const conversation = () => [
  testMessage(THREAD, 'user', 'u1'),
  testMessage(THREAD, 'assistant', 'a1'),
  testMessage(THREAD, 'user', 'u2'),
  testMessage(THREAD, 'assistant', 'a2'),
  testMessage(THREAD, 'user', 'u3'),
];

async function failureOf(promise: Promise<unknown>): Promise<RunFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RunFailure);
  return error as RunFailure;
}

function runTurns(run: Run, output: string) {
  const answer = testMessage(THREAD, 'assistant', 'the run said this', { run_id: run.id });
  const messageStep: RunStep = {
    ...newStep(run, { type: 'message_creation', message_creation: { message_id: answer.id } }),
    status: 'completed',
  };
  const toolStep: RunStep = {
    ...newStep(run, { type: 'tool_calls', tool_calls: [] }),
    status: 'completed',
  };
  const transcript: StepTranscript = {
    calls: [{ id: 'call_1', name: 'lookup', arguments: '{}', output }],
  };
  const interrupted: RunStep = {
    ...newStep(run, { type: 'tool_calls', tool_calls: [] }),
    status: 'failed',
  };
  return {
    answer,
    steps: [
      { step: messageStep, transcript: null },
      { step: toolStep, transcript },
      { step: interrupted, transcript: { calls: [{ ...transcript.calls[0]!, id: 'call_2' }] } },
    ],
  };
}

describe('buildModelRequest', () => {
  it('keeps the last N messages of a last_messages strategy, starting at a user message', async () => {
    const three = testRun(THREAD, {
      truncation_strategy: { type: 'last_messages', last_messages: 3 },
    });
    expect(texts((await buildModelRequest(input(three, conversation()))).request.messages)).toEqual(
      ['u2', 'a2', 'u3'],
    );
    // The last two are a2, u3: history never opens with the assistant.
    const two = testRun(THREAD, {
      truncation_strategy: { type: 'last_messages', last_messages: 2 },
    });
    expect(texts((await buildModelRequest(input(two, conversation()))).request.messages)).toEqual([
      'u3',
    ]);
  });

  it('drops the oldest history first to fit the window, and says how many it left out', async () => {
    // Ten messages of 54 tokens: five fit in 300.
    const messages = Array.from({ length: 10 }, (_, index) =>
      testMessage(THREAD, 'user', words(50, `m${index}`)),
    );
    const built = await buildModelRequest(input(testRun(THREAD), messages));
    expect(built.droppedMessages).toBe(5);
    expect(built.estimatedPromptTokens).toBe(270);
    expect(texts(built.request.messages).map((text) => text.split(' ')[0])).toEqual([
      'm5',
      'm6',
      'm7',
      'm8',
      'm9',
    ]);
    // The answer may use the rest of the window, within the model's own limit.
    const limited = await buildModelRequest(
      input(testRun(THREAD), messages, {
        capabilities: { vision: false, contextWindow: 400, maxOutputTokens: 50 },
      }),
    );
    expect(limited.request.maxOutputTokens).toBe(50);
  });

  it('fits in what is left of max_prompt_tokens, after the tokens earlier turns used', async () => {
    const messages = Array.from({ length: 4 }, (_, index) =>
      testMessage(THREAD, 'user', words(16, `m${index}`)),
    );
    const run = testRun(THREAD, { max_prompt_tokens: 100 });
    const built = await buildModelRequest(
      input(run, messages, { used: { prompt: 50, completion: 0 } }),
    );
    // 50 left: two messages of 20.
    expect(built.droppedMessages).toBe(2);
    expect(built.estimatedPromptTokens).toBe(40);
  });

  it('ends the run incomplete when nothing fits in what is left of max_prompt_tokens', async () => {
    const run = testRun(THREAD, { max_prompt_tokens: 20 });
    const failure = await failureOf(
      buildModelRequest(input(run, [testMessage(THREAD, 'user', words(50))])),
    );
    expect(failure.outcome).toEqual({ status: 'incomplete', reason: 'max_prompt_tokens' });
  });

  it('fails the run with invalid_prompt when the newest message alone exceeds the window', async () => {
    const failure = await failureOf(
      buildModelRequest(input(testRun(THREAD), [testMessage(THREAD, 'user', words(400))])),
    );
    expect(failure.outcome).toEqual({ status: 'failed', code: 'invalid_prompt' });
    expect(failure.message).toContain('(400 tokens)');
  });

  it('fails the run with invalid_prompt when a model without vision would get an image', async () => {
    const picture = testMessage(THREAD, 'user', 'look', {
      content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
    });
    const failure = await failureOf(buildModelRequest(input(testRun(THREAD), [picture])));
    expect(failure.outcome).toEqual({ status: 'failed', code: 'invalid_prompt' });
    const seeing = await buildModelRequest(
      input(testRun(THREAD), [picture], { capabilities: { vision: true, contextWindow: 4000 } }),
    );
    expect(texts(seeing.request.messages)).toEqual(['image']);
  });

  it('keeps the run’s own turns after the history and leaves its messages out of the history', async () => {
    const run = testRun(THREAD);
    const { answer, steps } = runTurns(run, 'found it');
    const built = await buildModelRequest(
      input(run, [testMessage(THREAD, 'user', 'question'), answer], { steps }),
    );
    expect(texts(built.request.messages)).toEqual([
      'question',
      'the run said this',
      'call call_1',
      'result found it',
    ]);
  });

  it('cuts the largest tool outputs before dropping the newest message', async () => {
    const run = testRun(THREAD);
    const { steps } = runTurns(run, words(500, 'data'));
    const built = await buildModelRequest(
      input(run, [testMessage(THREAD, 'user', 'question')], { steps }),
    );
    const request = texts(built.request.messages);
    expect(request[0]).toBe('question');
    expect(request.at(-1)).toContain('were cut here to fit');
    expect(built.estimatedPromptTokens).toBeLessThanOrEqual(300);
  });

  it('gives pending tool outputs the room the next turn leaves: budget less everything it carries', () => {
    const run = testRun(THREAD, { instructions: words(10) });
    const pending: StepTranscript = {
      calls: [
        { id: 'call_1', name: 'lookup', arguments: '{}', output: null },
        { id: 'call_2', name: 'lookup', arguments: '{}', output: words(6) },
      ],
    };
    const question = testMessage(THREAD, 'user', words(20));
    const room = toolOutputRoom(input(run, [question]), pending);
    // 300 - instructions (10 + 4) - calls (4 + 2 × (1 + 1)) - answered (4 + 6) - newest (24).
    expect(room).toBe(300 - 14 - 8 - 10 - 24);
    // A budget already spent leaves no room, without throwing.
    const spent = testRun(THREAD, { max_completion_tokens: 10 });
    expect(
      toolOutputRoom(input(spent, [question], { used: { prompt: 0, completion: 10 } }), pending),
    ).toBe(0);
  });
});
