/**
 * Picks the parser for a file by its extension (or, without one, its media type) and returns its text.
 * Throws `DocumentError` for unsupported formats, corrupt or binary content, and documents without text.
 */
import { DocumentError } from './document-error.ts';
import { parseHtml } from './html-parser.ts';
import { parseText } from './text-parser.ts';

const TEXT_EXTENSIONS = new Set(
  (
    'txt md markdown mdx rst adoc csv tsv json jsonl ndjson xml yaml yml toml ini cfg conf log tex bib ' +
    'c h cc cpp hpp cs css scss less go java kt kts scala js mjs cjs jsx ts tsx php py rb rs sh bash zsh ps1 sql swift ' +
    'lua pl r dart ex exs erl hs ml vue svelte graphql proto dockerfile makefile gradle'
  ).split(' '),
);

/** The caps on one file's parse, so a hostile document fails with a message instead of exhausting memory. */
export interface ParseLimits {
  /** Most characters of text extracted from one file, checked before the token limit. */
  maxCharacters: number;
  /** Most pages of a PDF. */
  maxPdfPages: number;
  /** Most bytes the entries of a ZIP-based document (DOCX) may inflate to, together. */
  maxZipUncompressedBytes: number;
  /** Most entries of a ZIP-based document. */
  maxZipEntries: number;
}

function extensionOf(filename: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(filename);
  return match ? match[1]!.toLowerCase() : '';
}

export async function parseDocument(
  bytes: Uint8Array,
  filename: string,
  contentType: string,
  limits: ParseLimits,
  /** Called once the format's parser is loaded, as its parse begins (a file's clock starts there). */
  parsing: () => void = () => {},
): Promise<string> {
  if (bytes.byteLength === 0)
    throw new DocumentError('invalid_file', `The file ${filename} is empty.`);
  const extension = extensionOf(filename);
  let text: string;
  // pdf.js and mammoth load on first use: a parse worker that only sees text starts faster.
  if (extension === 'pdf') {
    const { parsePdf } = await import('./pdf-parser.ts');
    parsing();
    text = await parsePdf(bytes, filename, {
      maxCharacters: limits.maxCharacters,
      maxPages: limits.maxPdfPages,
    });
  } else if (extension === 'docx') {
    const { parseDocx } = await import('./docx-parser.ts');
    parsing();
    text = await parseDocx(bytes, filename, {
      maxUncompressedBytes: limits.maxZipUncompressedBytes,
      maxEntries: limits.maxZipEntries,
    });
  } else if (extension === 'html' || extension === 'htm') {
    parsing();
    text = parseHtml(bytes, filename);
  } else if (
    TEXT_EXTENSIONS.has(extension) ||
    (extension === '' && contentType.startsWith('text/'))
  ) {
    parsing();
    text = parseText(bytes, filename);
  } else {
    const shown = extension === '' ? 'no extension' : `extension [.${extension}]`;
    throw new DocumentError(
      'unsupported_file',
      `Files with ${shown} are not supported for file search. Supported: text, Markdown, HTML, JSON, CSV, source code, PDF and DOCX.`,
    );
  }
  if (text.length > limits.maxCharacters) {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} is too large for file search: its text has ${text.length} characters, more than the limit of ${limits.maxCharacters} characters per file.`,
    );
  }
  if (text.trim() === '')
    throw new DocumentError('invalid_file', `No text could be extracted from ${filename}.`);
  return text;
}
