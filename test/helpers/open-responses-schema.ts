/**
 * The Open Responses standard (`shared/openapi/openresponses-openapi.json`, OpenAPI 3.1) compiled with
 * ajv 2020, to validate what our `/v1/responses` answers and streams.
 *
 * The standard defines only function tools, message / function-call / reasoning / compaction items
 * and url_citation annotations. The built-in tools we serve (file_search, code_interpreter, mcp) are
 * OpenAI's, so a part of one of those types (a tool, an output item, an annotation, a progress event)
 * is validated against OpenAI's schema for that type (`shared/openapi/openai-openapi.yaml`), and the
 * rest of the object against the standard. Our own `service_agent` tool is checked against
 * `EXTENSIONS` below. A type known to neither is an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** CI has `shared/` beside the checkout; a worktree under `wt/<name>` has it one level further up. */
function sharedFile(name: string): string | undefined {
  return [
    join(repositoryRoot, '../shared/openapi', name),
    join(repositoryRoot, '../../shared/openapi', name),
  ].find((path) => existsSync(path));
}

const standardPath = sharedFile('openresponses-openapi.json');
const openaiPath = sharedFile('openai-openapi.yaml');

/** Whether the contracts are here; in CI (`CI=true`) a missing file fails the suites that use this. */
export const openResponsesSpecAvailable = Boolean(standardPath && openaiPath);

/** The types our objects may carry that neither document defines, with a schema each. */
const EXTENSIONS: Record<'tool', Record<string, Json>> = {
  tool: {
    // docs/service-agents.md: the service_agent tool, accepted wherever tools are.
    service_agent: {
      type: 'object',
      required: ['type', 'service_agent'],
      properties: {
        type: { const: 'service_agent' },
        service_agent: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^sa_' } },
        },
      },
    },
  },
};

interface Validators {
  ajv: Ajv2020;
  standard: Json;
  openai: Json;
}

let loaded: Validators | undefined;

function validators(): Validators {
  if (loaded) return loaded;
  if (!standardPath || !openaiPath) {
    throw new Error('shared/openapi/openresponses-openapi.json or openai-openapi.yaml is missing');
  }
  const standard = JSON.parse(readFileSync(standardPath, 'utf8')) as Json;
  const openai = parse(readFileSync(openaiPath, 'utf8')) as Json;
  // OpenAPI keywords (discriminator, example, x-*) are annotations here, not validation.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...standard, $id: 'standard' });
  ajv.addSchema({ ...openai, $id: 'openai' });
  loaded = { ajv, standard, openai };
  return loaded;
}

function schemas(document: Json): Json {
  return (document['components'] as Json)['schemas'] as Json;
}

function compiled(document: 'standard' | 'openai', name: string): ValidateFunction {
  const { ajv } = validators();
  const validate = ajv.getSchema(`${document}#/components/schemas/${name}`);
  if (!validate) throw new Error(`${document} has no schema ${name}`);
  return validate;
}

function refName(schema: unknown): string | undefined {
  const reference = (schema as Json | undefined)?.['$ref'];
  return typeof reference === 'string' ? reference.split('/').pop() : undefined;
}

/** The `type` values a schema's `type` property admits (enum or const). */
function typeValues(document: Json, name: string): string[] {
  const schema = schemas(document)[name] as Json | undefined;
  const type = (schema?.['properties'] as Json | undefined)?.['type'] as Json | undefined;
  if (!type) return [];
  const values = (type['enum'] as unknown[] | undefined) ?? [type['const']];
  return values.filter((value): value is string => typeof value === 'string');
}

/**
 * The member of a union schema (oneOf/anyOf of refs, nested unions followed) whose `type` is the
 * given one: the name of its schema, or undefined when the union has none.
 */
function variantOf(document: Json, union: string, type: string, depth = 0): string | undefined {
  if (typeValues(document, union).includes(type)) return union;
  const schema = schemas(document)[union] as Json | undefined;
  if (!schema || depth > 6) return undefined;
  const members = [
    ...((schema['oneOf'] as unknown[] | undefined) ?? []),
    ...((schema['anyOf'] as unknown[] | undefined) ?? []),
    ...(schema['$ref'] ? [schema] : []),
  ];
  for (const member of members) {
    const name = refName(member);
    const found = name && variantOf(document, name, type, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function readable(errors: ErrorObject[] | null | undefined, at: string, schema: string): string[] {
  return (errors ?? []).map((error) => {
    const params = JSON.stringify(error.params);
    return `${at}${error.instancePath} ${error.message} (${schema} ${error.schemaPath} ${params})`;
  });
}

function check(document: 'standard' | 'openai', name: string, value: unknown, at: string) {
  const validate = compiled(document, name);
  return validate(value) ? [] : readable(validate.errors, at, `${document}:${name}`);
}

/**
 * A part of an object (`value`, at `at`) that is in a union of the standard (`standardUnion`):
 * nothing to do when the standard has its type (the caller validates it in place); otherwise its
 * errors against OpenAI's schema for that type (or ours), and `true` for "take it out".
 */
function extensionPart(
  kind: 'item' | 'tool' | 'annotation',
  value: unknown,
  at: string,
): { errors: string[]; extension: boolean } {
  const { standard, openai } = validators();
  const unions = {
    item: ['ItemField', 'OutputItem'],
    tool: ['Tool', 'Tool'],
    annotation: ['Annotation', 'Annotation'],
  } as const;
  const [standardUnion, openaiUnion] = unions[kind];
  const type = (value as Json | undefined)?.['type'];
  if (typeof type !== 'string') return { errors: [`${at} has no string type`], extension: true };
  if (variantOf(standard, standardUnion, type)) return { errors: [], extension: false };
  const ours = kind === 'tool' ? EXTENSIONS.tool[type] : undefined;
  if (ours) {
    const validate = validators().ajv.compile(ours);
    return {
      errors: validate(value) ? [] : readable(validate.errors, at, `extension:${type}`),
      extension: true,
    };
  }
  const name = variantOf(openai, openaiUnion, type);
  if (!name)
    return { errors: [`${at} has type ${type}, defined by neither spec`], extension: true };
  return { errors: check('openai', name, value, at), extension: true };
}

/** A copy of an item with its extension annotations validated and taken out. */
function withoutExtensionAnnotations(item: Json, at: string, errors: string[]): Json {
  if (item['type'] !== 'message' || !Array.isArray(item['content'])) return item;
  const content = (item['content'] as Json[]).map((part, partIndex) => {
    if (!Array.isArray(part['annotations'])) return part;
    const annotations = (part['annotations'] as unknown[]).filter((annotation, index) => {
      const where = `${at}.content[${partIndex}].annotations[${index}]`;
      const result = extensionPart('annotation', annotation, where);
      errors.push(...result.errors);
      return !result.extension;
    });
    return { ...part, annotations };
  });
  return { ...item, content };
}

/** An output item: its errors, and the copy (or undefined for an extension item) to check in place. */
function splitItem(item: unknown, at: string, errors: string[]): Json | undefined {
  const result = extensionPart('item', item, at);
  errors.push(...result.errors);
  return result.extension ? undefined : withoutExtensionAnnotations(item as Json, at, errors);
}

/** A response object with its extension parts validated and taken out, ready for the standard. */
function splitResponse(response: unknown, at: string, errors: string[]): unknown {
  if (!response || typeof response !== 'object') return response;
  const object = response as Json;
  const copy: Json = { ...object };
  if (Array.isArray(object['output'])) {
    copy['output'] = (object['output'] as unknown[]).flatMap((item, index) => {
      const kept = splitItem(item, `${at}.output[${index}]`, errors);
      return kept ? [kept] : [];
    });
  }
  if (Array.isArray(object['tools'])) {
    copy['tools'] = (object['tools'] as unknown[]).filter((tool, index) => {
      const result = extensionPart('tool', tool, `${at}.tools[${index}]`);
      errors.push(...result.errors);
      return !result.extension;
    });
  }
  return copy;
}

/**
 * Errors of a response object against the standard's `ResponseResource` (extension parts against
 * OpenAI's schemas), each naming where and which rule; empty when it conforms.
 */
export function validateResponseResource(response: unknown): string[] {
  const errors: string[] = [];
  const rest = splitResponse(response, 'response', errors);
  return [...errors, ...check('standard', 'ResponseResource', rest, 'response')];
}

/** The standard's schema for each streaming event type. */
function standardEvents(): Map<string, string> {
  const { standard } = validators();
  const names = Object.keys(schemas(standard)).filter((name) => name.endsWith('StreamingEvent'));
  return new Map(names.flatMap((name) => typeValues(standard, name).map((type) => [type, name])));
}

/**
 * Errors of one streamed event, chosen by its `type`: the standard's event schema (with the response
 * or item it carries split as above), or OpenAI's for the built-in tools' events.
 */
export function validateStreamEvent(event: unknown): string[] {
  const type = (event as Json | undefined)?.['type'];
  if (typeof type !== 'string') return ['event has no string type'];
  const at = `event ${type}`;
  const standardName = standardEvents().get(type);
  if (!standardName) {
    const name = variantOf(validators().openai, 'ResponseStreamEvent', type);
    if (!name) return [`${at} is defined by neither spec`];
    return check('openai', name, event, at);
  }
  const errors: string[] = [];
  const copy: Json = { ...(event as Json) };
  if (copy['response'])
    copy['response'] = splitResponse(copy['response'], `${at}.response`, errors);
  if (copy['item']) {
    const kept = splitItem(copy['item'], `${at}.item`, errors);
    // An extension item was checked against OpenAI's schema; the envelope allows a null item.
    copy['item'] = kept ?? null;
  }
  if (copy['part'] && typeof copy['part'] === 'object') {
    // A content part (content_part.added/done) carries its annotations like a message's part.
    const holder = { type: 'message', content: [copy['part']] };
    const kept = withoutExtensionAnnotations(holder, `${at}.part`, errors);
    copy['part'] = (kept['content'] as unknown[])[0];
  }
  if (copy['annotation']) {
    const result = extensionPart('annotation', copy['annotation'], `${at}.annotation`);
    errors.push(...result.errors);
    if (result.extension) {
      return [...errors, ...check('openai', 'ResponseOutputTextAnnotationAddedEvent', event, at)];
    }
  }
  return [...errors, ...check('standard', standardName, copy, at)];
}
