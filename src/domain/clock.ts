/** Unix time in whole seconds, the unit of every `*_at` field. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
