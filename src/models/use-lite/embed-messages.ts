/** The messages between the local embedding model and its worker threads. */
export interface EmbedRequest {
  id: number;
  texts: string[];
}

export type EmbedResponse =
  | { id: number; vectors: Float32Array[] }
  | { id: number; failure: string }
  | { ready: true }
  | { loadFailure: string };
