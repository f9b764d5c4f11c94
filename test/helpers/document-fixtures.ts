/**
 * Generates real PDF and DOCX files for parser and ingestion tests: a PDF 1.4 with one text line per
 * page in Helvetica, and a DOCX (a stored ZIP) with one paragraph per string. Small, deterministic, no
 * external tools. Also the hostile ones: a PDF whose page tree holds 10^8 pages in 2 KB, and a DOCX
 * zip bomb whose document inflates to hundreds of MB.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

function pdfEscape(text: string): string {
  return text.replace(/[\\()]/g, (character) => `\\${character}`);
}

/** A PDF whose page `i` shows `pages[i]` (Latin-1 text). */
export function makePdf(pages: string[]): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, index) => 4 + index * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  pages.forEach((text, index) => {
    const stream = `BT /F1 12 Tf 72 720 Td (${pdfEscape(text)}) Tj ET`;
    objects[pageIds[index]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[index]! + 1} 0 R >>`;
    objects[pageIds[index]! + 1] =
      `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  });
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++)
    body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * A 2 KB PDF with 10^`levels` real pages: each node of its page tree lists the node below ten times,
 * down to one page object, so `/Count` (100000000 by default) is true as far as pdf.js can tell.
 */
export function makePageTreeBombPdf(levels = 8): Buffer {
  const objects: string[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  for (let level = 0; level < levels; level++) {
    const id = 2 + level;
    const child = `${id + 1} 0 R`;
    const parent = level === 0 ? '' : `/Parent ${id - 1} 0 R `;
    objects[id] =
      `<< /Type /Pages ${parent}/Kids [${Array.from({ length: 10 }, () => child).join(' ')}] /Count ${10 ** (levels - level)} >>`;
  }
  const page = 2 + levels;
  const stream = 'BT /F1 12 Tf 72 720 Td (Hello) Tj ET';
  objects[page] =
    `<< /Type /Page /Parent ${page - 1} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${page + 2} 0 R >> >> /Contents ${page + 1} 0 R >>`;
  objects[page + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  objects[page + 2] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = body.length;
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++)
    body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A ZIP entry given already deflated, with the sizes the central directory should state. */
interface DeflatedEntry {
  deflated: Buffer;
  checksum: number;
  declaredSize: number;
}

/** A ZIP archive with the given entries: strings stored without compression, others deflated. */
function zip(entries: Record<string, string | DeflatedEntry>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const stored = typeof content === 'string' ? Buffer.from(content, 'utf8') : undefined;
    const data = stored ?? (content as DeflatedEntry).deflated;
    const size = stored ? stored.length : (content as DeflatedEntry).declaredSize;
    const checksum = stored ? crc32(stored) : (content as DeflatedEntry).checksum;
    const method = stored ? 0 : 8;
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function xmlEscape(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[character]!,
  );
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const ROOT_RELATIONSHIPS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';

/**
 * A DOCX zip bomb: `word/document.xml` inflates to about `megabytes` MB from a few hundred KB, of
 * spaces, or with `paragraphs` of empty paragraphs (a DOM of millions of nodes for whoever parses it).
 * The deflate stream is one flushed 1 MB block repeated, so building it costs no more than the file.
 * `declaredSize` makes the central directory lie about the inflated size (default: the truth).
 */
export function makeZipBombDocx(
  megabytes: number,
  options: { declaredSize?: number; paragraphs?: boolean } = {},
): Buffer {
  const unit = options.paragraphs ? '<w:p/>' : ' ';
  const block = Buffer.alloc(Math.floor((1024 * 1024) / unit.length) * unit.length, unit);
  const head = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>',
  );
  const tail = Buffer.from('</w:body></w:document>');
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const flushedBlock = deflateRawSync(block, flush);
  let checksum = crc32(head);
  for (let index = 0; index < megabytes; index++) checksum = crc32(block, checksum);
  checksum = crc32(tail, checksum);
  const size = head.length + megabytes * block.length + tail.length;
  return zip({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': ROOT_RELATIONSHIPS,
    'word/document.xml': {
      deflated: Buffer.concat([
        deflateRawSync(head, flush),
        ...Array.from({ length: megabytes }, () => flushedBlock),
        deflateRawSync(tail),
      ]),
      checksum,
      declaredSize: options.declaredSize ?? size,
    },
  });
}

/** A DOCX document with one paragraph per string. */
export function makeDocx(paragraphs: string[]): Buffer {
  const body = paragraphs
    .map((text) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`)
    .join('');
  return zip({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': ROOT_RELATIONSHIPS,
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  });
}
