/**
 * The SQL functions vector search calls on SQLite: `vec_distance_cosine(a, b)` over float32 blobs.
 * sqlite-vec provides it from a native library that npm installs as an optional, per-platform package
 * (`sqlite-vec-linux-x64`, `-darwin-arm64`, `-windows-x64`…). `npm ci --omit=optional` leaves that
 * package out, and a platform sqlite-vec has no build for has none: then the same function is
 * registered in JavaScript, computed the way sqlite-vec computes it (float32 sums, then
 * `1 - dot / (sqrt(|a|²) · sqrt(|b|²))` rounded to float32), so scores and rankings do not change.
 * Only `vec_distance_cosine` is used (sqlite-chunk-repository.ts); vector tables (`vec0`) are not.
 */
import type SqliteDatabase from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

/** Which implementation answers `vec_distance_cosine` on a connection. */
export type SqliteVectorFunctions =
  | { backend: 'sqlite-vec' }
  /** sqlite-vec's native library could not be loaded (`reason`); a JavaScript function stands in. */
  | { backend: 'plain-sql'; reason: string };

/** Loads sqlite-vec's native library into a connection (throws when its binary is absent). */
export type LoadVectorExtension = (connection: SqliteDatabase.Database) => void;

/**
 * Gives `connection` a `vec_distance_cosine`: sqlite-vec's when its native library loads, else the
 * JavaScript one. `loadExtension` is injectable so tests can take the fallback on any machine.
 */
export function installVectorFunctions(
  connection: SqliteDatabase.Database,
  loadExtension: LoadVectorExtension = sqliteVec.load,
): SqliteVectorFunctions {
  try {
    loadExtension(connection);
    return { backend: 'sqlite-vec' };
  } catch (error) {
    registerCosineDistance(connection);
    return { backend: 'plain-sql', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Registers the JavaScript `vec_distance_cosine` on `connection`. */
export function registerCosineDistance(connection: SqliteDatabase.Database): void {
  connection.function('vec_distance_cosine', { deterministic: true }, (a, b) =>
    cosineDistance(float32Vector(a, '1st'), float32Vector(b, '2nd')),
  );
}

/**
 * sqlite-vec's `distance_cosine_float`: each product and running sum in float32, the square roots
 * and the division in double, the result rounded to float32. A zero vector gives NaN, which SQLite
 * stores as NULL, as it does sqlite-vec's.
 */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new Error(
      `Vector dimension mismatch. First vector has ${a.length} dimensions, while the second has ${b.length} dimensions.`,
    );
  const f32 = Math.fround;
  let dot = 0;
  let aMagnitude = 0;
  let bMagnitude = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!;
    const y = b[index]!;
    dot = f32(dot + f32(x * y));
    aMagnitude = f32(aMagnitude + f32(x * x));
    bMagnitude = f32(bMagnitude + f32(y * y));
  }
  return f32(1 - dot / (Math.sqrt(aMagnitude) * Math.sqrt(bMagnitude)));
}

/** A float32 vector stored as a blob in the platform's byte order, as sqlite-vec reads it. */
function float32Vector(value: unknown, which: '1st' | '2nd'): Float32Array {
  const invalid = (reason: string) => new Error(`Error reading ${which} vector: ${reason}`);
  // sqlite-vec also parses JSON text; nothing here passes any.
  if (!(value instanceof Uint8Array)) throw invalid('expected a float32 vector BLOB.');
  if (value.byteLength === 0) throw invalid('zero-length vectors are not supported.');
  if (value.byteLength % 4 !== 0)
    throw invalid(
      `invalid float32 vector BLOB length. Must be divisible by 4, found ${value.byteLength}`,
    );
  if (value.byteOffset % 4 === 0)
    return new Float32Array(value.buffer, value.byteOffset, value.byteLength / 4);
  return new Float32Array(Uint8Array.prototype.slice.call(value).buffer);
}
