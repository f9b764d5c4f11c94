/**
 * The Responses chat's actions: each message is a new response chained to the last by
 * `previous_response_id`, streamed live; answers to its function calls (an `approve_action`
 * decision too) are `function_call_output` items of the next response, which continues the run.
 * Attached files are uploaded and sent in the message: an image as `input_image`, any other file as
 * `input_file`, whose text the model reads (as the Assistants chat sends images as image content).
 */
import { useCallback, useState } from 'react';
import type { ToolOutput } from '../actions/required-action-panel.tsx';
import type { ApiClient } from '../api/api-client.ts';
import type { Assistant, FileObject } from '../api/api-objects.ts';
import { applyResponseEvent, EMPTY_LIVE_RESPONSE, type LiveResponse } from './live-response.ts';
import { responseSettings } from './response-settings.ts';

/** One exchange: what the user sent (a message, or outputs for calls) and the response it made. */
export interface ResponseTurn {
  input:
    | { type: 'message'; text: string; files: SentFile[] }
    | { type: 'outputs'; outputs: ToolOutput[] };
  live: LiveResponse;
}

/** A file sent with a message: its uploaded id, its name and whether it went as an image. */
export interface SentFile {
  id: string;
  name: string;
  image: boolean;
}

/** Uploads the attached files and builds the message's content parts. */
async function messageInput(api: ApiClient, text: string, files: File[]) {
  const content: Array<Record<string, unknown>> = text.trim() ? [{ type: 'input_text', text }] : [];
  const sent: SentFile[] = [];
  for (const file of files) {
    const image = file.type.startsWith('image/');
    const uploaded = await api.upload<FileObject>(file, image ? 'vision' : 'user_data');
    sent.push({ id: uploaded.id, name: file.name, image });
    content.push(
      image
        ? { type: 'input_image', file_id: uploaded.id, detail: 'auto' }
        : { type: 'input_file', file_id: uploaded.id, filename: file.name },
    );
  }
  return { input: [{ type: 'message', role: 'user', content }], sent };
}

export interface ResponsesChat {
  turns: ResponseTurn[];
  streaming: boolean;
  error: string | undefined;
  /** Sends a message with its attached files. */
  send(text: string, files: File[]): Promise<void>;
  submitToolOutputs(outputs: ToolOutput[]): Promise<void>;
  /** Starts over: the next message starts a new chain. */
  reset(): void;
}

export function useResponsesChat(api: ApiClient, assistant: Assistant | undefined): ResponsesChat {
  const [turns, setTurns] = useState<ResponseTurn[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string>();
  const previous = turns.at(-1)?.live.response?.id;

  const follow = useCallback(
    async (input: ResponseTurn['input'], body: Record<string, unknown>) => {
      if (!assistant) return;
      setStreaming(true);
      setError(undefined);
      setTurns((current) => [...current, { input, live: EMPTY_LIVE_RESPONSE }]);
      const update = (live: (state: LiveResponse) => LiveResponse) =>
        setTurns((current) =>
          current.map((turn, index) =>
            index === current.length - 1 ? { ...turn, live: live(turn.live) } : turn,
          ),
        );
      try {
        await api.stream(
          '/v1/responses',
          {
            ...responseSettings(assistant),
            ...(previous ? { previous_response_id: previous } : {}),
            ...body,
          },
          (event) => update((state) => applyResponseEvent(state, event)),
        );
      } catch (failure) {
        setError((failure as Error).message);
      } finally {
        setStreaming(false);
      }
    },
    [api, assistant, previous],
  );

  const send = useCallback(
    async (text: string, files: File[]) => {
      if (files.length === 0) {
        await follow({ type: 'message', text, files: [] }, { input: text });
        return;
      }
      let message: Awaited<ReturnType<typeof messageInput>>;
      try {
        message = await messageInput(api, text, files);
      } catch (failure) {
        setError((failure as Error).message);
        return;
      }
      await follow({ type: 'message', text, files: message.sent }, { input: message.input });
    },
    [api, follow],
  );

  const submitToolOutputs = useCallback(
    (outputs: ToolOutput[]) =>
      follow(
        { type: 'outputs', outputs },
        {
          input: outputs.map((output) => ({
            type: 'function_call_output',
            call_id: output.tool_call_id,
            output: output.output,
          })),
        },
      ),
    [follow],
  );

  const reset = useCallback(() => {
    setTurns([]);
    setError(undefined);
  }, []);

  return { turns, streaming, error, send, submitToolOutputs, reset };
}
