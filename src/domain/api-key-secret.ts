/** How API key secrets are hashed for storage and redacted for display. */
import { createHash } from 'node:crypto';

/** SHA-256 of a key, as stored. Keys are long random secrets, so a fast hash is the right one. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** `sk-proj-…wxyz`: enough to recognise a key, never enough to use it. */
export function redactKey(secret: string): string {
  return secret.length <= 12 ? '****' : `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}
