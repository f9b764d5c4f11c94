/**
 * A database host that accepts connections but never answers (a half-dead host, a firewall that
 * drops packets after the handshake): opening a connection gives up after `connectTimeoutMs`, and a
 * statement answers 503 `database_unavailable` instead of waiting on the OS's timeouts. No
 * PostgreSQL is needed: a TCP server that never says a word stands in for the host.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../domain/errors.ts';
import { createPostgresStore } from './postgres-store.ts';

describe('a PostgreSQL host that never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let url: string;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.resume(); // reads (and drops) the startup message, so the client's close is seen
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const address = silent.address();
    url = `postgres://postgres@127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/test`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((closed) => silent.close(closed));
  });

  it('answers a 503 once opening a connection has timed out', async () => {
    const store = await createPostgresStore({
      connectionString: url,
      connectTimeoutMs: 200,
      reconnectWindowMs: 300,
    });
    try {
      const failure = await store.runs.find('proj_default', 'run_x').catch((error) => error);
      expect(failure).toBeInstanceOf(UnavailableError);
      expect(failure).toMatchObject({ code: 'database_unavailable' });
      expect((failure as Error).cause).toMatchObject({ message: 'timeout expired' });
      // Each connection it opened was given up, not left open.
      await expect.poll(() => sockets.size).toBe(0);
    } finally {
      await store.close();
    }
  }, 10_000);

  it('fails creating a store in a schema of its own instead of hanging', async () => {
    const failure = await createPostgresStore({
      connectionString: url,
      schema: 'never',
      connectTimeoutMs: 200,
    }).catch((error) => error);
    expect(failure).toMatchObject({ message: 'timeout expired' });
  }, 10_000);
});
