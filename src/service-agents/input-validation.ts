/** Task inputs are checked against the agent's JSON Schema before anything runs (ajv, compiled once per schema). */
import { Ajv, type ValidateFunction } from 'ajv';

// `discriminator`: a `oneOf` tagged by a property (smart_contract's `standard`) reports the error of the
// branch the tag selects, not of the first branch ("must be equal to constant"), so the model can fix it.
// Built with the first schema compiled, not at start (its meta-schemas cost a few milliseconds).
let ajv: Ajv | undefined;
/** Compiled validators by schema text; bounded, since schemas come from users. */
const compiled = new Map<string, ValidateFunction>();

/** Throws a readable error when `schema` is not a JSON Schema ajv can compile, or not an object schema. */
export function compileInputSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    if (schema['type'] !== undefined && schema['type'] !== 'object')
      throw new Error("input_schema must describe an object ('type': 'object').");
    ajv ??= new Ajv({ allErrors: false, strict: false, discriminator: true });
    validate = ajv.compile(schema);
    if (compiled.size >= 500) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** The parsed input, or a message saying what is wrong with it (for the model to fix). */
export function validateInput(
  schema: Record<string, unknown>,
  argumentsText: string,
): { input: Record<string, unknown> } | { error: string } {
  let input: unknown;
  try {
    input = JSON.parse(argumentsText || '{}');
  } catch {
    return { error: 'The arguments are not valid JSON.' };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { error: 'The arguments must be a JSON object.' };
  const validate = compileInputSchema(schema);
  if (!validate(input)) {
    const issue = validate.errors?.[0];
    return {
      error: `The arguments do not match the agent's input schema: ${issue?.instancePath || '(root)'} ${issue?.message ?? 'is invalid'}.`,
    };
  }
  return { input: input as Record<string, unknown> };
}
