import { describe, expect, it } from 'vitest';
import { roundedUnits } from './rounded-units.ts';

describe('roundedUnits', () => {
  it('keeps six significant digits, rounding to nearest or down', () => {
    expect(roundedUnits(49_825_162_156_664_902n, 18, 'nearest')).toBe('0.0498252');
    expect(roundedUnits(49_576_036_345_881_578n, 18, 'down')).toBe('0.049576');
    expect(roundedUnits(49_576_096_345_881_578n, 18, 'nearest')).toBe('0.0495761');
    expect(roundedUnits(4_743_672_314_625_115_680n, 18, 'down')).toBe('4.74367');
  });

  it('never rounds the integer part, and leaves short amounts as they are', () => {
    expect(roundedUnits(12_345_678_900_000n, 6, 'nearest')).toBe('12345679');
    expect(roundedUnits(123_456_789_123_456n, 6, 'down')).toBe('123456789');
    expect(roundedUnits(100_000_000n, 6, 'down')).toBe('100');
    expect(roundedUnits(1n, 18, 'nearest')).toBe('0.000000000000000001');
  });
});
