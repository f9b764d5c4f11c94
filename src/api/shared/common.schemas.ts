/** Request schemas shared by several resources: ids, metadata, list queries. */
import { z } from 'zod';
import type { DeletedObject } from '../../domain/assistant.ts';
import { ID_PREFIXES, type IdKind } from '../../domain/ids.ts';

/** What a well-formed id of `kind` looks like: its prefix and 1–64 letters, digits, `_` or `-`. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind].replace('-', '\\-')}[A-Za-z0-9_-]{1,64}$`);
}

/**
 * An object id of one kind. A malformed id is a 400 naming the expected prefix, as OpenAI answers;
 * a well-formed id that does not exist is the service's 404.
 */
export function idSchema(kind: IdKind) {
  const prefix = ID_PREFIXES[kind];
  const pattern = idPattern(kind);
  return z.string().refine((value) => pattern.test(value), {
    error: (issue) =>
      `'${String(issue.input)}'. Expected an ID that begins with '${prefix.replace(/[_-]$/, '')}'.`,
  });
}

/** Names that objects inherit (`constructor`, `toString`, `__proto__`, …): never a provider or a model. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A model name: `model` or `provider/model`, up to 256 characters of letters, digits and `._:@+-/`
 * (OpenAI's `ft:gpt-4o:org::id`, Ollama's `llama3.2:latest`, `org/model` upstream names). A part
 * that is an inherited object key, such as `constructor/x`, is refused.
 */
export const ModelNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+/-]*$/, {
    error: (issue) =>
      `'${String(issue.input)}' is not a valid model name: use letters, digits and . _ : @ + - /, starting with a letter or digit.`,
  })
  .refine((name) => !name.split('/').some((part) => INHERITED_NAMES.has(part)), {
    error: (issue) =>
      `'${String(issue.input)}' is not a valid model name: a part of it is a reserved name.`,
  });

export const METADATA_LIMITS = { keys: 16, keyLength: 64, valueLength: 512 } as const;

/** Up to 16 string pairs; keys ≤ 64 characters, values ≤ 512. `null` clears. */
export const MetadataSchema = z
  .record(z.string().max(METADATA_LIMITS.keyLength), z.string().max(METADATA_LIMITS.valueLength))
  .refine((value) => Object.keys(value).length <= METADATA_LIMITS.keys, {
    error: `too many properties. Expected an object with at most ${METADATA_LIMITS.keys} properties.`,
  })
  .nullable();

/** Metadata as objects carry it: always an object, `{}` when empty. */
export const MetadataObjectSchema = z.record(z.string(), z.string());

/** Integer query parameter given as a decimal string. */
function queryInteger(minimum: number, maximum: number, fallback: number) {
  return z
    .string()
    .regex(/^-?\d+$/, { error: 'expected an integer.' })
    .transform(Number)
    .pipe(z.number().int().min(minimum).max(maximum))
    .optional()
    .transform((value) => value ?? fallback);
}

/** A cursor list's `limit`: 1–100, 20 when absent. */
export const LIST_LIMITS = { maximum: 100, fallback: 20 } as const;

/** The query of every cursor list: `limit` 1–100 (default 20), `order` (default desc), `after`, `before`. */
export function listQuerySchema<Extra extends z.ZodRawShape = Record<never, never>>(
  extra: Extra = {} as Extra,
  limits: { maximum: number; fallback: number } = LIST_LIMITS,
) {
  return z.strictObject({
    limit: queryInteger(1, limits.maximum, limits.fallback),
    order: z.enum(['asc', 'desc']).default('desc'),
    after: z.string().min(1).max(200).optional(),
    before: z.string().min(1).max(200).optional(),
    ...extra,
  });
}

export type ListQuery = {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  before?: string | undefined;
};

/** The page part of a parsed list query, without keys that are undefined. */
export function pageOf(query: ListQuery) {
  return {
    limit: query.limit,
    order: query.order,
    ...(query.after !== undefined ? { after: query.after } : {}),
    ...(query.before !== undefined ? { before: query.before } : {}),
  };
}

/** `{id, object: "<name>.deleted", deleted: true}` for the OpenAPI document. */
export function deletedSchema<Name extends string>(objectName: Name) {
  return z.object({
    id: z.string(),
    object: z.literal(objectName),
    deleted: z.boolean(),
  }) satisfies z.ZodType<DeletedObject<Name>>;
}

export function listSchema(item: z.ZodType) {
  return z.object({
    object: z.literal('list'),
    data: z.array(item),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  });
}
