/**
 * The two generations of the official Node client that applications use, driven through their
 * streaming helper (`AssistantStream`) the way apps do: callbacks for events, text and tool-call
 * deltas, then `finalMessages()`, which both versions build from the deltas alone.
 */
import OpenAI from 'openai';
import { AssistantStream } from 'openai/lib/AssistantStream';
import OpenAIv4 from 'openai-v4';
import { AssistantStream as AssistantStreamV4 } from 'openai-v4/lib/AssistantStream';

/** The part of `AssistantStream` both versions share. */
export interface AssistantStreamLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  currentRun(): { id: string } | undefined;
  finalRun(): Promise<{ id: string; status: string; required_action?: any }>;
  finalMessages(): Promise<any[]>;
  /** The events as JSON lines, as an app's API route relays them to its browser code. */
  toReadableStream(): ReadableStream;
}

export interface SdkUnderTest {
  name: string;
  /** `runs.stream`: a run on an existing thread. */
  stream(threadId: string, assistantId: string): AssistantStreamLike;
  /** `runs.submitToolOutputsStream`. */
  submitToolOutputsStream(
    threadId: string,
    runId: string,
    toolOutputs: Array<{ tool_call_id: string; output: string }>,
  ): AssistantStreamLike;
  /** `AssistantStream.fromReadableStream`: the browser side of a relayed stream. */
  fromReadableStream(stream: ReadableStream): AssistantStreamLike;
}

/** The clients under test, by the name a test reports. */
export const SDK_NAMES = ['openai 6.49.0', 'openai 4.104.0'] as const;

export function sdkUnderTest(name: (typeof SDK_NAMES)[number], baseURL: string): SdkUnderTest {
  const sdk = sdksUnderTest(baseURL).find((candidate) => candidate.name === name);
  if (!sdk) throw new Error(`no SDK named ${name}`);
  return sdk;
}

function sdksUnderTest(baseURL: string): SdkUnderTest[] {
  const current = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  const legacy = new OpenAIv4({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  return [
    {
      name: 'openai 6.49.0',
      stream: (threadId, assistantId) =>
        current.beta.threads.runs.stream(threadId, { assistant_id: assistantId }),
      submitToolOutputsStream: (threadId, runId, toolOutputs) =>
        current.beta.threads.runs.submitToolOutputsStream(runId, {
          thread_id: threadId,
          tool_outputs: toolOutputs,
        }),
      fromReadableStream: (stream) => AssistantStream.fromReadableStream(stream),
    },
    {
      name: 'openai 4.104.0',
      stream: (threadId, assistantId) =>
        legacy.beta.threads.runs.stream(threadId, { assistant_id: assistantId }),
      submitToolOutputsStream: (threadId, runId, toolOutputs) =>
        legacy.beta.threads.runs.submitToolOutputsStream(threadId, runId, {
          tool_outputs: toolOutputs,
        }),
      fromReadableStream: (stream) => AssistantStreamV4.fromReadableStream(stream),
    },
  ];
}

/** What an app's handlers saw while a stream ran. */
export interface StreamRecord {
  events: string[];
  /** `textDelta` callbacks: the delta's value and annotations. */
  textDeltas: Array<{ value: string; annotations: any[] }>;
  /** `toolCallDelta` callbacks. */
  toolCallDeltas: any[];
  toolCallsDone: any[];
  messagesDone: any[];
  run: { id: string; status: string; required_action?: any };
  finalMessages: any[];
}

/** Runs `stream` to its end with the callbacks a quickstart app registers. */
export async function record(stream: AssistantStreamLike): Promise<StreamRecord> {
  const seen: Omit<StreamRecord, 'run' | 'finalMessages'> = {
    events: [],
    textDeltas: [],
    toolCallDeltas: [],
    toolCallsDone: [],
    messagesDone: [],
  };
  stream.on('event', (event: { event: string }) => seen.events.push(event.event));
  // Copied as the callback sees them: the helper later merges further deltas into the first one.
  stream.on('textDelta', (delta: { value?: string; annotations?: any[] }) =>
    seen.textDeltas.push({
      value: delta.value ?? '',
      annotations: structuredClone(delta.annotations ?? []),
    }),
  );
  stream.on('toolCallDelta', (delta: any) => seen.toolCallDeltas.push(delta));
  stream.on('toolCallDone', (call: any) => seen.toolCallsDone.push(call));
  stream.on('messageDone', (message: any) => seen.messagesDone.push(message));
  const run = await stream.finalRun();
  return { ...seen, run, finalMessages: await stream.finalMessages() };
}

/** Content as the API stores it: the `index` that deltas carry (on parts and annotations) removed. */
export function withoutDeltaIndexes(content: any[]): any[] {
  return content.map(({ index: _index, ...part }) =>
    part.type === 'text'
      ? {
          ...part,
          text: {
            ...part.text,
            annotations: part.text.annotations.map(({ index: _at, ...rest }: any) => rest),
          },
        }
      : part,
  );
}
