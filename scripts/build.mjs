// Compiles src/ to dist/: one JavaScript module per TypeScript module, relative imports rewritten from
// `.ts` to `.js`, and the files the code reads beside itself (worker entries, contracts, schemas,
// kernels) copied along. `npm ci` runs it (`prepare`), and `bin/concierge.mjs` runs it when dist/ is
// missing or older than src/, so `npm ci && npm start` needs no separate step and never runs stale code.
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
import { dirname, join, relative } from 'node:path';
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

/** Compiles `entryPoints` into `outdir` with esbuild. */
async function compileWithEsbuild(entryPoints, outdir) {
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    entryPoints,
    outdir,
    outbase: SOURCE,
    bundle: true,
    plugins: [keepModulesSeparate],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
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
 * Builds into a fresh directory and swaps it in, so a reader never sees a half-written tree. `output`
 * and `compile` (esbuild's step) are for tests: another directory, and esbuild failing as it does
 * without its binary.
 */
export async function build({ output = OUTPUT, compile = compileWithEsbuild } = {}) {
  const files = sourceFiles();
  const staging = `${output}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const entryPoints = files.filter((path) => path.endsWith('.ts') && !TEST_ONLY.test(path));
  try {
    await compile(entryPoints, staging);
  } catch (error) {
    if (!ESBUILD_BINARY_MISSING.test(error?.message)) throw error;
    console.warn("esbuild's native binary is not installed: compiling with TypeScript instead.");
    rmSync(staging, { recursive: true, force: true });
    await compileWithTypescript(entryPoints, staging);
  }
  for (const path of files.filter((file) => ASSETS.test(file))) {
    const target = join(staging, relative(SOURCE, path));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(path, target);
  }
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
