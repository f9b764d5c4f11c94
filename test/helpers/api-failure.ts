/** The SDK's `APIError` a request failed with; the test fails if the request succeeded instead. */
import { APIError } from 'openai';
import { expect } from 'vitest';

export async function failure(operation: Promise<unknown>): Promise<APIError> {
  const error = await operation.then(
    () => expect.unreachable('the request succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

/** The 404 of an object whose bytes the blob store lost (`what`: `file` or `container file`). */
export function expectContentMissing(error: APIError, id: string, param: string, what = 'file') {
  expect(error.status).toBe(404);
  expect(error.error).toEqual({
    message: `The content of ${what} '${id}' is missing from storage; delete the ${what} and upload it again.`,
    type: 'invalid_request_error',
    param,
    code: 'file_content_missing',
  });
}

/** The ids a list endpoint pages through, sorted. */
export async function sortedIds(items: AsyncIterable<{ id: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of items) ids.push(item.id);
  return ids.sort();
}
