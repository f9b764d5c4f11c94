/** The contract every blob store adapter passes. */
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { BlobTooLargeError, type BlobStore } from './blob-store.ts';

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

export function runBlobStoreContract(
  name: string,
  create: () => BlobStore,
  leftovers: () => string[] | Promise<string[]>,
): void {
  describe(`blob store contract: ${name}`, () => {
    it('stores a stream and gives the same bytes back', async () => {
      const store = create();
      expect(await store.put('file-a1', chunks('hello ', 'wörld ', '\u{1F600}'))).toEqual({
        bytes: Buffer.byteLength('hello wörld \u{1F600}'),
      });
      expect(await text((await store.get('file-a1'))!)).toBe('hello wörld \u{1F600}');
      expect(await store.size('file-a1')).toBe(Buffer.byteLength('hello wörld \u{1F600}'));
    });

    it('replaces a blob and deletes it; a missing blob reads as undefined', async () => {
      const store = create();
      await store.put('file-b1', chunks('first'));
      await store.put('file-b1', chunks('second'));
      expect(await text((await store.get('file-b1'))!)).toBe('second');
      await store.delete('file-b1');
      await store.delete('file-b1');
      expect(await store.get('file-b1')).toBeUndefined();
      expect(await store.size('file-b1')).toBeUndefined();
    });

    it('refuses a stream over the limit and keeps nothing of it', async () => {
      const store = create();
      await expect(
        store.put('file-c1', chunks('12345', '67890', 'x'), { maxBytes: 10 }),
      ).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await store.get('file-c1')).toBeUndefined();
      expect(await leftovers()).toEqual([]);
      expect(await store.put('file-c1', chunks('1234567890'), { maxBytes: 10 })).toEqual({
        bytes: 10,
      });
    });

    it('keeps nothing when the source stream fails midway', async () => {
      const store = create();
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('client went away'));
        },
      });
      await expect(store.put('file-d1', failing)).rejects.toThrow('client went away');
      expect(await store.get('file-d1')).toBeUndefined();
      expect(await leftovers()).toEqual([]);
    });

    it('lists every stored key, and no deleted one', async () => {
      const store = create();
      await store.put('file-e1', chunks('one'));
      await store.put('file-e2', chunks('two'));
      await store.delete('file-e2');
      const keys: string[] = [];
      for await (const key of store.keys()) keys.push(key);
      expect(keys).toContain('file-e1');
      expect(keys).not.toContain('file-e2');
      expect(keys.every((key) => /^[A-Za-z0-9_-]+$/.test(key))).toBe(true);
    });

    it('rejects keys that are not ids, so no path comes from user input', async () => {
      const store = create();
      for (const key of ['../etc/passwd', 'a/b', '', '.hidden', 'x'.repeat(129)]) {
        await expect(store.put(key, chunks('x'))).rejects.toThrow(TypeError);
      }
    });
  });
}
