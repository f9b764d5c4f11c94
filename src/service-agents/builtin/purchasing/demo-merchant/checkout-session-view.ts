/**
 * How the demo merchant prices a checkout session and renders it as ACP's `CheckoutSession`: live
 * prices and stock (so a price change between quote and payment shows), tax on items, shipping for
 * physical goods, and messages that say what is missing or out of stock.
 */
import { FREE_SHIPPING_FROM, SHIPPING_OPTIONS, TAX_BPS, type DemoCatalog } from './demo-catalog.ts';

export interface SessionItem {
  id: string;
  quantity: number;
}

export interface AcpAddress {
  name: string;
  line_one: string;
  line_two?: string;
  city: string;
  state: string;
  country: string;
  postal_code: string;
}

export interface DemoSession {
  id: string;
  items: SessionItem[];
  fulfillmentAddress?: AcpAddress;
  fulfillmentOptionId?: string;
  buyer?: Record<string, unknown>;
  status: 'open' | 'completed' | 'canceled';
  /** Frozen at completion: what was charged. */
  completed?: { view: Record<string, unknown>; orderId: string; chargeId: string };
}

interface Pricing {
  lines: Array<Record<string, unknown>>;
  itemsTotal: number;
  tax: number;
  shipping: number | undefined;
  total: number;
  messages: Array<Record<string, unknown>>;
}

export function shippingAmount(optionId: string, itemsSubtotal: number): number | undefined {
  const option = SHIPPING_OPTIONS.find((candidate) => candidate.id === optionId);
  if (!option) return undefined;
  return option.id === 'standard' && itemsSubtotal >= FREE_SHIPPING_FROM ? 0 : option.amount;
}

export function priceSession(session: DemoSession, catalog: DemoCatalog): Pricing {
  const messages: Array<Record<string, unknown>> = [];
  const lines = session.items.map((item, index) => {
    const product = catalog.find(item.id);
    const price = product?.price ?? 0;
    if (!product)
      messages.push({
        type: 'error',
        code: 'invalid',
        param: `$.line_items[${index}]`,
        content_type: 'plain',
        content: `No product ${item.id}.`,
      });
    else if (product.stock < item.quantity) {
      messages.push({
        type: 'error',
        code: 'out_of_stock',
        param: `$.line_items[${index}]`,
        content_type: 'plain',
        content: `${product.title}: ${product.stock} in stock, ${item.quantity} asked.`,
      });
    }
    const base = price * item.quantity;
    const tax = Math.round((base * TAX_BPS) / 10_000);
    return {
      id: `li_${item.id}`,
      item: { id: item.id, quantity: item.quantity },
      base_amount: base,
      discount: 0,
      subtotal: base,
      tax,
      total: base + tax,
    };
  });
  const itemsTotal = lines.reduce((sum, line) => sum + line.subtotal, 0);
  const tax = lines.reduce((sum, line) => sum + line.tax, 0);
  const shipping = session.fulfillmentOptionId
    ? shippingAmount(session.fulfillmentOptionId, itemsTotal)
    : undefined;
  if (!session.fulfillmentAddress) {
    messages.push({
      type: 'error',
      code: 'missing',
      param: '$.fulfillment_address',
      content_type: 'plain',
      content: 'A shipping address is needed.',
    });
  } else if (shipping === undefined) {
    messages.push({
      type: 'error',
      code: 'missing',
      param: '$.fulfillment_option_id',
      content_type: 'plain',
      content: 'Choose a shipping option.',
    });
  }
  return { lines, itemsTotal, tax, shipping, total: itemsTotal + tax + (shipping ?? 0), messages };
}

/** The session as ACP's `CheckoutSession` (with `order` once completed). */
export function renderSession(
  session: DemoSession,
  catalog: DemoCatalog,
  merchantUrl: string,
): Record<string, unknown> {
  if (session.completed) return session.completed.view;
  const pricing = priceSession(session, catalog);
  const totals = [
    { type: 'items_base_amount', display_text: 'Items', amount: pricing.itemsTotal },
    { type: 'subtotal', display_text: 'Subtotal', amount: pricing.itemsTotal },
    ...(pricing.shipping === undefined
      ? []
      : [{ type: 'fulfillment', display_text: 'Shipping', amount: pricing.shipping }]),
    { type: 'tax', display_text: 'Tax', amount: pricing.tax },
    { type: 'total', display_text: 'Total', amount: pricing.total },
  ];
  const fulfillmentOptions = SHIPPING_OPTIONS.map((option) => {
    const amount = shippingAmount(option.id, pricing.itemsTotal)!;
    return {
      type: 'shipping',
      id: option.id,
      title: option.title,
      carrier: 'Demo Post',
      subtotal: amount,
      tax: 0,
      total: amount,
    };
  });
  const ready = pricing.messages.length === 0;
  return {
    id: session.id,
    ...(session.buyer ? { buyer: session.buyer } : {}),
    payment_provider: { provider: 'stripe', supported_payment_methods: ['card'] },
    status:
      session.status === 'canceled'
        ? 'canceled'
        : ready
          ? 'ready_for_payment'
          : 'not_ready_for_payment',
    currency: 'usd',
    line_items: pricing.lines,
    ...(session.fulfillmentAddress ? { fulfillment_address: session.fulfillmentAddress } : {}),
    fulfillment_options: fulfillmentOptions,
    ...(session.fulfillmentOptionId ? { fulfillment_option_id: session.fulfillmentOptionId } : {}),
    totals,
    messages: pricing.messages,
    links: [{ type: 'terms_of_use', url: `${merchantUrl}/terms` }],
  };
}
