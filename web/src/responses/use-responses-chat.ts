/**
 * The Responses chat's actions: each message is a new response chained to the last by
 * `previous_response_id`, streamed live; answers to its function calls (an `approve_action`
 * decision too) are `function_call_output` items of the next response, which continues the run.
 */
import { useCallback, useState } from 'react';
import type { ToolOutput } from '../actions/required-action-panel.tsx';
import type { ApiClient } from '../api/api-client.ts';
import type { Assistant } from '../api/api-objects.ts';
import { applyResponseEvent, EMPTY_LIVE_RESPONSE, type LiveResponse } from './live-response.ts';
import { responseSettings } from './response-settings.ts';

/** One exchange: what the user sent (a message, or outputs for calls) and the response it made. */
export interface ResponseTurn {
  input: { type: 'message'; text: string } | { type: 'outputs'; outputs: ToolOutput[] };
  live: LiveResponse;
}

export interface ResponsesChat {
  turns: ResponseTurn[];
  streaming: boolean;
  error: string | undefined;
  /** Sends a message; attachments go through Assistants runs only (refused here with an error). */
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
      if (files.length > 0) {
        setError(
          'Attachments are sent in Assistants mode only; remove them to send through Responses.',
        );
        return;
      }
      await follow({ type: 'message', text }, { input: text });
    },
    [follow],
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
