/** JSON columns are text on both dialects; these two functions are the only (de)serializers. */

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function toNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Parses a column this server wrote; a corrupt value is a server bug and throws. */
export function fromJson<Value>(text: string): Value {
  return JSON.parse(text) as Value;
}

export function fromNullableJson<Value>(text: string | null): Value | null {
  return text === null ? null : (JSON.parse(text) as Value);
}
