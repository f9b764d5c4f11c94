/** DOCX text through mammoth's raw-text extraction, once the ZIP has passed the archive caps. */
import mammoth from 'mammoth';
import { DocumentError } from './document-error.ts';
import { checkZipArchive, type ZipLimits } from './zip-limits.ts';

export async function parseDocx(
  bytes: Uint8Array,
  filename: string,
  limits: ZipLimits,
): Promise<string> {
  checkZipArchive(bytes, filename, limits);
  try {
    const result = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    return result.value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (error) {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} could not be read as a DOCX document: ${(error as Error).message}`,
    );
  }
}
