/**
 * The parse worker: a hostile file spends a worker thread's memory and time, never the event loop's,
 * and fails with a message naming the cap it hit; the parser keeps working for the next file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  makePageTreeBombPdf,
  makePdf,
  makeZipBombDocx,
} from '../../../test/helpers/document-fixtures.ts';
import { AUTO_CHUNKING } from '../../domain/vector-store.ts';
import { createDocumentParser, type DocumentParserOptions } from './document-parser.ts';
import { DocumentError } from './parsers/document-error.ts';

const options: DocumentParserOptions = {
  limits: {
    maxCharacters: 1_000_000_000,
    maxPdfPages: 1_000_000_000,
    maxZipUncompressedBytes: 1024 * 1024 * 1024,
    maxZipEntries: 10_000,
  },
  memoryMb: 64,
  timeoutMilliseconds: 1500,
  maxChunksPerFile: 1000,
};
const pdf = (bytes: Buffer, filename = 'a.pdf') => ({
  bytes,
  filename,
  contentType: 'application/pdf',
});

async function failure(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('document parser (worker threads)', () => {
  const parser = createDocumentParser(options);
  afterAll(() => parser.close());

  it('parses and chunks in a worker', async () => {
    expect(await parser.text(pdf(makePdf(['First', 'Second'])))).toBe('First\n\nSecond');
    expect(
      await parser.chunks(pdf(makePdf(['Only page'])), {
        strategy: AUTO_CHUNKING,
        maxTokens: 1000,
      }),
    ).toEqual(['Only page']);
  });

  it('stops a parse at the time cap while the event loop keeps running, then parses the next file', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    let ticksWhenDone = -1;
    const parse = parser.text(pdf(makePageTreeBombPdf(), 'pages.pdf')).finally(() => {
      ticksWhenDone = ticks;
    });
    try {
      const error = await failure(parse);
      expect(error.message).toBe(
        'The file pages.pdf is refused: parsing it took longer than the limit of 1.5 s per file.',
      );
    } finally {
      clearInterval(ticker);
    }
    // The timer fired during the parse: the parse did not hold the event loop.
    expect(ticksWhenDone).toBeGreaterThan(0);
    expect(await parser.text(pdf(makePdf(['After'])))).toBe('After');
  });

  it('stops a parse at the memory cap, then parses the next file', async () => {
    // 30 MB of empty paragraphs: mammoth's DOM of them needs far more than 64 MB.
    const text = {
      bytes: makeZipBombDocx(30, { paragraphs: true }),
      filename: 'huge.docx',
      contentType: 'application/octet-stream',
    };
    // Its own parser, with time enough to reach the memory cap on a slow machine.
    const patient = createDocumentParser({ ...options, timeoutMilliseconds: 120_000 });
    try {
      const error = await failure(patient.text(text));
      expect(error.message).toBe(
        'The file huge.docx is refused: parsing it needed more than the limit of 64 MB of memory per file.',
      );
      expect(await patient.text(pdf(makePdf(['Still here'])))).toBe('Still here');
    } finally {
      await patient.close();
    }
  });

  it('refuses a file that would make more chunks than the cap', async () => {
    const small = createDocumentParser({ ...options, maxChunksPerFile: 1 });
    try {
      const words = Array.from({ length: 3000 }, (_, index) => `word${index}`).join(' ');
      const error = await failure(
        small.chunks(
          { bytes: Buffer.from(words), filename: 'w.txt', contentType: 'text/plain' },
          { strategy: AUTO_CHUNKING, maxTokens: 1_000_000 },
        ),
      );
      expect(error.message).toMatch(/more than the limit of 1 chunks per file/);
    } finally {
      await small.close();
    }
  });

  it('queues parses beyond maxWorkers and runs them all', async () => {
    const one = createDocumentParser({ ...options, maxWorkers: 1, maxIdleWorkers: 1 });
    try {
      const texts = await Promise.all(
        ['One', 'Two', 'Three'].map((text) => one.text(pdf(makePdf([text])))),
      );
      expect(texts).toEqual(['One', 'Two', 'Three']);
    } finally {
      await one.close();
    }
  });
});
