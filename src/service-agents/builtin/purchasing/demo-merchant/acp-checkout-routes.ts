/**
 * The demo merchant's ACP checkout API (version 2025-09-29): `POST /checkout_sessions`, `GET` and
 * `POST /checkout_sessions/:id`, `…/complete`, `…/cancel`, and the PSP's
 * `POST /agentic_commerce/delegate_payment`. Every POST needs an `Idempotency-Key`; bodies are checked
 * against ACP's JSON Schemas; completion charges the delegated token exactly once per session.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCheckout, checkDelegatePayment } from '../acp/acp-schemas.ts';
import type { DemoCatalog } from './demo-catalog.ts';
import type { DemoPsp } from './demo-psp.ts';
import type { IdempotencyCache, StoredAnswer } from './idempotency-cache.ts';
import type { MerchantControls } from './merchant-controls.ts';
import {
  priceSession,
  renderSession,
  type AcpAddress,
  type DemoSession,
} from './checkout-session-view.ts';

export interface AcpCheckoutDependencies {
  merchantId: string;
  catalog: DemoCatalog;
  psp: DemoPsp;
  controls: MerchantControls;
  idempotency: IdempotencyCache;
  /** The merchant's public base URL (for links in sessions and orders). */
  baseUrl(): string;
}

function acpError(
  status: number,
  type: string,
  code: string,
  message: string,
  param?: string,
): StoredAnswer {
  return { status, body: { type, code, message, ...(param ? { param } : {}) } };
}

type Handler = (request: FastifyRequest) => StoredAnswer;

function validated(
  definition:
    | 'CheckoutSessionCreateRequest'
    | 'CheckoutSessionUpdateRequest'
    | 'CheckoutSessionCompleteRequest',
  body: unknown,
): StoredAnswer | undefined {
  const check = checkCheckout(definition, body);
  return check.valid
    ? undefined
    : acpError(
        400,
        'invalid_request',
        'invalid',
        `The request does not match ACP's ${definition}: ${check.problems.join('; ')}`,
      );
}

export function registerAcpCheckoutRoutes(
  server: FastifyInstance,
  dependencies: AcpCheckoutDependencies,
): void {
  const { catalog, psp, controls, idempotency } = dependencies;
  const sessions = new Map<string, DemoSession>();
  const view = (session: DemoSession) => renderSession(session, catalog, dependencies.baseUrl());

  /** Runs a POST under ACP's idempotency rule. */
  function idempotent(scope: string, handler: Handler) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0) {
        const missing = acpError(
          400,
          'invalid_request',
          'idempotency_key_required',
          'The Idempotency-Key header is required.',
        );
        return reply.code(missing.status).send(missing.body);
      }
      const path = `${scope} ${request.url}`;
      const stored = idempotency.lookup(path, key, request.body);
      if (stored === 'conflict') {
        const conflict = acpError(
          409,
          'request_not_idempotent',
          'idempotency_conflict',
          'This Idempotency-Key was used with a different request.',
        );
        return reply.code(conflict.status).send(conflict.body);
      }
      const answer = stored ?? handler(request);
      if (!stored) idempotency.store(path, key, request.body, answer);
      return reply.code(answer.status).send(answer.body);
    };
  }

  function sessionOf(request: FastifyRequest): DemoSession | StoredAnswer {
    const id = (request.params as { id: string }).id;
    return (
      sessions.get(id) ??
      acpError(404, 'invalid_request', 'not_found', `No checkout session ${id}.`)
    );
  }

  server.post(
    '/checkout_sessions',
    idempotent('create', (request) => {
      const body = request.body as {
        items: DemoSession['items'];
        buyer?: Record<string, unknown>;
        fulfillment_address?: AcpAddress;
      };
      const invalid = validated('CheckoutSessionCreateRequest', body);
      if (invalid) return invalid;
      const session: DemoSession = {
        id: `cs_${randomUUID().replaceAll('-', '')}`,
        items: body.items,
        status: 'open',
      };
      if (body.buyer) session.buyer = body.buyer;
      if (body.fulfillment_address) session.fulfillmentAddress = body.fulfillment_address;
      sessions.set(session.id, session);
      return { status: 201, body: view(session) };
    }),
  );

  server.get('/checkout_sessions/:id', async (request, reply) => {
    const session = sessionOf(request);
    if ('status' in session && typeof session.status === 'number')
      return reply.code(session.status).send(session.body);
    return reply.send(view(session as DemoSession));
  });

  server.post(
    '/checkout_sessions/:id',
    idempotent('update', (request) => {
      const session = sessionOf(request);
      if (!('items' in session)) return session;
      const body = request.body as {
        items?: DemoSession['items'];
        buyer?: Record<string, unknown>;
        fulfillment_address?: AcpAddress;
        fulfillment_option_id?: string;
      };
      const invalid = validated('CheckoutSessionUpdateRequest', body);
      if (invalid) return invalid;
      if (session.status !== 'open')
        return acpError(
          405,
          'invalid_request',
          'session_not_open',
          `Checkout session ${session.id} is ${session.status}.`,
        );
      if (body.items) session.items = body.items;
      if (body.buyer) session.buyer = body.buyer;
      if (body.fulfillment_address) session.fulfillmentAddress = body.fulfillment_address;
      if (body.fulfillment_option_id) session.fulfillmentOptionId = body.fulfillment_option_id;
      return { status: 200, body: view(session) };
    }),
  );

  server.post(
    '/checkout_sessions/:id/cancel',
    idempotent('cancel', (request) => {
      const session = sessionOf(request);
      if (!('items' in session)) return session;
      if (session.status !== 'open')
        return acpError(
          405,
          'invalid_request',
          'session_not_open',
          `Checkout session ${session.id} is ${session.status}.`,
        );
      session.status = 'canceled';
      return { status: 200, body: view(session) };
    }),
  );

  server.post(
    '/checkout_sessions/:id/complete',
    idempotent('complete', (request) => {
      const session = sessionOf(request);
      if (!('items' in session)) return session;
      // A completed session answers with its order whatever the key: completing twice never charges twice.
      if (session.status === 'completed') return { status: 200, body: view(session) };
      if (session.status === 'canceled')
        return acpError(
          405,
          'invalid_request',
          'session_not_open',
          `Checkout session ${session.id} is canceled.`,
        );
      const body = request.body as {
        payment_data: { token: string };
        buyer?: Record<string, unknown>;
      };
      const invalid = validated('CheckoutSessionCompleteRequest', body);
      if (invalid) return invalid;
      const pricing = priceSession(session, catalog);
      if (pricing.messages.length > 0) return { status: 200, body: view(session) };
      if (controls.failNextComplete === 'before_charge') {
        controls.failNextComplete = null;
        return acpError(
          500,
          'processing_error',
          'internal_error',
          'The merchant failed before charging.',
        );
      }
      const charged = psp.charge({
        token: body.payment_data.token,
        amount: pricing.total,
        currency: 'usd',
        checkoutSessionId: session.id,
        merchantId: dependencies.merchantId,
      });
      if (charged.status === 'declined') {
        const declined = view(session);
        (declined.messages as unknown[]).push({
          type: 'error',
          code: 'payment_declined',
          content_type: 'plain',
          content: charged.message,
        });
        return { status: 200, body: declined };
      }
      for (const item of session.items) catalog.take(item.id, item.quantity);
      if (body.buyer) session.buyer = body.buyer;
      const orderId = `ord_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const completedView = {
        ...view(session),
        status: 'completed',
        order: {
          id: orderId,
          checkout_session_id: session.id,
          permalink_url: `${dependencies.baseUrl()}/orders/${orderId}`,
        },
      };
      session.status = 'completed';
      session.completed = { view: completedView, orderId, chargeId: charged.charge.id };
      if (controls.failNextComplete === 'after_charge') {
        controls.failNextComplete = null;
        return acpError(
          500,
          'processing_error',
          'internal_error',
          'The merchant failed after charging.',
        );
      }
      return { status: 200, body: completedView };
    }),
  );

  server.post(
    '/agentic_commerce/delegate_payment',
    idempotent('delegate', (request) => {
      const check = checkDelegatePayment('DelegatePaymentRequest', request.body);
      if (!check.valid)
        return acpError(
          400,
          'invalid_request',
          'invalid_card',
          `The request does not match ACP's DelegatePaymentRequest: ${check.problems.join('; ')}`,
        );
      return {
        status: 201,
        body: psp.delegate(request.body as Parameters<DemoPsp['delegate']>[0]),
      };
    }),
  );
}
