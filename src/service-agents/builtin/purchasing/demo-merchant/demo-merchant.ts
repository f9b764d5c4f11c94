/**
 * The demo merchant: a small shop that speaks both rails, for trying the purchasing agent with no setup
 * and for testing it for real on loopback. It is its own Fastify server (its own port), because a
 * merchant is a third party: it shares nothing with the Concierge API (no auth, no error envelope, no
 * routes). In the embedded default the server starts one in process and allowlists it; `concierge
 * demo-merchant` runs one on its own.
 *
 * Routes: `GET /catalog/search?q=`, `GET /catalog/products/:id`, ACP checkout (see `acp-checkout-routes.ts`), the PSP's
 * delegate_payment, x402 goods (see `x402-goods-routes.ts`), and `POST /_demo/controls` when test
 * controls are on.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAcpCheckoutRoutes } from './acp-checkout-routes.ts';
import { createDemoCatalog, type DemoCatalog, type DemoProduct } from './demo-catalog.ts';
import { createDemoPsp, type Charge } from './demo-psp.ts';
import { createIdempotencyCache } from './idempotency-cache.ts';
import { defaultControls, type MerchantControls } from './merchant-controls.ts';
import { registerX402GoodsRoutes, type X402Settlement } from './x402-goods-routes.ts';

export const DEMO_MERCHANT_ID = 'demo-merchant';

export interface DemoMerchantOptions {
  id?: string;
  /** How x402 payments settle; undefined (or resolving to undefined) means the merchant sells no x402 goods. */
  settlement?: () => Promise<X402Settlement | undefined>;
  /** Accept `POST /_demo/controls` (price, stock, failures); tests in process use `controls` directly. */
  testControls?: boolean;
}

export interface DemoMerchant {
  readonly id: string;
  readonly server: FastifyInstance;
  readonly catalog: DemoCatalog;
  /** Mutable: what the merchant does wrong next (see `MerchantControls`). */
  readonly controls: MerchantControls;
  /** Every card charge the PSP made, oldest first. */
  readonly charges: readonly Charge[];
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:PORT`). */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  url(): string;
  close(): Promise<void>;
}

function productView(product: DemoProduct) {
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    category: product.category,
    price: { amount: product.price, currency: 'usd' },
    availability: product.stock > 0 ? 'in_stock' : 'out_of_stock',
    purchase:
      product.protocol === 'acp'
        ? { protocol: 'acp', requires_shipping: true }
        : { protocol: 'x402', resource: `/x402/goods/${product.id}` },
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export function createDemoMerchant(options: DemoMerchantOptions = {}): DemoMerchant {
  const id = options.id ?? DEMO_MERCHANT_ID;
  const server = Fastify({ logger: false });
  const catalog = createDemoCatalog();
  const controls = defaultControls();
  const psp = createDemoPsp(controls);
  let baseUrl = '';

  server.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_demo/')) return;
    if (controls.delayMilliseconds > 0) await sleep(controls.delayMilliseconds);
    if (controls.down)
      return reply.code(503).send({
        type: 'service_unavailable',
        code: 'down',
        message: 'The merchant is down for maintenance.',
      });
  });

  server.get('/catalog/search', (request, reply) => {
    const query = request.query as { q?: string; limit?: string };
    const limit = Math.min(Math.max(Number(query.limit) || 10, 1), 25);
    reply.send({ merchant: id, products: catalog.search(query.q ?? '', limit).map(productView) });
  });
  server.get('/catalog/products/:productId', (request, reply) => {
    const product = catalog.find((request.params as { productId: string }).productId);
    if (!product) reply.code(404).send({ error: 'No such product.' });
    else reply.send(productView(product));
  });
  server.get('/terms', (_request, reply) => {
    reply.send({ merchant: id, terms: 'Demo merchant: test goods, test money. Nothing ships.' });
  });

  registerAcpCheckoutRoutes(server, {
    merchantId: id,
    catalog,
    psp,
    controls,
    idempotency: createIdempotencyCache(),
    baseUrl: () => baseUrl,
  });
  registerX402GoodsRoutes(server, {
    catalog,
    settlement: options.settlement ?? (async () => undefined),
    baseUrl: () => baseUrl,
  });

  if (options.testControls) {
    server.post('/_demo/controls', (request, reply) => {
      const body = (request.body ?? {}) as Partial<MerchantControls> & {
        prices?: Record<string, number>;
        stock?: Record<string, number>;
      };
      for (const [productId, price] of Object.entries(body.prices ?? {}))
        catalog.setPrice(productId, price);
      for (const [productId, stock] of Object.entries(body.stock ?? {}))
        catalog.setStock(productId, stock);
      if (typeof body.delayMilliseconds === 'number')
        controls.delayMilliseconds = body.delayMilliseconds;
      if (typeof body.down === 'boolean') controls.down = body.down;
      if (body.failNextComplete !== undefined) controls.failNextComplete = body.failNextComplete;
      if (typeof body.declineNextCharge === 'boolean')
        controls.declineNextCharge = body.declineNextCharge;
      reply.send({ controls, charges: psp.charges.length });
    });
  }

  return {
    id,
    server,
    catalog,
    controls,
    charges: psp.charges,
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      await server.listen({ host, port });
      const address = server.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
      return baseUrl;
    },
    url: () => baseUrl,
    async close() {
      server.server.closeAllConnections();
      await server.close();
    },
  };
}
