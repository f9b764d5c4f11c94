import { describe, expect, it } from 'vitest';
import { createCloserStack } from './closer-stack.ts';

describe('closer stack', () => {
  it('closes in reverse creation order, each part once', async () => {
    const closed: string[] = [];
    const closers = createCloserStack();
    for (const name of ['store', 'bus', 'server']) closers.push(name, () => void closed.push(name));
    await Promise.all([closers.close(), closers.close()]);
    await closers.close();
    expect(closed).toEqual(['server', 'bus', 'store']);
  });

  it('closes the older parts when one fails, then reports the failure by name', async () => {
    const closed: string[] = [];
    const closers = createCloserStack();
    closers.push('store', () => void closed.push('store'));
    closers.push('chain', () => Promise.reject(new Error('chain stuck')));
    closers.push('server', () => void closed.push('server'));
    const failure = await closers.close().catch((error: Error) => error);
    expect(closed).toEqual(['server', 'store']);
    expect(failure).toMatchObject({ message: 'closing chain failed' });
    expect((failure as Error).cause).toMatchObject({ message: 'chain stuck' });
  });

  it('refuses a part created after shutdown began (it would never be closed)', async () => {
    const closers = createCloserStack();
    await closers.close();
    expect(() => closers.push('late worker', () => {})).toThrow(/after shutdown began/);
  });
});
