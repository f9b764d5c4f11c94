import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, parseDatabaseUrl } from './open-store.ts';

describe('parseDatabaseUrl', () => {
  it('reads a SQLite path, resolved against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:data/concierge.db')).toEqual({
      dialect: 'sqlite',
      path: resolve('data/concierge.db'),
    });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
  });

  it('reads a PostgreSQL URL once, with its schema taken out of the connection string', () => {
    expect(
      parseDatabaseUrl('postgres://app@db:5432/concierge?schema=tenant_a', { maxConnections: 4 }),
    ).toEqual({
      dialect: 'postgres',
      options: {
        connectionString: 'postgres://app@db:5432/concierge',
        schema: 'tenant_a',
        maxConnections: 4,
      },
    });
  });

  it('refuses other schemes and schema names that are not SQL identifiers', () => {
    expect(() => parseDatabaseUrl('mysql://db/concierge')).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl('postgres://db/concierge?schema=A;drop')).toThrow(
      /must be a lower-case SQL identifier/,
    );
  });
});
