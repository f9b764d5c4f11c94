import { describe, expect, it } from 'vitest';
import { mimeType } from './mime-type.ts';

describe('mimeType', () => {
  it('knows common extensions and nothing inherited', () => {
    expect(mimeType('plot.PNG')).toBe('image/png');
    expect(mimeType('x.constructor')).toBe('application/octet-stream');
    expect(mimeType('x.__proto__')).toBe('application/octet-stream');
    expect(mimeType('README')).toBe('application/octet-stream');
  });
});
