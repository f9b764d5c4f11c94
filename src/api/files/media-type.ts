/**
 * Media types by file extension. The SDK's `toFile(buffer, name)` sends `application/octet-stream`,
 * so the type of such an upload is inferred from its filename.
 */
const BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  json: 'application/json',
  jsonl: 'application/jsonl',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  c: 'text/x-c',
  h: 'text/x-c',
  cpp: 'text/x-c++',
  cs: 'text/x-csharp',
  css: 'text/css',
  go: 'text/x-golang',
  java: 'text/x-java',
  js: 'text/javascript',
  mjs: 'text/javascript',
  ts: 'application/typescript',
  tsx: 'application/typescript',
  jsx: 'text/javascript',
  php: 'text/x-php',
  py: 'text/x-python',
  rb: 'text/x-ruby',
  rs: 'text/x-rust',
  sh: 'application/x-sh',
  sql: 'application/sql',
  tex: 'text/x-tex',
  kt: 'text/x-kotlin',
  swift: 'text/x-swift',
};

/** The lower-cased extension of a filename without its dot, or '' when it has none. */
export function extensionOf(filename: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(filename);
  return match ? match[1]!.toLowerCase() : '';
}

/** The declared type, unless it is missing or generic; then the type the filename implies. */
export function mediaTypeOf(filename: string, declared: string | undefined): string {
  const clean = declared?.split(';')[0]?.trim().toLowerCase();
  if (clean && clean !== 'application/octet-stream' && clean !== 'binary/octet-stream')
    return clean;
  return BY_EXTENSION[extensionOf(filename)] ?? 'application/octet-stream';
}
