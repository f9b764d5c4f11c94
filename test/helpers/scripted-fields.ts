/**
 * Field checks for what a test scripts (a model's turns, their tool calls and errors). A turn is a
 * plain object a test may build in a variable or a `respondWith` callback, where TypeScript does not
 * flag an unknown property: a field that was misspelled, or an option since removed, would be
 * ignored, and the test would silently stop testing what it says. These checks throw instead.
 */

/** Every field of `T`, spelled once, so the runtime list cannot drift from the type. */
export type FieldList<T> = Record<keyof T, true>;

/**
 * `T`, with each field `Shape` does not have typed `never`: a parameter typed `Exact<T, Shape>`, with
 * `T` inferred from the argument, rejects unknown fields that plain `Shape` lets through (a variable,
 * a callback's result). Distributes over unions, so every branch of a conditional is checked.
 */
export type Exact<T, Shape> = T extends unknown
  ? T & { [Field in Exclude<keyof T, keyof Shape>]: never }
  : never;

/** Throws when `value` is not a plain object whose fields are all among `known`. */
export function assertKnownFields(what: string, value: unknown, known: Record<string, true>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object, got ${JSON.stringify(value)}.`);
  const unknown = Object.keys(value).filter((field) => !Object.hasOwn(known, field));
  if (unknown.length > 0)
    throw new TypeError(
      `${what} has unknown field(s) ${unknown.map((field) => `"${field}"`).join(', ')}; ` +
        `known: ${Object.keys(known).join(', ')}. A misspelled or removed option would be ignored.`,
    );
}

/** `assertKnownFields` on each element of an optional array field. */
export function assertKnownFieldsOfEach(
  what: string,
  values: unknown,
  known: Record<string, true>,
): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) throw new TypeError(`${what} must be an array.`);
  values.forEach((value, index) => assertKnownFields(`${what}[${index}]`, value, known));
}
