/**
 * The body of a parse worker thread: parses (and optionally chunks) one file per message, so a
 * hostile document spends this thread's memory and time, never the API's event loop. The parent caps
 * its heap (`resourceLimits`) and its wall-clock time, and replaces it when either is exceeded.
 */
import { parentPort } from 'node:worker_threads';
import { chunkText } from './chunk-text.ts';
import type { ParseRequest, ParseResponse, ParseStarted } from './parse-messages.ts';
import { DocumentError } from './parsers/document-error.ts';
import { parseDocument } from './parsers/parse-document.ts';

if (!parentPort) throw new Error('parse-worker.ts must run in a worker thread.');
const port = parentPort;

async function answer(request: ParseRequest): Promise<ParseResponse> {
  try {
    const text = await parseDocument(
      request.bytes,
      request.filename,
      request.contentType,
      request.limits,
      () => {
        const started: ParseStarted = { id: request.id, started: true };
        // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
        port.postMessage(started);
      },
    );
    if (!request.chunking) return { id: request.id, text };
    const { strategy, maxTokens, maxChunks } = request.chunking;
    return { id: request.id, chunks: await chunkText(text, strategy, maxTokens, maxChunks) };
  } catch (error) {
    if (error instanceof DocumentError)
      return { id: request.id, documentError: { code: error.code, message: error.message } };
    return { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (request: ParseRequest) => {
  void answer(request).then((response) => port.postMessage(response));
});
// Loaded: the parent starts a file's clock only now, so start-up never counts against a file.
// oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
port.postMessage({ ready: true });
