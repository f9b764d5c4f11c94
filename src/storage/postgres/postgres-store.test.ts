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
import type { Store } from '../store.ts';
import { createPostgresStore } from './postgres-store.ts';
import { runRunsQueueContract } from '../runs-queue.contract.ts';
import { runStoreContract } from '../store.contract.ts';
import { runStoredBytesContract } from '../stored-bytes.contract.ts';

const schemas = new Map<object, string>();

/** One store per test in a schema of its own; `twin` is another node's pool on the same schema. */
const harness = {
  async create(): Promise<Store> {
    const { store, schema } = await createTestPostgresStore();
    schemas.set(store, schema);
    return store;
  },
  twin: (store: Store) =>
    createPostgresStore({ connectionString: postgresTestUrl, schema: schemas.get(store)! }),
  async destroy(store: Store) {
    await dropSchema(schemas.get(store)!);
  },
};

describe.runIf(postgresAvailable)('postgres', () => {
  runStoreContract('postgres', harness);
  runRunsQueueContract('postgres', harness);
  runFilesContract('postgres', harness);
  runConversationsContract('postgres', harness);
  runServiceAgentActionsContract('postgres', harness);
  runStoredBytesContract('postgres', harness);
});
