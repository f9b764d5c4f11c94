/**
 * A tiny chat model in GGUF, made by the test suite: the llama architecture with real tensor shapes
 * (2 layers, 64 dimensions, 4 heads), seeded random weights, a SentencePiece-style vocabulary of
 * about 400 tokens and a ChatML chat template. It answers nonsense, fast: tests use it for the real
 * loading path, streaming, aborts and grammar-constrained output, never for what it says.
 *
 * Greedy decoding never picks a control token or an unprintable byte (their output rows are zero,
 * every printable token's row is large), so an unconstrained answer runs to its token limit.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.ts';

/** Bump when the model changes, so a cached file from an older definition is not reused. */
const VERSION = 2;

const DIMENSIONS = 64;
const LAYERS = 2;
const HEADS = 4;
const FEED_FORWARD = 128;
/** The context length the model says it was trained with. */
export const TINY_GGUF_CONTEXT = 4096;

export const TINY_GGUF_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Token types of llama.cpp's vocabulary. */
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

const BIGRAMS = [
  '▁t',
  '▁a',
  '▁s',
  '▁w',
  '▁i',
  '▁o',
  'th',
  'he',
  'in',
  'er',
  'an',
  're',
  'on',
  'at',
  'en',
  'nd',
  'ti',
  'es',
  'or',
  'te',
  'of',
  'ed',
  'is',
  'it',
  'al',
  'ar',
  'st',
  'to',
  'nt',
  'ng',
  'se',
  'ha',
];

function vocabulary(): {
  tokens: string[];
  scores: number[];
  types: number[];
  printable: boolean[];
} {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const printable: boolean[] = [];
  const add = (token: string, score: number, type: number, canPrint: boolean) => {
    tokens.push(token);
    scores.push(score);
    types.push(type);
    printable.push(canPrint);
  };
  add('<unk>', 0, UNKNOWN, false);
  add('<s>', 0, CONTROL, false);
  add('</s>', 0, CONTROL, false);
  add('<|im_start|>', 0, CONTROL, false);
  add('<|im_end|>', 0, CONTROL, false);
  for (let byte = 0; byte < 256; byte++)
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, 0, BYTE, false);
  add('▁', -1, NORMAL, true);
  for (let code = 0x21; code <= 0x7e; code++)
    add(String.fromCharCode(code), -2 - (code - 0x21) / 100, NORMAL, true);
  BIGRAMS.forEach((bigram, index) => add(bigram, -0.5 - index / 100, NORMAL, true));
  return { tokens, scores, types, printable };
}

/** mulberry32: a small seeded generator, so every run builds the same weights. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

function tensors(vocabularySize: number, printable: boolean[]): GgufTensor[] {
  const random = seededRandom(20);
  // Approximately normal: the sum of four uniforms, centred, scaled to a standard deviation of 1.
  const normal = () => (random() + random() + random() + random() - 2) * Math.sqrt(3);
  const matrix = (name: string, shape: number[], deviation: number): GgufTensor => {
    const data = new Float32Array(shape[0]! * shape[1]!);
    for (let index = 0; index < data.length; index++) data[index] = normal() * deviation;
    return { name, shape, data };
  };
  const ones = (name: string): GgufTensor => ({
    name,
    shape: [DIMENSIONS],
    data: new Float32Array(DIMENSIONS).fill(1),
  });
  const output = matrix('output.weight', [DIMENSIONS, vocabularySize], 1);
  for (let token = 0; token < vocabularySize; token++)
    if (!printable[token]) output.data.fill(0, token * DIMENSIONS, (token + 1) * DIMENSIONS);
  const list: GgufTensor[] = [
    matrix('token_embd.weight', [DIMENSIONS, vocabularySize], 1),
    ones('output_norm.weight'),
    output,
  ];
  const attention = 1 / Math.sqrt(DIMENSIONS);
  for (let layer = 0; layer < LAYERS; layer++) {
    const prefix = `blk.${layer}`;
    list.push(
      ones(`${prefix}.attn_norm.weight`),
      matrix(`${prefix}.attn_q.weight`, [DIMENSIONS, DIMENSIONS], attention),
      matrix(`${prefix}.attn_k.weight`, [DIMENSIONS, DIMENSIONS], attention),
      matrix(`${prefix}.attn_v.weight`, [DIMENSIONS, DIMENSIONS], attention),
      matrix(`${prefix}.attn_output.weight`, [DIMENSIONS, DIMENSIONS], attention),
      ones(`${prefix}.ffn_norm.weight`),
      matrix(`${prefix}.ffn_gate.weight`, [DIMENSIONS, FEED_FORWARD], attention),
      matrix(`${prefix}.ffn_up.weight`, [DIMENSIONS, FEED_FORWARD], attention),
      matrix(`${prefix}.ffn_down.weight`, [FEED_FORWARD, DIMENSIONS], 1 / Math.sqrt(FEED_FORWARD)),
    );
  }
  return list;
}

/** The bytes of the tiny model, with its ChatML template or the chat template given. */
export function tinyGgufBytes(chatTemplate: string = TINY_GGUF_CHAT_TEMPLATE): Buffer {
  const { tokens, scores, types, printable } = vocabulary();
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'concierge-tiny-test' },
    'general.alignment': { type: 'uint32', value: 32 },
    'llama.context_length': { type: 'uint32', value: TINY_GGUF_CONTEXT },
    'llama.embedding_length': { type: 'uint32', value: DIMENSIONS },
    'llama.block_count': { type: 'uint32', value: LAYERS },
    'llama.feed_forward_length': { type: 'uint32', value: FEED_FORWARD },
    'llama.attention.head_count': { type: 'uint32', value: HEADS },
    'llama.attention.head_count_kv': { type: 'uint32', value: HEADS },
    'llama.rope.dimension_count': { type: 'uint32', value: DIMENSIONS / HEADS },
    'llama.rope.freq_base': { type: 'float32', value: 10000 },
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
    'llama.vocab_size': { type: 'uint32', value: tokens.length },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'array-string', value: tokens },
    'tokenizer.ggml.scores': { type: 'array-float32', value: scores },
    'tokenizer.ggml.token_type': { type: 'array-int32', value: types },
    'tokenizer.ggml.unknown_token_id': { type: 'uint32', value: 0 },
    'tokenizer.ggml.bos_token_id': { type: 'uint32', value: 1 },
    'tokenizer.ggml.eos_token_id': { type: 'uint32', value: 4 },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: false },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    // No space before the first word of each piece of text: the prompt reads back as written.
    'tokenizer.ggml.add_space_prefix': { type: 'bool', value: false },
    'tokenizer.chat_template': { type: 'string', value: chatTemplate },
  };
  return encodeGguf(metadata, tensors(tokens.length, printable));
}

/**
 * The path of the tiny model, written once per machine and version into the temporary directory
 * (atomically, so parallel test files share one copy).
 */
export function tinyGgufPath(): string {
  const directory = join(tmpdir(), 'concierge-test-models');
  const path = join(directory, `tiny-llama-v${VERSION}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(directory, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, tinyGgufBytes());
  renameSync(partial, path);
  return path;
}
