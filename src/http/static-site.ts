/**
 * Serves a built single-page site (the playground's `web/dist`) from memory: every file is read once at
 * start and compressed on its first request (so a server that never serves the page never pays for it),
 * then answered with its content type, an ETag, and gzip or brotli when the client accepts them.
 * Hashed files under `assets/` are cached for a year; everything else is revalidated.
 * A path without a file extension that matches no file is a client route and gets `index.html`; paths
 * under the API prefixes never do, so `/v1/*` and `/health` keep their JSON 404s.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../domain/errors.ts';

export interface StaticSiteOptions {
  /** The folder holding `index.html` and its assets. */
  root: string;
  /** Path prefixes that belong to the API: no file and no fallback is served under them. */
  apiPrefixes: string[];
}

interface StaticFile {
  body: Buffer;
  compressible: boolean;
  gzip?: Buffer;
  brotli?: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** The page talks only to this server: no CDN, no third-party script, style, font or connection. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function walk(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function load(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const path of walk(root)) {
    const name = `/${relative(root, path).split(sep).join('/')}`;
    const extension = extname(path).toLowerCase();
    const body = readFileSync(path);
    files.set(name, {
      body,
      compressible: COMPRESSIBLE.has(extension) && body.length > 512,
      type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: name.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply
    .header('content-type', file.type)
    .header('cache-control', file.cacheControl)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff');
  if (file.type.startsWith('text/html')) {
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'no-referrer');
  }
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.compressible && /\bbr\b/.test(accepted)) {
    file.brotli ??= brotliCompressSync(file.body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    });
    return reply.header('content-encoding', 'br').send(file.brotli);
  }
  if (file.compressible && /\bgzip\b/.test(accepted)) {
    file.gzip ??= gzipSync(file.body, { level: 9 });
    return reply.header('content-encoding', 'gzip').send(file.gzip);
  }
  return reply.send(file.body);
}

/**
 * A Fastify plugin (for `createHttpServer`'s `plugins`) serving the site under `root` at `/`.
 * Throws at start when `root` has no `index.html`, so a missing build is found at once, not by a user.
 * The files are read (and hashed) with the first page request, not at start.
 */
export function staticSitePlugin({ root, apiPrefixes }: StaticSiteOptions) {
  if (!existsSync(join(root, 'index.html')))
    throw new Error(`The playground build is missing: ${join(root, 'index.html')} does not exist.`);
  let loaded: Map<string, StaticFile> | undefined;
  const isApiPath = (path: string) =>
    apiPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

  return async (app: FastifyInstance) => {
    app.get('/*', async (request, reply) => {
      const path = request.url.split('?')[0]!;
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        decoded = path;
      }
      const files = (loaded ??= load(root));
      const index = files.get('/index.html')!;
      const file = files.get(decoded) ?? (decoded === '/' ? index : undefined);
      if (file) return send(request, reply, file);
      if (isApiPath(decoded) || extname(decoded) !== '') {
        throw new NotFoundError(`Invalid URL (${request.method} ${path})`);
      }
      return send(request, reply, index);
    });
  };
}
