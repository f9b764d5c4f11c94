/**
 * Checks a ZIP archive (DOCX) against the entry-count and uncompressed-size caps before any ZIP
 * library sees it. The central directory is read first, so an archive that admits to being too big
 * is refused without inflating anything; then every entry is inflated with an output bound (and the
 * output dropped), so an archive whose central directory lies about its sizes is refused as soon as
 * the real bytes pass the cap. ZIP64 records are followed.
 */
import { inflateRawSync } from 'node:zlib';
import { DocumentError } from './document-error.ts';

export interface ZipLimits {
  /** Most bytes all entries together may inflate to. */
  maxUncompressedBytes: number;
  /** Most entries the archive may hold. */
  maxEntries: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;
const ZIP64_EXTRA = 0x0001;

interface Entry {
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

function bigToNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

export function checkZipArchive(bytes: Uint8Array, filename: string, limits: ZipLimits): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (reason: string) =>
    new DocumentError(
      'invalid_file',
      `The file ${filename} could not be read as a DOCX document: ${reason}`,
    );
  const tooManyEntries = (count: number) =>
    new DocumentError(
      'invalid_file',
      `The file ${filename} is refused: its ZIP archive has ${count} entries, more than the limit of ${limits.maxEntries} entries per archive.`,
    );
  const tooLarge = (claimed: string) =>
    new DocumentError(
      'invalid_file',
      `The file ${filename} is refused: its ZIP entries ${claimed} more than the limit of ${limits.maxUncompressedBytes} uncompressed bytes per archive.`,
    );
  const u16 = (offset: number) => view.readUInt16LE(offset);
  const u32 = (offset: number) => view.readUInt32LE(offset);
  const inBounds = (offset: number, length: number) =>
    offset >= 0 && offset + length <= view.byteLength;

  let end = -1;
  for (
    let offset = view.byteLength - 22;
    offset >= Math.max(0, view.byteLength - 22 - 0xffff);
    offset--
  ) {
    if (u32(offset) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw corrupt('it is not a ZIP archive (no end of central directory record).');
  let entryCount = u16(end + 10);
  let directoryOffset = u32(end + 16);
  if (entryCount === 0xffff || directoryOffset === 0xffffffff) {
    const locator = end - 20;
    if (!inBounds(locator, 20) || u32(locator) !== ZIP64_END_LOCATOR)
      throw corrupt('its ZIP64 end of central directory locator is missing.');
    const zip64End = bigToNumber(view.readBigUInt64LE(locator + 8));
    if (!inBounds(zip64End, 56) || u32(zip64End) !== ZIP64_END_OF_CENTRAL_DIRECTORY)
      throw corrupt('its ZIP64 end of central directory record is missing.');
    entryCount = bigToNumber(view.readBigUInt64LE(zip64End + 32));
    directoryOffset = bigToNumber(view.readBigUInt64LE(zip64End + 48));
  }
  if (entryCount > limits.maxEntries) throw tooManyEntries(entryCount);

  // The central directory: counted by walking it too, since the end record's count may lie.
  const entries: Entry[] = [];
  let declaredTotal = 0;
  for (let offset = directoryOffset; inBounds(offset, 4) && u32(offset) === CENTRAL_ENTRY;) {
    if (!inBounds(offset, 46)) throw corrupt('its central directory is truncated.');
    if (entries.length >= limits.maxEntries) throw tooManyEntries(entries.length + 1);
    const nameLength = u16(offset + 28);
    const extraLength = u16(offset + 30);
    const commentLength = u16(offset + 32);
    const entry: Entry = {
      method: u16(offset + 10),
      compressedSize: u32(offset + 20),
      uncompressedSize: u32(offset + 24),
      localOffset: u32(offset + 42),
    };
    // ZIP64: the fields that overflowed 32 bits are in extra field 0x0001, in this order.
    let extra = offset + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd && inBounds(extra, 4)) {
      const id = u16(extra);
      const size = u16(extra + 2);
      if (id === ZIP64_EXTRA && inBounds(extra + 4, size)) {
        let field = extra + 4;
        const next = () => {
          const value =
            field + 8 <= extra + 4 + size ? bigToNumber(view.readBigUInt64LE(field)) : 0;
          field += 8;
          return value;
        };
        if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      }
      extra += 4 + size;
    }
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxUncompressedBytes) throw tooLarge('claim to expand to');
    entries.push(entry);
    offset = extraEnd + commentLength;
  }

  // The real sizes: inflate each entry with the rest of the budget as the output bound.
  let budget = limits.maxUncompressedBytes;
  for (const entry of entries) {
    const local = entry.localOffset;
    if (!inBounds(local, 30) || u32(local) !== LOCAL_ENTRY)
      throw corrupt('an entry of its central directory points outside the archive.');
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    if (!inBounds(dataStart, entry.compressedSize)) throw corrupt('an entry is truncated.');
    const data = view.subarray(dataStart, dataStart + entry.compressedSize);
    let size: number;
    if (entry.method === 0) size = data.byteLength;
    else if (entry.method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).byteLength;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          throw tooLarge('expand to');
        throw corrupt(`an entry does not inflate (${(error as Error).message}).`);
      }
    } else
      throw corrupt(`an entry uses compression method ${entry.method}, which is not supported.`);
    budget -= size;
    if (budget < 0) throw tooLarge('expand to');
  }
}
