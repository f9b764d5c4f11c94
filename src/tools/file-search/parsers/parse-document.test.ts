import { describe, expect, it } from 'vitest';
import {
  makeDocx,
  makePageTreeBombPdf,
  makePdf,
  makeZipBombDocx,
} from '../../../../test/helpers/document-fixtures.ts';
import { DocumentError } from './document-error.ts';
import { parseDocument } from './parse-document.ts';

const limits = {
  maxCharacters: 100_000,
  maxPdfPages: 10_000,
  maxZipUncompressedBytes: 64 * 1024 * 1024,
  maxZipEntries: 100,
};
const parse = (content: string | Buffer, name: string, type = 'application/octet-stream') =>
  parseDocument(typeof content === 'string' ? Buffer.from(content) : content, name, type, limits);

async function failure(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('parseDocument', () => {
  it("says when each format's parse begins, once its parser is loaded (a file's clock starts there)", async () => {
    const files: Array<[Buffer, string]> = [
      [makePdf(['Page']), 'a.pdf'],
      [makeDocx(['Paragraph']), 'a.docx'],
      [Buffer.from('<p>Hi</p>'), 'a.html'],
      [Buffer.from('plain'), 'a.txt'],
    ];
    for (const [bytes, name] of files) {
      const marks: string[] = [];
      const text = parseDocument(bytes, name, 'application/octet-stream', limits, () =>
        marks.push('parsing'),
      );
      marks.push('called');
      await text;
      // PDF and DOCX load their parser first (after the call returns); the others begin at once.
      expect(marks).toEqual(
        name.endsWith('.pdf') || name.endsWith('.docx')
          ? ['called', 'parsing']
          : ['parsing', 'called'],
      );
    }
    let unsupported = 0;
    await parseDocument(Buffer.from('x'), 'a.exe', 'application/octet-stream', limits, () => {
      unsupported++;
    }).catch(() => {});
    expect(unsupported).toBe(0);
  });

  it('reads PDF pages in order', async () => {
    expect(await parse(makePdf(['First (page)', 'Second page']), 'a.pdf')).toBe(
      'First (page)\n\nSecond page',
    );
  });

  it('reads DOCX paragraphs', async () => {
    expect(await parse(makeDocx(['Título <uno>', 'Second & last']), 'a.docx')).toBe(
      'Título <uno>\n\nSecond & last',
    );
  });

  it('turns HTML into text without scripts, styles or tags', async () => {
    const html =
      '<html><head><title>T</title><style>h1{color:red}</style></head><body><h1>Head&eacute;</h1><p>One&nbsp;two &#x1F600; &lt;tag&gt;</p><script>alert(1)</script><!-- hidden --></body></html>';
    const text = await parse(html, 'page.html');
    expect(text).toContain('One two \u{1F600} <tag>');
    expect(text).not.toMatch(/alert|color|hidden|<h1>/);
    // Only real entities are decoded: inherited object keys are not entity names.
    expect(await parse('<p>&constructor; &toString; &amp;</p>', 'keys.html')).toBe(
      '&constructor; &toString; &',
    );
  });

  it('keeps text, Markdown, CSV, JSON and code as they are (CRLF normalised, BOM dropped)', async () => {
    expect(await parse('\uFEFFa,b\r\n1,2\r\n', 'data.csv')).toBe('a,b\n1,2\n');
    expect(await parse('# Title\n\nBody ☃', 'notes.md')).toBe('# Title\n\nBody ☃');
    expect(await parse('{"k": [1, 2]}', 'x.json')).toBe('{"k": [1, 2]}');
    expect(await parse('fn main() {}', 'main.rs')).toBe('fn main() {}');
    expect(await parse('no extension', 'README', 'text/plain')).toBe('no extension');
  });

  it('reads UTF-16 text by its byte order mark, as OpenAI accepts utf-8, utf-16 and ascii', async () => {
    const text = 'Returns within thirty days ☃\r\nwith a receipt.';
    const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const big = Buffer.from(little).swap16();
    expect(await parse(little, 'returns.txt')).toBe(
      'Returns within thirty days ☃\nwith a receipt.',
    );
    expect(await parse(big, 'returns.md')).toBe('Returns within thirty days ☃\nwith a receipt.');
    // A BOM followed by an odd number of bytes is not UTF-16 either.
    await expect(parse(Buffer.from([0xff, 0xfe, 0x41]), 'odd.txt')).rejects.toThrow(
      /not valid UTF-8 or UTF-16 text/,
    );
  });

  it.each([
    ['an empty file', '', 'empty.txt', 'invalid_file', /is empty/],
    [
      'binary bytes under a text name',
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      'photo.txt',
      'invalid_file',
      /not valid UTF-8 or UTF-16 text/,
    ],
    [
      'NUL bytes in valid UTF-8',
      Buffer.from('abc\u0000def'),
      'odd.md',
      'invalid_file',
      /NUL bytes/,
    ],
    [
      'a corrupt PDF',
      '%PDF-1.4\nnot really',
      'bad.pdf',
      'invalid_file',
      /could not be read as a PDF/,
    ],
    ['a truncated PDF', makePdf(['Some text']).subarray(0, 120), 'cut.pdf', 'invalid_file', /PDF/],
    [
      'a corrupt DOCX',
      'PK\u0003\u0004 broken',
      'bad.docx',
      'invalid_file',
      /could not be read as a DOCX/,
    ],
    [
      'an image',
      Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      'image.png',
      'unsupported_file',
      /\[\.png\]/,
    ],
    ['a file without extension or text type', 'data', 'blob', 'unsupported_file', /no extension/],
    [
      'a document with only whitespace',
      '   \n\t  ',
      'blank.txt',
      'invalid_file',
      /No text could be extracted/,
    ],
  ])('refuses %s with a DocumentError', async (_label, content, name, code, message) => {
    const error = await failure(parse(content as string | Buffer, name));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('stops reading a PDF as soon as its text passes the limit', async () => {
    const pages = Array.from({ length: 2000 }, (_, index) => `Page ${index} of a long manual.`);
    const error = await failure(
      parseDocument(makePdf(pages), 'long.pdf', 'application/pdf', {
        ...limits,
        maxCharacters: 500,
      }),
    );
    expect(error.message).toMatch(/passes 500 characters by page \d+ of 2000/);
  });

  it('refuses a DOCX zip bomb from its central directory, naming the cap', async () => {
    const bomb = makeZipBombDocx(340);
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const error = await failure(parse(bomb, 'bomb.docx'));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toBe(
      'The file bomb.docx is refused: its ZIP entries claim to expand to more than the limit of 67108864 uncompressed bytes per archive.',
    );
  });

  it('refuses a zip bomb whose central directory lies about its size, once the real bytes pass the cap', async () => {
    const error = await failure(parse(makeZipBombDocx(340, { declaredSize: 1000 }), 'liar.docx'));
    expect(error.message).toBe(
      'The file liar.docx is refused: its ZIP entries expand to more than the limit of 67108864 uncompressed bytes per archive.',
    );
  });

  it('refuses a DOCX with more ZIP entries than the cap', async () => {
    const error = await failure(
      parseDocument(makeDocx(['a']), 'many.docx', 'application/octet-stream', {
        ...limits,
        maxZipEntries: 2,
      }),
    );
    expect(error.message).toMatch(/has 3 entries, more than the limit of 2 entries per archive/);
  });

  it('refuses a 2 KB PDF whose page tree holds 10^8 pages, before reading a page', async () => {
    const bomb = makePageTreeBombPdf();
    expect(bomb.byteLength).toBeLessThan(2048);
    const error = await failure(parse(bomb, 'pages.pdf'));
    expect(error.message).toBe(
      'The file pages.pdf is refused: it has 100000000 pages, more than the limit of 10000 pages per PDF.',
    );
  });
});
