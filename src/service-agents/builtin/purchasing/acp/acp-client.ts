/**
 * A small ACP client (API version 2025-09-29): checkout sessions and the PSP's delegated payment. Every
 * POST carries an `Idempotency-Key` (the caller's, so a retry is the same request); every request body
 * is checked against ACP's schema before it leaves, and every answer before it is believed.
 */
import { randomUUID } from 'node:crypto';
import type { Merchant } from '../merchant-directory.ts';
import { merchantRequest } from '../merchant-http.ts';
import {
  ACP_API_VERSION,
  checkCheckout,
  checkCheckoutSession,
  checkDelegatePayment,
} from './acp-schemas.ts';

/** The fields of ACP's `CheckoutSession` the client reads. */
export interface CheckoutSession {
  id: string;
  status: 'not_ready_for_payment' | 'ready_for_payment' | 'completed' | 'canceled' | 'in_progress';
  currency: string;
  line_items: Array<{
    id: string;
    item: { id: string; quantity: number };
    base_amount: number;
    subtotal: number;
    tax: number;
    total: number;
  }>;
  fulfillment_options: Array<{ id: string; type: string; title: string; total: number }>;
  fulfillment_option_id?: string;
  totals: Array<{ type: string; display_text: string; amount: number }>;
  messages: Array<{ type: 'info' | 'error'; code?: string; content: string; param?: string }>;
  order?: { id: string; checkout_session_id: string; permalink_url: string };
}

export type AcpAnswer<T> =
  | { ok: true; value: T }
  /** The merchant answered with an error (`status` ≥ 400) or with a body that is not ACP. */
  | { ok: false; status: number; message: string };

export class AcpProtocolError extends Error {
  override name = 'AcpProtocolError';
}

export interface AcpClientOptions {
  timeoutMilliseconds: number;
}

function errorMessage(status: number, body: unknown): string {
  const error = body as { message?: unknown; code?: unknown } | undefined;
  return typeof error?.message === 'string'
    ? `${error.message}${typeof error.code === 'string' ? ` (${error.code})` : ''}`
    : `HTTP ${status}`;
}

function sessionCheck(body: unknown) {
  return checkCheckoutSession(body, { orderRequired: false });
}

export function createAcpClient(merchant: Merchant, options: AcpClientOptions) {
  async function call<T>(
    method: 'GET' | 'POST',
    url: string,
    request: {
      body?: unknown;
      idempotencyKey?: string;
      requestCheck?: () => { valid: boolean; problems: string[] };
      responseCheck: (body: unknown) => { valid: boolean; problems: string[] };
    },
    signal: AbortSignal,
  ): Promise<AcpAnswer<T>> {
    const outgoing = request.requestCheck?.();
    if (outgoing && !outgoing.valid)
      throw new AcpProtocolError(
        `Refusing to send a request ACP's schema rejects: ${outgoing.problems.join('; ')}`,
      );
    const headers: Record<string, string> = {
      'API-Version': ACP_API_VERSION,
      'Request-Id': randomUUID(),
    };
    if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
    const response = await merchantRequest(merchant, {
      method,
      url,
      headers,
      body: request.body,
      timeoutMilliseconds: options.timeoutMilliseconds,
      signal,
    });
    if (response.status >= 400)
      return {
        ok: false,
        status: response.status,
        message: errorMessage(response.status, response.body),
      };
    const check = request.responseCheck(response.body);
    if (!check.valid)
      return {
        ok: false,
        status: response.status,
        message: `${merchant.id} answered with something that is not ACP: ${check.problems.join('; ')}`,
      };
    return { ok: true, value: response.body as T };
  }

  const sessions = `${merchant.baseUrl}/checkout_sessions`;

  return {
    create: (body: Record<string, unknown>, idempotencyKey: string, signal: AbortSignal) =>
      call<CheckoutSession>(
        'POST',
        sessions,
        {
          body,
          idempotencyKey,
          requestCheck: () => checkCheckout('CheckoutSessionCreateRequest', body),
          responseCheck: sessionCheck,
        },
        signal,
      ),
    update: (
      id: string,
      body: Record<string, unknown>,
      idempotencyKey: string,
      signal: AbortSignal,
    ) =>
      call<CheckoutSession>(
        'POST',
        `${sessions}/${encodeURIComponent(id)}`,
        {
          body,
          idempotencyKey,
          requestCheck: () => checkCheckout('CheckoutSessionUpdateRequest', body),
          responseCheck: sessionCheck,
        },
        signal,
      ),
    retrieve: (id: string, signal: AbortSignal) =>
      call<CheckoutSession>(
        'GET',
        `${sessions}/${encodeURIComponent(id)}`,
        { responseCheck: sessionCheck },
        signal,
      ),
    complete: (
      id: string,
      body: Record<string, unknown>,
      idempotencyKey: string,
      signal: AbortSignal,
    ) =>
      call<CheckoutSession>(
        'POST',
        `${sessions}/${encodeURIComponent(id)}/complete`,
        {
          body,
          idempotencyKey,
          requestCheck: () => checkCheckout('CheckoutSessionCompleteRequest', body),
          responseCheck: sessionCheck,
        },
        signal,
      ),
    delegatePayment: (body: Record<string, unknown>, idempotencyKey: string, signal: AbortSignal) =>
      call<{ id: string; created: string; metadata: Record<string, string> }>(
        'POST',
        `${merchant.pspUrl}/agentic_commerce/delegate_payment`,
        {
          body,
          idempotencyKey,
          requestCheck: () => checkDelegatePayment('DelegatePaymentRequest', body),
          responseCheck: (value) => checkDelegatePayment('DelegatePaymentResponse', value),
        },
        signal,
      ),
  };
}

export type AcpClient = ReturnType<typeof createAcpClient>;
