/**
 * An OpenAI-compatible `/embeddings` client over plain fetch: inputs in batches, each batch retried
 * with exponential backoff on 408/409/429/5xx and network errors (honouring `retry-after`), and the
 * response checked with a partial schema.
 */
import { z } from 'zod';
import { EmbeddingError, type EmbeddingModel } from '../embedding-model.ts';

export interface OpenAIEmbeddingModelOptions {
  baseURL: string;
  apiKey?: string | undefined;
  model: string;
  /** Inputs per request (OpenAI accepts up to 2048). */
  batchSize?: number;
  /** Retries per batch after the first attempt. */
  maxRetries?: number;
  /** First backoff in milliseconds; doubles per retry. */
  initialBackoffMilliseconds?: number;
  /** Per-request timeout in milliseconds. */
  timeoutMilliseconds?: number;
  headers?: Record<string, string>;
}

const ResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

const RETRYABLE = new Set([408, 409, 429]);

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

function retryAfter(response: Response): number | undefined {
  const milliseconds = Number(response.headers.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

export function createOpenAIEmbeddingModel(options: OpenAIEmbeddingModelOptions): EmbeddingModel {
  const batchSize = options.batchSize ?? 256;
  const maxRetries = options.maxRetries ?? 4;
  const initialBackoff = options.initialBackoffMilliseconds ?? 500;
  const url = `${options.baseURL.replace(/\/+$/, '')}/embeddings`;

  async function embedBatch(inputs: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    let lastProblem = '';
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      let wait = initialBackoff * 2 ** attempt;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
            ...options.headers,
          },
          body: JSON.stringify({ model: options.model, input: inputs, encoding_format: 'float' }),
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMilliseconds ?? 60_000)])
            : AbortSignal.timeout(options.timeoutMilliseconds ?? 60_000),
        });
        if (response.ok) {
          const parsed = ResponseSchema.safeParse(await response.json());
          if (!parsed.success || parsed.data.data.length !== inputs.length) {
            throw new EmbeddingError(
              `The embeddings endpoint ${url} returned an unexpected response for model ${options.model}.`,
            );
          }
          const vectors: Float32Array[] = Array.from({ length: inputs.length });
          for (const item of parsed.data.data)
            vectors[item.index] = Float32Array.from(item.embedding);
          if (vectors.some((vector) => vector === undefined))
            throw new EmbeddingError(`The embeddings endpoint ${url} skipped inputs.`);
          return vectors;
        }
        const detail = (await response.text()).slice(0, 300);
        lastProblem = `HTTP ${response.status}: ${detail}`;
        if (!RETRYABLE.has(response.status) && response.status < 500) {
          throw new EmbeddingError(
            `The embeddings endpoint ${url} refused model ${options.model}: ${lastProblem}`,
          );
        }
        wait = retryAfter(response) ?? wait;
      } catch (error) {
        if (error instanceof EmbeddingError || signal?.aborted) throw error;
        lastProblem = (error as Error).message;
      }
      if (attempt < maxRetries) await sleep(wait, signal);
    }
    throw new EmbeddingError(
      `The embeddings endpoint ${url} kept failing after ${maxRetries + 1} attempts: ${lastProblem}`,
    );
  }

  return {
    id: options.model,
    async embed(inputs, { signal } = {}) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < inputs.length; start += batchSize) {
        vectors.push(...(await embedBatch(inputs.slice(start, start + batchSize), signal)));
      }
      return vectors;
    },
  };
}
