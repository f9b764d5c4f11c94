/**
 * The body of an embedding worker thread: loads Universal Sentence Encoder lite once (tfjs-core on
 * WASM, about a second and ~300 MB), says it is ready, then embeds one batch of texts per message.
 * tfjs never loads in the server's main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { EmbedRequest, EmbedResponse } from './embed-messages.ts';
import { loadUseLiteEncoder, type UseLiteEncoder } from './use-lite-encoder.ts';

const port = parentPort;
if (!port) throw new Error('embed-worker.ts must run in a worker thread.');

function send(response: EmbedResponse, transfer: ArrayBuffer[] = []): void {
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
  port!.postMessage(response, transfer);
}

let encoder: UseLiteEncoder;
try {
  encoder = await loadUseLiteEncoder();
} catch (error) {
  send({ loadFailure: error instanceof Error ? error.message : String(error) });
  throw error;
}

// One batch at a time: the encoder is single-threaded, and the parent sends the next batch only
// after this one's answer.
port.on('message', (request: EmbedRequest) => {
  encoder.embed(request.texts).then(
    (vectors) =>
      send(
        { id: request.id, vectors },
        vectors.map((vector) => vector.buffer as ArrayBuffer),
      ),
    (error: unknown) =>
      send({ id: request.id, failure: error instanceof Error ? error.message : String(error) }),
  );
});
send({ ready: true });
