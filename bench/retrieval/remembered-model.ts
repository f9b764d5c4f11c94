/**
 * An embedding model whose vectors are remembered across the bench's indexes (each store has its own
 * cache), and optionally on disk (`--vector-cache FILE`), so a second run does not embed 10k chunks
 * again. The model is deterministic: a remembered vector is the vector it would compute.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { EmbeddingModel } from '../../src/models/embedding-model.ts';

export interface RememberedModel extends EmbeddingModel {
  /** Writes what was embedded to the file, if one was given. */
  save(): void;
}

export function remembered(model: EmbeddingModel, file?: string): RememberedModel {
  const seen = new Map<string, Float32Array>();
  if (file && existsSync(file))
    for (const [text, base64] of Object.entries(
      JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>,
    )) {
      const bytes = Buffer.from(base64, 'base64');
      seen.set(text, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    }
  return {
    id: model.id,
    ...(model.windows ? { windows: model.windows.bind(model) } : {}),
    ...(model.queryText ? { queryText: model.queryText.bind(model) } : {}),
    async embed(inputs) {
      const missing = [...new Set(inputs.filter((input) => !seen.has(input)))];
      const vectors = missing.length > 0 ? await model.embed(missing) : [];
      missing.forEach((input, index) => seen.set(input, vectors[index]!));
      return inputs.map((input) => seen.get(input)!);
    },
    save() {
      if (!file) return;
      const entries = [...seen].map(([text, vector]) => [
        text,
        Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64'),
      ]);
      writeFileSync(file, JSON.stringify(Object.fromEntries(entries)));
    },
  };
}

/** The same model reading a search query as typed: what the server did before `queryText`. */
export function queryAsTyped(model: EmbeddingModel): EmbeddingModel {
  return {
    id: model.id,
    ...(model.windows ? { windows: model.windows.bind(model) } : {}),
    embed: (inputs, options) => model.embed(inputs, options),
  };
}

/**
 * The same model with only its 128-token windows (no sentence windows): what the server did before
 * sentences were added (and before queries were read by `queryText`). `tokenWindows` is the model's own cut without them.
 */
export function tokenWindowsOnly(
  model: EmbeddingModel,
  tokenWindows: (text: string) => string[],
): EmbeddingModel {
  return {
    id: model.id,
    windows: tokenWindows,
    embed: (inputs, options) => model.embed(inputs, options),
  };
}

/** The same model read as one text per chunk: a long chunk's vector is the mean of its windows. */
export function meanOfWindows(model: EmbeddingModel): EmbeddingModel {
  return { id: model.id, embed: (inputs, options) => model.embed(inputs, options) };
}

export interface SampledModel extends EmbeddingModel {
  /** From now on every text is embedded by the real model (the queries). */
  stopSampling(): void;
}

/**
 * For indexing a large corpus on a slow machine: the first `pool` distinct texts are embedded by the
 * model; every later one gets a pooled vector with noise (unit length, distinct per text). A vector
 * scan is exact, so its cost does not depend on the values; the queries are embedded for real.
 */
export function sampledModel(
  model: EmbeddingModel,
  /** Embeds the queries: not one that remembers, so every database pays for embedding them. */
  queryModel: EmbeddingModel,
  pool: number,
): SampledModel {
  const real: Float32Array[] = [];
  let sampling = true;
  let seed = 1;
  const noise = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647 - 0.5) * 0.1;
  };
  return {
    id: model.id,
    ...(model.windows ? { windows: model.windows.bind(model) } : {}),
    ...(model.queryText ? { queryText: model.queryText.bind(model) } : {}),
    stopSampling: () => (sampling = false),
    async embed(inputs, options) {
      if (!sampling) return queryModel.embed(inputs, options);
      if (real.length < pool) {
        const vectors = await model.embed(inputs, options);
        real.push(...vectors.slice(0, pool - real.length));
        return vectors;
      }
      return inputs.map((_, index) => {
        const vector = real[(index + seed) % real.length]!.map((value) => value + noise());
        const norm = Math.hypot(...vector);
        return vector.map((value) => value / norm);
      });
    },
  };
}
