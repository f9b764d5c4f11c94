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

/** The same model read as one text per chunk: a long chunk's vector is the mean of its windows. */
export function meanOfWindows(model: EmbeddingModel): EmbeddingModel {
  return { id: model.id, embed: (inputs, options) => model.embed(inputs, options) };
}
