/**
 * `input_file` content parts as text: an uploaded file of the project (`file_id`), or the bytes sent
 * inline (`file_data`, base64 or a `data:` URL, with `filename`), read by the document parsers that
 * file search uses (PDF, Office, HTML, text…). `file_url` is refused: this server does not fetch
 * URLs for a response.
 */
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import type { InputFile } from '../../domain/response-item.ts';
import { mediaTypeOf } from '../files/media-type.ts';
import type { ResponseFileReader } from './response-history.ts';

/**
 * What the reader is built on; both throw `InvalidRequestError` for a file that has no text, and
 * `ofFile` a `NotFoundError` for a file the project does not have.
 */
export interface DocumentText {
  /** The text of an uploaded file of the project. */
  ofFile(projectId: string, fileId: string): Promise<string>;
  /** The text of bytes the request carried. */
  ofBytes(document: { bytes: Uint8Array; filename: string; contentType: string }): Promise<string>;
}

const DATA_URL = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * `maxFileBytes` caps what `file_data` may decode to: the limit uploads have
 * (`CONCIERGE_FILE_SIZE_LIMIT`), so inline bytes are no way around it.
 */
export function createResponseFileReader(
  documents: DocumentText,
  maxFileBytes: number,
): ResponseFileReader {
  return async (projectId, part) => {
    if (part.file_id) return documents.ofFile(projectId, part.file_id);
    if (part.file_data) {
      const data = DATA_URL.exec(part.file_data);
      const payload = (data ? data[2]! : part.file_data).replace(/\s+/g, '');
      if (!BASE64.test(payload))
        throw new InvalidRequestError('file_data must be base64, or a data: URL with base64.');
      if (!part.filename) throw new InvalidRequestError('A filename is required with file_data.');
      if (Math.floor((payload.replace(/=+$/, '').length * 3) / 4) > maxFileBytes)
        throw new InvalidRequestError(
          `file_data is too large: this server accepts files up to ${maxFileBytes} bytes (CONCIERGE_FILE_SIZE_LIMIT).`,
        );
      return documents.ofBytes({
        bytes: Buffer.from(payload, 'base64'),
        filename: part.filename,
        contentType: mediaTypeOf(part.filename, data?.[1]),
      });
    }
    throw new InvalidRequestError(
      'file_url is not supported: this server does not fetch URLs. Upload the file and send its file_id, or send its bytes as file_data.',
    );
  };
}

/**
 * Reads every `input_file` part of `items` once, so a file without text is refused (400 naming the
 * part) before the response starts.
 */
export async function checkInputFiles(
  projectId: string,
  items: ReadonlyArray<{ type: string; content?: unknown }>,
  read: ResponseFileReader,
  param = 'input',
): Promise<void> {
  for (const [index, item] of items.entries()) {
    if (item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const [partIndex, part] of (item.content as Array<{ type: string }>).entries()) {
      if (part.type !== 'input_file') continue;
      try {
        await read(projectId, part as InputFile);
      } catch (error) {
        const at = `${param}[${index}].content[${partIndex}]`;
        if (error instanceof NotFoundError)
          throw new NotFoundError(error.message, `${at}.file_id`, error.code);
        if (error instanceof InvalidRequestError) throw new InvalidRequestError(error.message, at);
        throw error;
      }
    }
  }
}
