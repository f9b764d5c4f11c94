/**
 * A TEST embedding model served over HTTP in OpenAI's `/embeddings` wire format, so the real adapter
 * code runs. It is not a language model: each vector is feature-hashed character trigrams of the
 * lower-cased words (256 dimensions, unit length), so texts that share word fragments ("refund",
 * "refunds", "refunded") land close together. Deterministic. It can be told to fail the next N
 * requests or to hold its answers, and it counts the inputs it embedded and the requests whose
 * caller hung up before the answer.
 */
import { createServer, type Server } from 'node:http';

export const TEST_EMBEDDING_MODEL = 'concierge-test-trigram-256';
const DIMENSIONS = 256;

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 16777619);
  }
  return value >>> 0;
}

/** The test model's vector for `text`. */
export function trigramEmbedding(text: string): number[] {
  const vector = Array.from({ length: DIMENSIONS }, () => 0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index++) {
      const feature = hash(padded.slice(index, index + 3));
      vector[feature % DIMENSIONS]! += feature & 0x100 ? 1 : -1;
    }
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export interface TestEmbeddingServer {
  baseURL: string;
  /** Inputs embedded so far (cache hits never reach the server). */
  embeddedInputs: number;
  requests: number;
  /** Makes the next `count` requests answer `status`. */
  failNext(count: number, status?: number): void;
  /** Delays every answer by `milliseconds` (to catch ingestion mid-way). */
  delay(milliseconds: number): void;
  /** Holds every answer until `release` (to catch a caller mid-way, without timing). */
  hold(): void;
  /** Sends the answers held, and stops holding. */
  release(): void;
  /** Requests whose caller closed the connection before the answer was sent. */
  abandoned: number;
  close(): Promise<void>;
}

export async function startTestEmbeddingServer(): Promise<TestEmbeddingServer> {
  let failures = 0;
  let failureStatus = 503;
  let delayMilliseconds = 0;
  let held: Array<() => void> | undefined;
  const state = { embeddedInputs: 0, requests: 0, abandoned: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    response.once('close', () => {
      if (!response.writableEnded) state.abandoned++;
    });
    request.on('end', () => {
      state.requests++;
      if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      if (failures > 0) {
        failures--;
        response
          .writeHead(failureStatus, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'scripted failure' } }));
        return;
      }
      const { input, model } = JSON.parse(body) as { input: string | string[]; model: string };
      const inputs = Array.isArray(input) ? input : [input];
      state.embeddedInputs += inputs.length;
      const answer = () =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            object: 'list',
            model,
            data: inputs.map((text, index) => ({
              object: 'embedding',
              index,
              embedding: trigramEmbedding(text),
            })),
            usage: { prompt_tokens: 0, total_tokens: 0 },
          }),
        );
      if (held) held.push(answer);
      else if (delayMilliseconds > 0) setTimeout(answer, delayMilliseconds);
      else answer();
    });
  });
  const release = () => {
    const answers = held ?? [];
    held = undefined;
    for (const answer of answers) answer();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get embeddedInputs() {
      return state.embeddedInputs;
    },
    get requests() {
      return state.requests;
    },
    get abandoned() {
      return state.abandoned;
    },
    failNext(count, status = 503) {
      failures = count;
      failureStatus = status;
    },
    delay(milliseconds) {
      delayMilliseconds = milliseconds;
    },
    hold() {
      held ??= [];
    },
    release,
    close() {
      release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
