/** Percentiles and formatting shared by the benchmarks. */

export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 0.5);

export function milliseconds(value: number): string {
  return `${value.toFixed(2)} ms`;
}
