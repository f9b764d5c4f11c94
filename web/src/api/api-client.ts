/**
 * The playground's client of the public API: the same endpoints any OpenAI SDK calls, with the key from
 * the session as a bearer token. Nothing here is private to the playground.
 */
import { ApiError } from './api-error.ts';
import { readServerSentEvents, type StreamEvent } from './server-sent-events.ts';

export interface ApiClient {
  /** The key in use; empty in dev mode when none was given. */
  readonly apiKey: string;
  get<Result>(path: string): Promise<Result>;
  post<Result>(path: string, body?: unknown): Promise<Result>;
  delete<Result>(path: string): Promise<Result>;
  /** Uploads a file (`POST /v1/files`, multipart). */
  upload<Result>(file: File, purpose: string): Promise<Result>;
  /** Downloads bytes (file contents) as a Blob. */
  blob(path: string): Promise<Blob>;
  /** POSTs with `stream: true` and hands every server-sent event to `onEvent` until the stream ends. */
  stream(
    path: string,
    body: Record<string, unknown>,
    onEvent: (event: StreamEvent) => void,
    signal?: AbortSignal,
  ): Promise<void>;
}

async function send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { method, ...init });
  } catch (error) {
    throw new ApiError(`The server could not be reached (${(error as Error).message}).`, 0);
  }
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

export function createApiClient(apiKey: string): ApiClient {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'OpenAI-Beta': 'assistants=v2',
    ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
    ...extra,
  });

  async function json<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const init: RequestInit =
      body === undefined
        ? { headers: headers() }
        : { headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) };
    const response = await send(method, path, init);
    return (await response.json()) as Result;
  }

  return {
    apiKey,
    get: (path) => json('GET', path),
    post: (path, body) => json('POST', path, body ?? {}),
    delete: (path) => json('DELETE', path),
    async upload(file, purpose) {
      const form = new FormData();
      form.append('purpose', purpose);
      form.append('file', file, file.name);
      const response = await send('POST', '/v1/files', { headers: headers(), body: form });
      return response.json();
    },
    async blob(path) {
      return (await send('GET', path, { headers: headers() })).blob();
    },
    async stream(path, body, onEvent, signal) {
      const response = await send('POST', path, {
        headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
        body: JSON.stringify({ ...body, stream: true }),
        ...(signal ? { signal } : {}),
      });
      if (!response.body) throw new ApiError('The server sent no event stream.', response.status);
      await readServerSentEvents(response.body, onEvent);
    },
  };
}
