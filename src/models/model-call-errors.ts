/** Provider failures in the run's vocabulary, shared by every model adapter. */
import { ModelCallError } from './language-model.ts';

/** An HTTP error answer: 429 is a rate limit, another 4xx (but 408) a bad prompt, the rest retryable. */
export function httpStatusError(
  status: number | undefined,
  detail: string,
  cause?: unknown,
): ModelCallError {
  const options = { cause };
  const text = detail.slice(0, 500);
  if (status === 429)
    return new ModelCallError(
      `The model provider is rate limiting requests: ${text}`,
      'rate_limit_exceeded',
      true,
      options,
    );
  if (status !== undefined && status >= 400 && status < 500 && status !== 408)
    return new ModelCallError(
      `The model provider rejected the request (${status}): ${text}`,
      'invalid_prompt',
      false,
      options,
    );
  return new ModelCallError(
    `The model provider failed (${status ?? 'no response'}): ${text}`,
    'server_error',
    true,
    options,
  );
}

/** A call that got no usable answer (network, a broken stream): worth another try. */
export function unreachableError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(
    `The model provider could not be reached: ${message}`,
    'server_error',
    true,
    { cause: error },
  );
}
