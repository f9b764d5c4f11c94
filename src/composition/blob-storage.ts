/**
 * File bytes: an S3-API bucket when `blobUrl` names one, else local disk under `dataDir`. The AWS SDK
 * is loaded only for S3, so a local-disk server does not pay for it at start.
 */
import type { BlobStore } from '../blobs/blob-store.ts';
import { createLocalDiskBlobStore } from '../blobs/local-disk/local-disk-blob-store.ts';
import type { Config } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';

/** The blob store `config` names, and how to release it. */
export async function openBlobStore(config: Config): Promise<BlobStore & { close(): void }> {
  if (config.blobUrl === undefined)
    return Object.assign(createLocalDiskBlobStore(config.dataDir), { close() {} });
  const { createS3BlobStore, parseS3Url } = await import('../blobs/s3/s3-blob-store.ts');
  const endpoint = config.awsEndpointUrlS3 ?? config.awsEndpointUrl;
  const { awsAccessKeyId, awsSecretAccessKey, awsSessionToken } = config;
  const store = createS3BlobStore({
    ...parseS3Url(config.blobUrl),
    client: {
      region: config.awsRegion ?? config.awsDefaultRegion ?? 'us-east-1',
      ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: config.blobS3ForcePathStyle ?? endpoint !== undefined,
      ...(awsAccessKeyId !== undefined && awsSecretAccessKey !== undefined
        ? {
            credentials: {
              accessKeyId: awsAccessKeyId,
              secretAccessKey: awsSecretAccessKey.reveal(),
              ...(awsSessionToken === undefined ? {} : { sessionToken: awsSessionToken.reveal() }),
            },
          }
        : {}),
    },
  });
  // A missing bucket or refused credentials stop the start, not the first upload.
  try {
    await store.check();
  } catch (error) {
    store.close();
    throw new ConfigError(`CONCIERGE_BLOB_URL=${config.blobUrl}: ${(error as Error).message}`);
  }
  return store;
}
