/** DOCX text through mammoth's raw-text extraction. */
import mammoth from 'mammoth';
import { DocumentError } from './document-error.ts';

export async function parseDocx(bytes: Uint8Array, filename: string): Promise<string> {
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
