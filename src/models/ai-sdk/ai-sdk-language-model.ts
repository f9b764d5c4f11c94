/**
 * The model port over an AI SDK `LanguageModelV3`: we call `doStream` ourselves (one step; the run
 * engine decides what happens after tool calls) and map its parts and errors to ours.
 */
import { APICallError, type LanguageModelV3 } from '@ai-sdk/provider';
import {
  ModelCallError,
  type LanguageModel,
  type ModelFinishReason,
  type ModelRequest,
  type ModelStreamPart,
} from '../language-model.ts';
import { httpStatusError, unreachableError } from '../model-call-errors.ts';
import { toCallOptions } from './to-call-options.ts';

/** Maps a provider failure to a run error code, and says whether a retry may help. */
export function toModelCallError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (APICallError.isInstance(error))
    return httpStatusError(error.statusCode, error.responseBody ?? error.message, error);
  return unreachableError(error);
}

function finishReason(unified: string): ModelFinishReason {
  return (
    (['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other'] as const).find(
      (reason) => reason === unified,
    ) ?? 'other'
  );
}

export class AiSdkLanguageModel implements LanguageModel {
  constructor(
    private readonly model: LanguageModelV3,
    private readonly providerOptionsName: string,
  ) {}

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart> {
    let result;
    try {
      result = await this.model.doStream(toCallOptions(request, this.providerOptionsName, signal));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw toModelCallError(error);
    }
    const reader = result.stream.getReader();
    const started = new Set<string>();
    try {
      for (;;) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          throw toModelCallError(error);
        }
        if (next.done) return;
        const part = next.value;
        switch (part.type) {
          case 'text-delta':
            if (part.delta !== '') yield { type: 'text-delta', delta: part.delta };
            break;
          case 'reasoning-delta': {
            if (part.delta !== '') yield { type: 'reasoning-delta', delta: part.delta };
            // Anthropic signs a thinking block with an empty delta after its text.
            const signature = part.providerMetadata?.['anthropic']?.['signature'];
            if (typeof signature === 'string' && signature !== '')
              yield { type: 'reasoning-signature', signature };
            break;
          }
          case 'tool-input-start':
            started.add(part.id);
            yield { type: 'tool-call-start', toolCallId: part.id, toolName: part.toolName };
            break;
          case 'tool-input-delta':
            if (part.delta !== '')
              yield { type: 'tool-call-delta', toolCallId: part.id, argumentsDelta: part.delta };
            break;
          case 'tool-call':
            // Some providers send a whole call with no input deltas first.
            if (!started.has(part.toolCallId)) {
              yield {
                type: 'tool-call-start',
                toolCallId: part.toolCallId,
                toolName: part.toolName,
              };
              if (part.input !== '')
                yield {
                  type: 'tool-call-delta',
                  toolCallId: part.toolCallId,
                  argumentsDelta: part.input,
                };
            }
            yield {
              type: 'tool-call-end',
              toolCallId: part.toolCallId,
              toolName: part.toolName,
              arguments: part.input,
            };
            break;
          case 'finish':
            yield {
              type: 'finish',
              finishReason: finishReason(part.finishReason.unified),
              usage: {
                inputTokens: part.usage.inputTokens.total,
                outputTokens: part.usage.outputTokens.total,
                ...(part.usage.outputTokens.reasoning !== undefined
                  ? { reasoningTokens: part.usage.outputTokens.reasoning }
                  : {}),
              },
            };
            break;
          case 'error':
            throw toModelCallError(part.error);
          default:
            break;
        }
      }
    } finally {
      reader.releaseLock();
    }
  }
}
