/**
 * The one way the purchasing agent speaks HTTP to a merchant: only under the merchant's allowlisted
 * base URL, with a timeout, JSON in and out, and the merchant's bearer key when it has one. A merchant
 * that does not answer in time or at all is `MerchantUnavailableError`; any answer is returned as is.
 */
import type { Merchant } from './merchant-directory.ts';

export class MerchantUnavailableError extends Error {
  override name = 'MerchantUnavailableError';
}

export interface MerchantResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface MerchantRequest {
  method: 'GET' | 'POST';
  /** Absolute URL; must lie under the merchant's `baseUrl` or `pspUrl`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMilliseconds: number;
  signal: AbortSignal;
}

function isUnder(url: string, root: string): boolean {
  return url === root || url.startsWith(`${root}/`) || url.startsWith(`${root}?`);
}

export async function merchantRequest(
  merchant: Merchant,
  request: MerchantRequest,
): Promise<MerchantResponse> {
  if (!isUnder(request.url, merchant.baseUrl) && !isUnder(request.url, merchant.pspUrl)) {
    throw new Error(
      `Refusing ${request.url}: it is not under merchant ${merchant.id}'s allowlisted URLs.`,
    );
  }
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (merchant.apiKey) headers.authorization = `Bearer ${merchant.apiKey.reveal()}`;
  const signal = AbortSignal.any([
    request.signal,
    AbortSignal.timeout(request.timeoutMilliseconds),
  ]);
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    if (request.signal.aborted) throw error;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `did not answer within ${request.timeoutMilliseconds} ms`
        : 'could not be reached';
    throw new MerchantUnavailableError(`Merchant ${merchant.id} ${reason}.`, { cause: error });
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}
