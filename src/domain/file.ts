/** The file object: bytes in the blob store, metadata in the database. */

/** Purposes a client may upload with. */
export const UPLOAD_PURPOSES = [
  'assistants',
  'batch',
  'fine-tune',
  'vision',
  'user_data',
  'evals',
] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

/** Every purpose a stored file may carry (`assistants_output` is written by code_interpreter, never uploaded). */
export const FILE_PURPOSES = [
  ...UPLOAD_PURPOSES,
  'assistants_output',
  'batch_output',
  'fine-tune-results',
] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: FilePurpose;
  /** Deprecated by OpenAI but required; always `processed` once the bytes are stored. */
  status: 'uploaded' | 'processed' | 'error';
  expires_at: number | null;
  status_details: string | null;
}
