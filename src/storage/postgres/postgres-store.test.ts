import { describe } from 'vitest';
import {
  createTestPostgresStore,
  dropSchema,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { runConversationsContract } from '../conversations.contract.ts';
import { runFilesContract } from '../files.contract.ts';
import { runServiceAgentActionsContract } from '../service-agent-actions.contract.ts';
import { createPostgresStore } from './postgres-store.ts';
import { runRunsQueueContract } from '../runs-queue.contract.ts';
import { runStoreContract } from '../store.contract.ts';

const schemas = new Map<object, string>();

describe.runIf(postgresAvailable)('postgres', () => {
  runStoreContract('postgres', {
    async create() {
      const { store, schema } = await createTestPostgresStore();
      schemas.set(store, schema);
      return store;
    },
    async destroy(store) {
      await dropSchema(schemas.get(store)!);
    },
  });
  runRunsQueueContract('postgres', {
    async create() {
      const { store, schema } = await createTestPostgresStore();
      schemas.set(store, schema);
      return store;
    },
    async destroy(store) {
      await dropSchema(schemas.get(store)!);
    },
  });
  runFilesContract('postgres', {
    async create() {
      const { store, schema } = await createTestPostgresStore();
      schemas.set(store, schema);
      return store;
    },
    async destroy(store) {
      await dropSchema(schemas.get(store)!);
    },
  });
  runConversationsContract('postgres', {
    async create() {
      const { store, schema } = await createTestPostgresStore();
      schemas.set(store, schema);
      return store;
    },
    twin: (store) =>
      createPostgresStore({ connectionString: postgresTestUrl, schema: schemas.get(store)! }),
    async destroy(store) {
      await dropSchema(schemas.get(store)!);
    },
  });
  runServiceAgentActionsContract('postgres', {
    async create() {
      const { store, schema } = await createTestPostgresStore();
      schemas.set(store, schema);
      return store;
    },
    // Another API node or worker: its own pool on the same schema.
    twin: (store) =>
      createPostgresStore({ connectionString: postgresTestUrl, schema: schemas.get(store)! }),
    async destroy(store) {
      await dropSchema(schemas.get(store)!);
    },
  });
});
