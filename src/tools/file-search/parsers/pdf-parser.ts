/**
 * PDF text through unpdf (pdf.js), page by page, stopping as soon as the text passes the size limit.
 * The page count is checked first: a page tree may repeat one page object, so a 2 KB file can hold
 * 10^8 pages.
 */
import { getDocumentProxy } from 'unpdf';
import { DocumentError } from './document-error.ts';

interface TextItem {
  str?: string;
  hasEOL?: boolean;
}

export async function parsePdf(
  bytes: Uint8Array,
  filename: string,
  limits: { maxCharacters: number; maxPages: number },
): Promise<string> {
  const { maxCharacters, maxPages } = limits;
  let document: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    document = await getDocumentProxy(new Uint8Array(bytes), {
      verbosity: 0,
      isEvalSupported: false,
    });
  } catch (error) {
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} could not be read as a PDF: ${(error as Error).message}`,
    );
  }
  try {
    if (document.numPages > maxPages) {
      throw new DocumentError(
        'invalid_file',
        `The file ${filename} is refused: it has ${document.numPages} pages, more than the limit of ${maxPages} pages per PDF.`,
      );
    }
    const pages: string[] = [];
    let characters = 0;
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = (content.items as TextItem[])
        .map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : ''))
        .join('');
      page.cleanup();
      characters += text.length;
      if (characters > maxCharacters) {
        throw new DocumentError(
          'invalid_file',
          `The file ${filename} is too large for file search: its text passes ${maxCharacters} characters by page ${number} of ${document.numPages}.`,
        );
      }
      pages.push(text.trim());
    }
    return pages.filter((text) => text !== '').join('\n\n');
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError(
      'invalid_file',
      `The file ${filename} could not be read as a PDF: ${(error as Error).message}`,
    );
  } finally {
    await document.destroy();
  }
}
