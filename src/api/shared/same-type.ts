/**
 * Compile-time ties between a response schema and the domain type it describes. Each response object
 * schema declares `export type …Matches = Assert<SameType<z.output<typeof Schema>, DomainType>>`, so
 * tsc fails when either side changes without the other.
 */

/**
 * True when A and B are the same type, not merely assignable to each other: a field added to one
 * side (even an optional one), a wider enum or a dropped `null` makes it false.
 */
export type SameType<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when its argument is `true`. */
export type Assert<Condition extends true> = Condition;
