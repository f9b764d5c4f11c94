import { describe, expect, it } from 'vitest';
import { idTimestamp, newId } from './ids.ts';

describe('newId', () => {
  it('uses OpenAI prefixes, including the hyphen of file ids', () => {
    expect(newId('assistant')).toMatch(/^asst_[0-9A-Za-z]{24}$/);
    expect(newId('file')).toMatch(/^file-[0-9A-Za-z]{24}$/);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('message', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    const later = newId('message', 1_700_000_000_001);
    expect(later > ids[ids.length - 1]!).toBe(true);
  });

  it('embeds the creation time', () => {
    expect(idTimestamp(newId('thread', 1_700_000_123_456), 'thread')).toBe(1_700_000_123_456);
    expect(idTimestamp('thread_abc', 'thread')).toBeUndefined();
  });
});
