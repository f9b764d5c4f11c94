/** The databases a suite should run on: SQLite always, Postgres when reachable (see postgres.ts). */
import { postgresAvailable } from './postgres.ts';

export const testDatabases: Array<'sqlite' | 'postgres'> = postgresAvailable
  ? ['sqlite', 'postgres']
  : ['sqlite'];
