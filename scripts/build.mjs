// Compiles src/ to dist/: one JavaScript module per TypeScript module, relative imports rewritten from
// `.ts` to `.js`, and the files the code reads beside itself (worker entries, contracts, schemas,
// kernels) copied along. `npm ci` runs it (`prepare`), and `bin/concierge.mjs` runs it when dist/ is
// missing or older than src/, so `npm ci && npm start` needs no separate step and never runs stale code.
//
// The command itself runs a bundle of the same sources, dist/bundle/: the CLI entry and a chunk per
// lazily imported part (code splitting), with the packages start-up loads inside (BUNDLED_PACKAGES).
// Node 20's module loaders resolve, read and compile each file on its own, and start-up loaded about
// 730 ES modules (ours, kysely's 263, zod's 95) and 400 CommonJS ones; the bundle is a few dozen files. Worker threads keep starting from the per-module tree,
// and a bundled module's `import.meta.url` and `import.meta.dirname` name its file in that tree, so
// the files it opens beside itself are found where they were. `dist/bundle/modules.json` lists the
// source modules in each bundle file (the start-up test reads it).
//
// esbuild (installed with tsx), not tsc: it emits the whole tree in about a second where tsc takes half a minute of CPU on
// two cores; type checking stays in `npm run check`. Each module keeps its own file, so
// `import.meta.url` and the lazy `import()`s behave exactly as they do under tsx.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'src');
export const OUTPUT = join(ROOT, 'dist');
/** Written last: its modification time is the build's, and its presence says the build finished. */
const STAMP = '.build-complete';
/** Only tests import these; they stay out of the shipped tree. */
const TEST_ONLY = /\.(test|contract)\.ts$/;
/** Files the code opens next to itself with `new URL('./…', import.meta.url)`. */
const ASSETS = /\.(mjs|sol|json|py)$/;

function sourceFiles(directory = SOURCE) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : [path];
  });
}

/**
 * True when dist/ is missing, unfinished, or older than a file under src/ or this script. A copy
 * without src/ (nothing to build from) is never stale.
 */
export function isStale() {
  const stamp = join(OUTPUT, STAMP);
  if (!existsSync(SOURCE)) return false;
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = [
    ...sourceFiles().filter((path) => !TEST_ONLY.test(path)),
    fileURLToPath(import.meta.url),
  ];
  return inputs.some((path) => statSync(path).mtimeMs > built);
}

/** Rewrites every import to stay external: relative `.ts` paths become `.js`, packages are left alone. */
const keepModulesSeparate = {
  name: 'keep-modules-separate',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return { path: args.path.replace(/\.ts$/, '.js'), external: true };
    });
  },
};

/** The bundle's directory inside dist/; its entry is `cli.js`. */
export const BUNDLE = 'bundle';
/**
 * The packages start-up loads, compiled into the bundle with what they import (Fastify and its
 * plugin, ajv, kysely, zod, OpenTelemetry's API, …): many files each, none with native code, none
 * reading files of its own that serving uses (pino's transports would, by `__dirname`; none is
 * configured). OpenTelemetry's API keeps its state in process globals by design, so the SDK's own copy
 * (loaded with tracing on) and the bundled one share the provider, context manager and propagator.
 * Every other package, the native ones (better-sqlite3, sqlite-vec) and those loaded on first use
 * among them, stays an import of node_modules.
 */
const BUNDLED_PACKAGES =
  /^(kysely|zod|@opentelemetry\/api|fastify|@fastify\/multipart|ajv|eventsource-parser)(\/|$)/;

/**
 * Bundles our modules, BUNDLED_PACKAGES and their imports. Each module's `import.meta.url` and
 * `import.meta.dirname` are rewritten to name its file in the per-module tree (relative to the bundle
 * file, so dist/ can move), where its neighbours are copied.
 */
const bundleSources = (bundleDirectory) => ({
  name: 'bundle-sources',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'entry-point' ||
      BUNDLED_PACKAGES.test(args.path) ||
      (args.importer.includes(`${sep}node_modules${sep}`) && !args.path.startsWith('node:'))
        ? undefined
        : { path: args.path, external: true },
    );
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      const compiled = join(bundleDirectory, '..', relative(SOURCE, args.path)).replace(
        /\.ts$/,
        '.js',
      );
      const fromBundle = relative(bundleDirectory, compiled).split(sep).join('/');
      const contents = readFileSync(args.path, 'utf8')
        .replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
        )
        .replaceAll(
          'import.meta.dirname',
          `__bundledModuleDirname(new URL(${JSON.stringify(fromBundle)}, import.meta.url))`,
        );
      const helper = contents.includes('__bundledModuleDirname(')
        ? "import { fileURLToPath as __fileURLToPath } from 'node:url';\nconst __bundledModuleDirname = (url: URL) => __fileURLToPath(new URL('.', url)).replace(/[\\\\/]$/, '');\n"
        : '';
      return { contents: helper + contents, loader: 'ts' };
    });
  },
});

/** Which source modules each bundle file holds, from esbuild's metafile: { "cli.js": ["cli.ts", …] }. */
function bundleContents(metafile, bundleDirectory) {
  const contents = {};
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    contents[relative(bundleDirectory, resolve(output)).split(sep).join('/')] = Object.keys(inputs)
      .map((input) => relative(ROOT, resolve(input)).split(sep).join('/'))
      .sort();
  }
  return contents;
}

/**
 * Copies the previous build's bundle files that this build does not have into it. A server started
 * before a rebuild imports its lazy chunks by the names it was built with: chunk names carry their
 * content's hash, so the old file is exactly the code it expects. (One rebuild back: a server that
 * outlives two rebuilds runs code two edits old.)
 */
export function keepPreviousChunks(previousDirectory, bundleDirectory) {
  const map = join(previousDirectory, 'modules.json');
  if (!existsSync(map)) return;
  // The files that build made (its map), not those it carried over: older ones are dropped here.
  const built = Object.keys(JSON.parse(readFileSync(map, 'utf8')));
  const current = new Set(readdirSync(bundleDirectory));
  for (const name of built.filter((file) => !current.has(file)))
    cpSync(join(previousDirectory, name), join(bundleDirectory, name));
}

const ESBUILD_COMMON = { platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };

/** Compiles `entryPoints` into `outdir` with esbuild, one file per module. */
async function compileWithEsbuild(entryPoints, outdir) {
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    ...ESBUILD_COMMON,
    entryPoints,
    outdir,
    outbase: SOURCE,
    bundle: true,
    plugins: [keepModulesSeparate],
  });
}

/**
 * The same output from TypeScript's per-file transpiler, for an install without esbuild's native
 * binary: it comes in an optional, per-platform package (`@esbuild/linux-x64`…), which
 * `npm ci --omit=optional` leaves out. Slower (seconds, not one), so only then.
 */
async function compileWithTypescript(entryPoints, outdir) {
  const { default: ts } = await import('typescript');
  for (const path of entryPoints) {
    const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2023,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    });
    const target = join(outdir, relative(SOURCE, path)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
}

/** esbuild's error when its platform package is not installed (esbuild/lib/main.js). */
const ESBUILD_BINARY_MISSING = /could not be found, and is needed by esbuild/;

/**
 * Bundles src/cli.ts into `bundleDirectory` with esbuild (code-split) and writes its map,
 * `modules.json`.
 */
async function bundleWithEsbuild(bundleDirectory) {
  const { build: esbuild } = await import('esbuild');
  const bundled = await esbuild({
    ...ESBUILD_COMMON,
    entryPoints: [join(SOURCE, 'cli.ts')],
    outdir: bundleDirectory,
    bundle: true,
    splitting: true,
    metafile: true,
    // The bundled CommonJS packages require Node's built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    plugins: [bundleSources(bundleDirectory)],
  });
  writeFileSync(
    join(bundleDirectory, 'modules.json'),
    `${JSON.stringify(bundleContents(bundled.metafile, bundleDirectory), null, 1)}\n`,
  );
}

/**
 * Builds into a fresh directory and swaps it in, so a reader never sees a half-written tree. Without
 * esbuild's binary the per-module tree is compiled with TypeScript and no bundle is made (the command
 * then runs the per-module tree). `output`, `compile` (the per-module step) and `bundle` are for
 * tests: another directory, and esbuild failing as it does without its binary.
 */
export async function build({
  output = OUTPUT,
  compile = compileWithEsbuild,
  bundle = bundleWithEsbuild,
} = {}) {
  const files = sourceFiles();
  const staging = `${output}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const entryPoints = files.filter((path) => path.endsWith('.ts') && !TEST_ONLY.test(path));
  const bundleDirectory = join(staging, BUNDLE);
  const [modules, bundled] = await Promise.allSettled([
    compile(entryPoints, staging),
    bundle(bundleDirectory),
  ]);
  for (const step of [modules, bundled])
    if (step.status === 'rejected' && !ESBUILD_BINARY_MISSING.test(step.reason?.message))
      throw step.reason;
  if (modules.status === 'rejected') {
    console.warn("esbuild's native binary is not installed: compiling with TypeScript instead.");
    await compileWithTypescript(entryPoints, staging);
  }
  if (bundled.status === 'rejected') {
    console.warn(
      "esbuild's native binary is not installed: no bundle, the command runs dist/cli.js.",
    );
    rmSync(bundleDirectory, { recursive: true, force: true });
  }
  for (const path of files.filter((file) => ASSETS.test(file))) {
    const target = join(staging, relative(SOURCE, path));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(path, target);
  }
  if (bundled.status === 'fulfilled') keepPreviousChunks(join(output, BUNDLE), bundleDirectory);
  writeFileSync(join(staging, STAMP), `${new Date().toISOString()}\n`);
  const previous = `${output}.previous-${process.pid}`;
  try {
    renameSync(output, previous);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error; // no earlier build, or a concurrent build moved it
  }
  try {
    renameSync(staging, output);
  } catch (error) {
    // A concurrent build swapped in its tree first: it was built from the same sources.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(previous, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await build();
  console.log(`Built dist/ in ${Math.round(performance.now() - started)} ms`);
}
