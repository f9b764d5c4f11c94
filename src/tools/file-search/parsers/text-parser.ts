/** Plain text, Markdown, CSV, JSON and source code: strict UTF-8, and no binary content under a text name. */
import { DocumentError } from './document-error.ts';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseText(bytes: Uint8Array, filename: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} is not valid UTF-8 text; it looks like binary content under a text name.`,
    );
  }
  if (text.includes('\u0000')) {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} contains NUL bytes; it looks like binary content under a text name.`,
    );
  }
  return text.replaceAll('\r\n', '\n');
}
