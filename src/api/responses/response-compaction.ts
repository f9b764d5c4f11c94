/**
 * `POST /v1/responses/compact`: a long history made short. The model reads the history (the
 * `previous_response_id` chain, then the input) and writes a summary of it; the answer keeps the
 * user's messages as they were and adds one `compaction` item that carries the summary (see
 * `compaction-content.ts`). A client sends that output back as the input of its next response, whose
 * model reads the summary in place of the turns it replaces. Nothing is stored but the call's usage:
 * like a run's model call, it is refused (429) when the caller's tokens per day are spent, and its
 * tokens go to the usage records and the day's counters of the project and key.
 */
import { nowSeconds } from '../../domain/clock.ts';
import {
  ApiError,
  InvalidRequestError,
  RateLimitError,
  UnavailableError,
} from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { ResponseUsage } from '../../domain/response.ts';
import type { InputItem } from '../../domain/response-item.ts';
import {
  loadTokenCounter,
  recordModelCall,
  requestTokens,
  type RunLimits,
  type TokenCounter,
} from '../../engine/runs-engine.ts';
import {
  ModelCallError,
  type ModelRequest,
  type ModelResolver,
} from '../../models/language-model.ts';
import type { Store } from '../../storage/store.ts';
import { encodeCompaction } from './compaction-content.ts';
import { readRequestHistory, resolveInput } from './request-history.ts';
import { requestPrompt } from './request-prompt.ts';
import { checkInputFiles } from './response-files.ts';
import { checkCompactions } from './compaction-content.ts';
import type { ResponseLoaders } from './response-history.ts';
import type { CompactParams } from './responses.schemas.ts';

/** What the model is asked, after the history it compacts. */
export const COMPACTION_PROMPT = [
  'You are performing a context checkpoint compaction. Write a summary of the conversation above',
  'that lets you continue it without the turns it replaces: the goal, the decisions made and why,',
  'facts and results from tool calls that are still needed, what was done, and what is still to',
  "do. Keep names, numbers, identifiers and the user's constraints exactly. Write only the summary.",
].join(' ');

export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  created_at: number;
  output: InputItem[];
  usage: ResponseUsage;
}

export interface CompactionService {
  compact(
    projectId: string,
    params: CompactParams,
    signal: AbortSignal,
    apiKeyId?: string | null,
  ): Promise<CompactedResponse>;
}

function requestError(error: ModelCallError): ApiError {
  const message = `The model could not compact this conversation: ${error.message}`;
  if (error.code === 'invalid_prompt') return new InvalidRequestError(message, 'input');
  if (error.code === 'rate_limit_exceeded') return new RateLimitError(message);
  return new UnavailableError(message);
}

export function createCompactionService(
  store: Store,
  models: ModelResolver,
  loaders: ResponseLoaders,
  limits?: RunLimits,
): CompactionService {
  let counter: Promise<TokenCounter> | undefined;

  async function summarize(request: ModelRequest, signal: AbortSignal) {
    const { model } = models.resolve(request.model);
    let summary = '';
    let usage: { inputTokens: number | undefined; outputTokens: number | undefined } = {
      inputTokens: undefined,
      outputTokens: undefined,
    };
    try {
      for await (const part of model.stream(request, signal)) {
        if (part.type === 'text-delta') summary += part.delta;
        else if (part.type === 'finish') usage = part.usage;
      }
    } catch (error) {
      if (error instanceof ModelCallError) throw requestError(error);
      throw error;
    }
    return { summary, usage };
  }

  return {
    async compact(projectId, params, signal, apiKeyId = null) {
      const history = await readRequestHistory(store, projectId, params);
      const input = await resolveInput(history, params.input ?? []);
      const items = [...history, ...input];
      if (items.length === 0)
        throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
      checkCompactions(input);
      await checkInputFiles(projectId, input, loaders.file);
      const prompt = await requestPrompt(projectId, params, items, loaders);
      const { modelId } = models.resolve(params.model);
      const request: ModelRequest = {
        model: modelId,
        system: prompt.system,
        messages: [
          ...prompt.messages,
          { role: 'user', content: [{ type: 'text', text: COMPACTION_PROMPT }] },
        ],
        tools: [],
        toolChoice: 'none',
        parallelToolCalls: false,
      };
      await limits?.admitTokens(store, projectId, apiKeyId);
      const { summary, usage } = await summarize(request, signal);
      counter ??= loadTokenCounter();
      const inputTokens = usage.inputTokens ?? requestTokens(await counter, request);
      const outputTokens = usage.outputTokens ?? (await counter).count(summary);
      // Counted before the summary is judged: the model was called either way.
      await recordModelCall(store, limits, {
        projectId,
        apiKeyId,
        model: params.model,
        endedAt: nowSeconds(),
        inputTokens,
        outputTokens,
        modelRequests: 1,
      });
      if (!summary.trim())
        throw new UnavailableError('The model wrote no summary; try again or use another model.');
      const kept = items.filter(
        (item): item is InputItem => item.type === 'message' && item.role === 'user',
      );
      return {
        id: newId('response'),
        object: 'response.compaction',
        created_at: nowSeconds(),
        output: [
          ...kept,
          {
            type: 'compaction',
            id: newId('compaction'),
            encrypted_content: encodeCompaction(summary),
          },
        ],
        usage: {
          input_tokens: inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inputTokens + outputTokens,
        },
      };
    },
  };
}
