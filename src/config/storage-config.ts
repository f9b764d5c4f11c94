/**
 * Where file bytes live, and how long the janitor keeps what nobody deleted. Spread into the one
 * schema (`config-schema.ts`); the AWS settings use the standard AWS variable names, so a deployment
 * configured for the AWS CLI needs nothing more.
 */
import { z } from 'zod';
import { Secret } from './secret.ts';

const secret = z
  .string()
  .min(1)
  .transform((value) => new Secret(value));

const days = z.coerce.number().positive();

export const StorageConfigShape = {
  /** `s3://bucket/prefix` keeps file bytes in an S3-API bucket; unset keeps them under `dataDir/blobs`. */
  blobUrl: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be s3://bucket/prefix')
    .optional(),
  /** The S3 region (`AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`). */
  awsRegion: z.string().min(1).optional(),
  awsDefaultRegion: z.string().min(1).optional(),
  /** The S3 endpoint, for MinIO, R2, Ceph or GCS (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`). */
  awsEndpointUrlS3: z.string().url().optional(),
  awsEndpointUrl: z.string().url().optional(),
  /** Static credentials; unset, the AWS SDK's default chain applies (profiles, instance or pod roles). */
  awsAccessKeyId: z.string().min(1).optional(),
  awsSecretAccessKey: secret.optional(),
  awsSessionToken: secret.optional(),
  /**
   * Path-style bucket addressing (`endpoint/bucket/key`), which MinIO and most S3-compatible servers
   * need. Unset: on when an endpoint is set, off for AWS itself.
   */
  blobS3ForcePathStyle: z
    .preprocess(
      (value) => (value === 'true' ? true : value === 'false' ? false : value),
      z.boolean(),
    )
    .optional(),
  /** Days after its last activity (its newest message or run) that the janitor deletes a thread. */
  threadRetentionDays: days.optional(),
  /**
   * Days after its creation that the janitor deletes a stored response, with its run; the thread of
   * its run goes with the run's last response. A response whose run is active is kept.
   */
  responseRetentionDays: days.optional(),
  /** Days a vector store stays `expired` (so it can still be renewed) before the janitor deletes it. */
  vectorStoreExpiredRetentionDays: z.coerce.number().min(0).default(7),
  /** Seconds between the janitor's passes (expired files and vector stores, retention, orphaned blobs). */
  janitorIntervalSeconds: z.coerce.number().positive().default(60),
  /**
   * Seconds between sweeps for blobs no file refers to (left by a crash between a file's row and its
   * blob being deleted). A blob is deleted at the first sweep that finds it unreferenced for this long.
   */
  blobSweepIntervalSeconds: z.coerce.number().positive().default(3600),
};

export const STORAGE_ENVIRONMENT_VARIABLES = {
  blobUrl: 'CONCIERGE_BLOB_URL',
  awsRegion: 'AWS_REGION',
  awsDefaultRegion: 'AWS_DEFAULT_REGION',
  awsEndpointUrlS3: 'AWS_ENDPOINT_URL_S3',
  awsEndpointUrl: 'AWS_ENDPOINT_URL',
  awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  awsSessionToken: 'AWS_SESSION_TOKEN',
  blobS3ForcePathStyle: 'CONCIERGE_BLOB_S3_FORCE_PATH_STYLE',
  threadRetentionDays: 'CONCIERGE_THREAD_RETENTION_DAYS',
  responseRetentionDays: 'CONCIERGE_RESPONSE_RETENTION_DAYS',
  vectorStoreExpiredRetentionDays: 'CONCIERGE_VECTOR_STORE_EXPIRED_RETENTION_DAYS',
  janitorIntervalSeconds: 'CONCIERGE_JANITOR_INTERVAL_SECONDS',
  blobSweepIntervalSeconds: 'CONCIERGE_BLOB_SWEEP_INTERVAL_SECONDS',
} as const;
