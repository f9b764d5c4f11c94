import { describe, expect, it } from 'vitest';
import { createNonceManager } from './nonce-manager.ts';

describe('nonce manager', () => {
  it('moves past an accepted nonce even when the node still reports the old count', async () => {
    const nonces = createNonceManager(async () => 5);
    expect(await nonces.next()).toBe(5);
    nonces.accepted(5);
    expect(await nonces.next()).toBe(6);
    nonces.accepted(6);
    expect(await nonces.next()).toBe(7);
  });

  it('follows the node when it reports more (another sender), and after a refusal', async () => {
    let reported = 3;
    const nonces = createNonceManager(async () => reported);
    nonces.accepted(3);
    reported = 9;
    expect(await nonces.next()).toBe(9);
    nonces.accepted(9);
    nonces.forget();
    reported = 2;
    expect(await nonces.next()).toBe(2);
  });
});
