/**
 * Seals secrets a client hands the server for later use (an `mcp` tool's headers), so that they are
 * stored only encrypted: AES-256-GCM under the server's secrets key (`secretsKey`), or, without one,
 * a key drawn when the process starts. With a process key, secrets sealed by another process (another
 * node, or before a restart) cannot be opened: the call that needs them fails and says so, and the
 * client sends them again.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  seal(plain: string): string;
  /** The plain text; throws `SecretUnavailableError` when this key did not seal it. */
  open(sealed: string): string;
}

export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

/** A box over `key` (any text: it is hashed to 32 bytes), or over a fresh process key. */
export function createSecretBox(key?: string): SecretBox {
  const material = key ? createHash('sha256').update(key).digest() : randomBytes(32);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', material, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      try {
        if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('format');
        const decipher = createDecipheriv('aes-256-gcm', material, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretUnavailableError(
          'The secrets of this tool were sealed with another key (another node, or before a restart, without a shared `secretsKey`); send them again.',
        );
      }
    },
  };
}
