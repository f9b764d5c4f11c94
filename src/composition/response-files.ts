/**
 * The document reading that `input_file` parts of responses use: the parsers of file search (worker
 * threads with their caps), on an uploaded file or on bytes the request carried. A file without text
 * is the client's error (400), an unknown file id a 404.
 */
import { createResponseFileReader } from '../api/responses/response-files.ts';
import type { ResponseFileReader } from '../api/responses/response-history.ts';
import { nowSeconds } from '../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../domain/errors.ts';
import { readDocumentText } from '../tools/file-search/ingest-file.ts';
import { DocumentError } from '../tools/file-search/parsers/document-error.ts';
import type { Persistence } from './persistence.ts';
import type { Retrieval } from './retrieval.ts';

async function asRequestError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DocumentError) throw new InvalidRequestError(error.message);
    throw error;
  }
}

export function responseFileReader(
  { store, blobs }: Pick<Persistence, 'store' | 'blobs'>,
  { parser }: Pick<Retrieval, 'parser'>,
  fileSizeLimit: number,
): ResponseFileReader {
  return createResponseFileReader(
    {
      async ofFile(projectId, fileId) {
        if (!(await store.files.find(projectId, fileId, nowSeconds())))
          throw NotFoundError.object('file', fileId, 'file_id');
        return asRequestError(readDocumentText({ store, blobs, parser }, projectId, fileId));
      },
      ofBytes: (document) => asRequestError(parser.text(document)),
    },
    fileSizeLimit,
  );
}
