import { describe, expect, it } from 'vitest';
import { matchesFilter } from './attribute-filter.ts';

const attributes = { region: 'eu', year: 2024, public: true, tag: 'b' };

describe('matchesFilter', () => {
  it.each([
    [{ type: 'eq', key: 'region', value: 'eu' }, true],
    [{ type: 'eq', key: 'year', value: '2024' }, false],
    [{ type: 'ne', key: 'region', value: 'us' }, true],
    [{ type: 'ne', key: 'missing', value: 'x' }, false],
    [{ type: 'gt', key: 'year', value: 2023 }, true],
    [{ type: 'gte', key: 'year', value: 2024 }, true],
    [{ type: 'lt', key: 'year', value: 2024 }, false],
    [{ type: 'lte', key: 'tag', value: 'c' }, true],
    [{ type: 'gt', key: 'region', value: 5 }, false],
    [{ type: 'in', key: 'region', value: ['us', 'eu'] }, true],
    [{ type: 'nin', key: 'region', value: ['us', 'eu'] }, false],
    [{ type: 'eq', key: 'public', value: true }, true],
    [
      {
        type: 'and',
        filters: [
          { type: 'eq', key: 'public', value: true },
          { type: 'gt', key: 'year', value: 2025 },
        ],
      },
      false,
    ],
    [
      {
        type: 'or',
        filters: [
          { type: 'eq', key: 'public', value: false },
          { type: 'gt', key: 'year', value: 2020 },
        ],
      },
      true,
    ],
  ] as const)('%j → %s', (filter, expected) => {
    expect(matchesFilter(attributes, filter as never)).toBe(expected);
  });
});
