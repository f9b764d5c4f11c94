/** A file that cannot be indexed; its `code` and message become the vector store file's `last_error`. */
export class DocumentError extends Error {
  override name = 'DocumentError';
  constructor(
    readonly code: 'unsupported_file' | 'invalid_file',
    message: string,
  ) {
    super(message);
  }
}
