import { describe, expect, it } from 'vitest';
import { keywordTerms } from './keyword-terms.ts';

describe('keywordTerms', () => {
  it('drops English stop words, as PostgreSQL does, so they match nothing on SQLite either', () => {
    expect(keywordTerms('How do I get my money back?')).toEqual(['get', 'money', 'back']);
  });

  it('keeps the words of a query made only of stop words', () => {
    expect(keywordTerms('To be or not to be')).toEqual(['to', 'be', 'or', 'not']);
  });

  it('lower-cases, de-duplicates and strips syntax', () => {
    expect(keywordTerms('Refund "policy" OR refund* NEAR(x)')).toEqual([
      'refund',
      'policy',
      'near',
      'x',
    ]);
  });
});
