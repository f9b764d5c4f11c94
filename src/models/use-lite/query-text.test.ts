import { describe, expect, it } from 'vitest';
import { queryText } from './query-text.ts';

describe('queryText', () => {
  it('lowercases a function word that opens the query', () => {
    expect(queryText('How do I get my money back?')).toBe('how do I get my money back?');
    expect(queryText('  When are you open?')).toBe('  when are you open?');
  });

  it('lowercases one that opens any sentence of the query', () => {
    expect(queryText('My train was late. Can I claim compensation?')).toBe(
      'my train was late. can I claim compensation?',
    );
  });

  it('keeps "I", names, acronyms and words inside a sentence as typed', () => {
    expect(queryText('I forgot my login')).toBe('I forgot my login');
    expect(queryText('Paris office: Where is it?')).toBe('Paris office: Where is it?');
    expect(queryText('NASA grants. IBM laptops')).toBe('NASA grants. IBM laptops');
    expect(queryText('Someone stole my wallet')).toBe('Someone stole my wallet');
    expect(queryText('Whatever happened')).toBe('Whatever happened');
  });
});
