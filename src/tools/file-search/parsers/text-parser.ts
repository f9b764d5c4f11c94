/**
 * Plain text, Markdown, CSV, JSON and source code: strict UTF-8, or UTF-16 announced by its byte order
 * mark (OpenAI's file search takes utf-8, utf-16 and ascii text), and no binary content under a text
 * name. UTF-16 without a mark is not guessed: it reads as NUL bytes and is refused.
 */
import { DocumentError } from './document-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: false });

/** The decoder the file's byte order mark names; UTF-8 (whose mark is dropped) without one. */
function decoderOf(bytes: Uint8Array) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be;
  return utf8;
}

export function parseText(bytes: Uint8Array, filename: string): string {
  let text: string;
  try {
    text = decoderOf(bytes).decode(bytes);
  } catch {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} is not valid UTF-8 or UTF-16 text; it looks like binary content under a text name.`,
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
