/**
 * Turns zod issues into OpenAI-style 400 errors: one message naming the parameter, and `param` in
 * OpenAI's path notation (`tools[0].function.name`).
 */
import type { z } from 'zod';
import { InvalidRequestError } from '../domain/errors.ts';

export function formatParam(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  record: 'an object',
  null: 'null',
};

type Issue = z.core.$ZodIssue;

/** The deepest, most specific issue of a union, so "oneOf" failures still say what was wrong. */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const candidates = issue.errors
    .map((issues) => issues[0])
    .filter((candidate): candidate is Issue => !!candidate);
  // Prefer a branch that got past its discriminator (a deeper path means the shape matched further).
  const best = candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a), candidates[0]!);
  if (best.path.length === 0 && best.code === 'invalid_type') return issue;
  return { ...mostSpecific(best), path: [...issue.path, ...best.path] } as Issue;
}

export function issueToError(
  rawIssue: Issue,
  location: 'body' | 'query' | 'path',
): InvalidRequestError {
  const issue = mostSpecific(rawIssue);
  const param = formatParam(issue.path);
  const name = param === '' ? location : param;
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => formatParam([...issue.path, key]));
      return new InvalidRequestError(
        `Unrecognized request argument supplied: ${keys.join(', ')}`,
        keys[0] ?? null,
      );
    }
    case 'invalid_type':
      if (input === undefined)
        return new InvalidRequestError(`Missing required parameter: '${name}'.`, param || null);
      return new InvalidRequestError(
        `Invalid type for '${name}': expected ${EXPECTED[issue.expected] ?? issue.expected}, but got ${describe(input)} instead.`,
        param || null,
      );
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? 'maximum' : 'minimum';
      const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const what =
        issue.origin === 'string'
          ? 'length'
          : issue.origin === 'array' || issue.origin === 'set'
            ? 'number of items'
            : 'value';
      const got =
        typeof input === 'string'
          ? `length ${input.length}`
          : Array.isArray(input)
            ? `${input.length} items`
            : JSON.stringify(input);
      return new InvalidRequestError(
        `Invalid '${name}': expected a ${bound} ${what} of ${String(limit)}, but got ${got ?? 'a value out of range'} instead.`,
        param || null,
      );
    }
    case 'invalid_value':
      return new InvalidRequestError(
        `Invalid value for '${name}': ${JSON.stringify(input)}. Supported values are: ${issue.values.map((value) => `'${String(value)}'`).join(', ')}.`,
        param || null,
      );
    case 'invalid_union':
      return new InvalidRequestError(
        `Invalid value for '${name}': ${issue.message}.`,
        param || null,
      );
    default:
      return new InvalidRequestError(`Invalid '${name}': ${issue.message}`, param || null);
  }
}

/**
 * Parses `value`: through `fast` when it takes the value (a hot route's common shape), else with
 * `schema`, which throws the 400 for its first issue.
 */
export function parseInput<Value>(
  schema: z.ZodType<Value>,
  fast: ((value: unknown) => Value | undefined) | undefined,
  value: unknown,
  location: 'body' | 'query' | 'path',
): Value {
  return fast?.(value) ?? parseOrThrow(schema, value, location);
}

/** Parses `value` with `schema` or throws the 400 for its first issue. */
export function parseOrThrow<Value>(
  schema: z.ZodType<Value>,
  value: unknown,
  location: 'body' | 'query' | 'path',
): Value {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw issueToError(result.error.issues[0]!, location);
}
