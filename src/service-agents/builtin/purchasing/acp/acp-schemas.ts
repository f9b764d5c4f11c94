/**
 * ACP's published JSON Schemas (API version 2025-09-29, vendored in `schemas/`), compiled once with ajv.
 * Both sides of the protocol use them: the client checks what it sends and what it reads, the demo
 * merchant checks what it receives. A message that does not match is a protocol error, never guessed at.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** The ACP API version these schemas describe; sent as the `API-Version` header. */
export const ACP_API_VERSION = '2025-09-29';

type CheckoutDefinition =
  | 'CheckoutSessionCreateRequest'
  | 'CheckoutSessionUpdateRequest'
  | 'CheckoutSessionCompleteRequest'
  | 'CheckoutSession'
  | 'Order'
  | 'Error';
type DelegatePaymentDefinition = 'DelegatePaymentRequest' | 'DelegatePaymentResponse' | 'Error';

function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./schemas/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

let ajv: Ajv2020 | undefined;
/** Built on the first check, not at import: it is most of a server start's ajv time otherwise. */
function loadedAjv(): Ajv2020 {
  if (ajv) return ajv;
  const instance = new Ajv2020({ allErrors: true, strict: true });
  addFormats(instance);
  instance.addSchema(loadSchema('schema.agentic_checkout.json'), 'checkout');
  instance.addSchema(loadSchema('schema.delegate_payment.json'), 'delegate_payment');
  return (ajv = instance);
}

const compiled = new Map<string, ValidateFunction>();
function validator(schema: 'checkout' | 'delegate_payment', definition: string): ValidateFunction {
  const key = `${schema}#/$defs/${definition}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = loadedAjv().getSchema(key);
    if (!validate) throw new Error(`ACP schema ${schema} has no definition ${definition}`);
    compiled.set(key, validate);
  }
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`);
}

export interface SchemaCheck {
  valid: boolean;
  /** At most five readable problems, e.g. `/items/0/quantity must be >= 1`. */
  problems: string[];
}

/** Checks `value` against a definition of ACP's checkout schema bundle. */
export function checkCheckout(definition: CheckoutDefinition, value: unknown): SchemaCheck {
  const validate = validator('checkout', definition);
  const valid = validate(value);
  return { valid, problems: valid ? [] : describe(validate.errors) };
}

/**
 * Checks a checkout session that may carry its `order`. The published `CheckoutSessionWithOrder` is
 * `allOf: [CheckoutSessionBase, {order}]`, but `CheckoutSessionBase` has `additionalProperties: false`
 * and no `order`, so no session with an order can satisfy it as written. We check the session without
 * its order against `CheckoutSession` and the order against `Order`, which is what the schema means.
 */
export function checkCheckoutSession(
  value: unknown,
  options: { orderRequired: boolean },
): SchemaCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { valid: false, problems: ['(root) must be object'] };
  const { order, ...session } = value as Record<string, unknown>;
  const sessionCheck = checkCheckout('CheckoutSession', session);
  if (order === undefined)
    return options.orderRequired
      ? {
          valid: false,
          problems: [...sessionCheck.problems, "(root) must have required property 'order'"],
        }
      : sessionCheck;
  const orderCheck = checkCheckout('Order', order);
  return {
    valid: sessionCheck.valid && orderCheck.valid,
    problems: [
      ...sessionCheck.problems,
      ...orderCheck.problems.map(
        (problem) => `/order${problem.startsWith('(root)') ? problem.slice(6) : problem}`,
      ),
    ],
  };
}

/** Checks `value` against a definition of ACP's delegate-payment schema bundle. */
export function checkDelegatePayment(
  definition: DelegatePaymentDefinition,
  value: unknown,
): SchemaCheck {
  const validate = validator('delegate_payment', definition);
  const valid = validate(value);
  return { valid, problems: valid ? [] : describe(validate.errors) };
}
