/**
 * `POST /v1/embeddings` served by the server's own embedder (the built-in `local:use-lite` unless
 * configured otherwise), through the same cache file search uses. Only that model is served: another
 * name gets a 400 naming the one there is, since its vectors would not be what the caller expects.
 * The tokens embedded count toward the caller's tokens per day (refused with a 429 once spent, like
 * a run or a compaction), whether the embedder is the built-in one or a provider's, but leave no
 * usage record: those rows are the completions usage (`/v1/organization/usage/completions`), which
 * OpenAI keeps apart from embeddings (an endpoint of their own that this server does not serve).
 * OpenAI's token limits apply (per input and per request), counted before anything is embedded: the
 * built-in embedder reads a long text window by window, so a 100 KB input would hold its worker
 * thread, and every file_search query waiting for it, for minutes.
 */
import { InvalidRequestError, UnavailableError } from '../../domain/errors.ts';
import { loadTokenCounter, type RunLimits } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import { EmbeddingError } from '../../models/embedding-model.ts';
import {
  MAX_INPUT_TOKENS,
  MAX_REQUEST_TOKENS,
  type CreateEmbeddingResponse,
  type EmbeddingCreateParams,
} from './embeddings.schemas.ts';

/** The server's embedder as this endpoint needs it (file search's cached embedder fits). */
export interface Embedder {
  readonly model: string;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

export interface EmbeddingsService {
  create(
    params: EmbeddingCreateParams,
    caller?: { projectId: string; apiKeyId: string | null },
    signal?: AbortSignal,
  ): Promise<CreateEmbeddingResponse>;
}

/** Where the tokens embedded are counted: the day's counters of the caller's project and key. */
export interface EmbeddingsMeter {
  store: Store;
  limits: RunLimits;
}

function texts(input: EmbeddingCreateParams['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'string')) return input as string[];
  throw new InvalidRequestError(
    'Token arrays are not supported by this server: send the text itself (a string or an array of strings).',
    'input',
  );
}

/** The tokens of each input; refuses an input or a request over OpenAI's limits. */
async function countTokens(inputs: string[], single: boolean): Promise<number> {
  // The o200k encoding (tens of MiB) loads with the first request that counts, not at start-up.
  const counter = await loadTokenCounter();
  let total = 0;
  for (const [index, text] of inputs.entries()) {
    const tokens = counter.count(text);
    if (tokens > MAX_INPUT_TOKENS)
      throw new InvalidRequestError(
        `'$.input${single ? '' : `[${index}]`}' is too long: ${tokens} tokens, the most an input may have is ${MAX_INPUT_TOKENS}.`,
        'input',
        'context_length_exceeded',
      );
    total += tokens;
  }
  if (total > MAX_REQUEST_TOKENS)
    throw new InvalidRequestError(
      `Requested ${total} tokens, max ${MAX_REQUEST_TOKENS} tokens per request.`,
      'input',
      'max_tokens_per_request',
    );
  return total;
}

function base64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function createEmbeddingsService(
  embedder: Embedder | undefined,
  meter?: EmbeddingsMeter,
): EmbeddingsService {
  return {
    async create(params, caller, signal) {
      if (!embedder)
        throw new InvalidRequestError(
          'Embeddings are turned off on this server (CONCIERGE_EMBEDDING_MODEL=none).',
          'model',
          'model_not_found',
        );
      if (params.model !== embedder.model)
        throw new InvalidRequestError(
          `The model '${params.model}' is not served here; this server embeds with '${embedder.model}'.`,
          'model',
          'model_not_found',
        );
      const inputs = texts(params.input);
      const empty = inputs.findIndex((text) => text === '');
      if (empty >= 0)
        throw new InvalidRequestError(
          `'$.input${typeof params.input === 'string' ? '' : `[${empty}]`}' is invalid: an input cannot be an empty string.`,
          'input',
        );
      const tokens = await countTokens(inputs, typeof params.input === 'string');
      if (meter && caller)
        await meter.limits.admitTokens(meter.store, caller.projectId, caller.apiKeyId);
      let vectors: Float32Array[];
      try {
        vectors = await embedder.embed(inputs, signal ? { signal } : {});
      } catch (error) {
        if (error instanceof EmbeddingError) throw new UnavailableError(error.message);
        throw error;
      }
      if (params.dimensions !== undefined && params.dimensions !== vectors[0]!.length)
        throw new InvalidRequestError(
          `'${embedder.model}' makes ${vectors[0]!.length}-dimension embeddings; 'dimensions' cannot be ${params.dimensions}.`,
          'dimensions',
        );
      if (meter && caller)
        await meter.store.transaction((transaction) =>
          meter.limits.recordTokens(transaction, caller.projectId, caller.apiKeyId, tokens),
        );
      return {
        object: 'list',
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: params.encoding_format === 'base64' ? base64(vector) : Array.from(vector),
        })),
        model: embedder.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  };
}
