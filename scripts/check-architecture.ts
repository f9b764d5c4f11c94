/**
 * `npm run check`'s structural gate: layer boundaries, import cycles and file sizes.
 *
 * - A layer (`src/<layer>/`) imports only the layers listed for it in ALLOWED, and CROSS_CUTTING ones.
 * - From another layer, only a layer's top-level files and its `ports/` folder may be imported; its
 *   other subfolders (adapters) are private.
 * - A layer listed in ENTRY_POINTS is imported from other layers only through the files listed for it
 *   (the engine: its entry point for runs, the worker and the event bus).
 * - The composition root (`src/app.ts`, `src/main.ts`, `src/cli.ts` and `src/composition/`) may import
 *   anything, and nothing else may import it.
 * - No import cycles between source files.
 * - Source files over 600 lines fail; over 400 lines are listed for review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT_FILES = new Set(['app.ts', 'main.ts', 'cli.ts']);
/** The composition root's folder: the parts `createApp` lists; the only layer that picks adapters. */
const COMPOSITION = 'composition';

const ALLOWED: Record<string, string[]> = {
  telemetry: [],
  domain: [],
  config: [],
  storage: ['domain'],
  blobs: ['domain'],
  models: ['domain', 'config'],
  chain: ['domain', 'config'],
  tools: ['domain', 'storage', 'blobs', 'models', 'config'],
  engine: ['domain', 'storage', 'models', 'tools', 'blobs', 'config'],
  'service-agents': ['domain', 'storage', 'models', 'tools', 'blobs', 'chain', 'engine', 'config'],
  http: ['domain', 'storage', 'config'],
  api: [
    'domain',
    'http',
    'engine',
    'storage',
    'models',
    'tools',
    'blobs',
    'service-agents',
    'chain',
    'config',
  ],
};
/**
 * Layers that other layers may import only through these files (paths under `src/`). The engine's
 * phases, transitions and stream are its own: API surfaces and service agents start, cancel and follow
 * runs through `RunsEngine`, so no caller rebuilds a use case.
 */
const ENTRY_POINTS: Record<string, ReadonlySet<string>> = {
  engine: new Set(['engine/runs-engine.ts', 'engine/worker.ts', 'engine/event-bus.ts']),
};
/**
 * Layers every layer may import: telemetry (spans and trace propagation through OpenTelemetry's API,
 * a no-op until the composition root registers a provider) is a concern of all of them.
 */
const CROSS_CUTTING = new Set(['telemetry']);
/** Layers whose subfolders other layers may import (they hold no adapters). */
const OPEN_LAYERS = new Set(['domain']);

function walk(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return walk(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specifiers
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier));
}

function layerOf(source: string, file: string): { layer: string | undefined; depth: number } {
  const parts = relative(source, file).split('/');
  if (parts.length === 1) return { layer: undefined, depth: 0 };
  // A layer's `ports/` folder holds port files too (a port split in several short files).
  if (parts.length === 3 && parts[1] === 'ports') return { layer: parts[0], depth: 1 };
  return { layer: parts[0], depth: parts.length - 1 };
}

export interface ArchitectureReport {
  problems: string[];
  reviews: string[];
  median: number;
  files: number;
}

/** Checks the tree under `root/src`; returns every problem found (empty when the tree is clean). */
export function checkArchitecture(root: string): ArchitectureReport {
  const ROOT = root;
  const SOURCE = join(root, 'src');
  const problems: string[] = [];
  const reviews: string[] = [];
  const files = walk(SOURCE);
  const graph = new Map<string, string[]>();
  const sizes: number[] = [];

  for (const file of files) {
    const name = relative(ROOT, file);
    const lines = readFileSync(file, 'utf8').split('\n').length;
    const isTest = file.endsWith('.test.ts') || file.endsWith('.contract.ts');
    if (!isTest) sizes.push(lines);
    const limit = isTest ? 800 : 600;
    if (lines > limit) problems.push(`${name}: ${lines} lines (limit ${limit}); split it`);
    else if (!isTest && lines > 400) reviews.push(`${name}: ${lines} lines`);

    const source = layerOf(SOURCE, file);
    const targets = importsOf(file).filter((target) => target.startsWith(SOURCE));
    graph.set(file, isTest ? [] : targets);
    if (isTest || source.layer === undefined || source.layer === COMPOSITION) continue;
    if (!(source.layer in ALLOWED)) {
      problems.push(
        `${name}: layer "${source.layer}" is not declared in scripts/check-architecture.ts`,
      );
      continue;
    }
    for (const target of targets) {
      const targetName = relative(ROOT, target);
      const destination = layerOf(SOURCE, target);
      if (destination.layer === undefined) {
        if (!ROOT_FILES.has(relative(SOURCE, target))) continue;
        problems.push(`${name} imports the composition root ${targetName}`);
        continue;
      }
      if (destination.layer === source.layer) continue;
      if (destination.layer === COMPOSITION) {
        problems.push(`${name} imports the composition root ${targetName}`);
        continue;
      }
      if (
        !ALLOWED[source.layer]!.includes(destination.layer) &&
        !CROSS_CUTTING.has(destination.layer)
      ) {
        problems.push(
          `${name} (${source.layer}) may not import ${targetName} (${destination.layer})`,
        );
      } else if (destination.depth > 1 && !OPEN_LAYERS.has(destination.layer)) {
        problems.push(
          `${name} imports ${targetName}, an adapter inside ${destination.layer}/; import its port instead`,
        );
      } else if (
        ENTRY_POINTS[destination.layer] &&
        !ENTRY_POINTS[destination.layer]!.has(relative(SOURCE, target))
      ) {
        const allowed = [...ENTRY_POINTS[destination.layer]!].join(', ');
        problems.push(
          `${name} imports ${targetName}, which is internal to ${destination.layer}/; import one of its entry points instead (${allowed})`,
        );
      }
    }
  }

  // Cycle detection (depth-first, colouring).
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (state.get(target) === 'visiting') {
        const cycle = stack
          .slice(stack.indexOf(target))
          .concat(target)
          .map((entry) => relative(ROOT, entry));
        problems.push(`import cycle: ${cycle.join(' -> ')}`);
      } else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);

  sizes.sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)] ?? 0;
  if (median >= 150)
    problems.push(`median source file is ${median} lines; the convention is under 150`);
  return { problems, reviews, median, files: files.length };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const result = checkArchitecture(resolve(import.meta.dirname, '..'));
  console.log(`architecture: ${result.files} files, median ${result.median} lines (non-test)`);
  for (const review of result.reviews) console.log(`  review (over 400 lines): ${review}`);
  if (result.problems.length > 0) {
    for (const problem of result.problems) console.error(`  ✗ ${problem}`);
    process.exit(1);
  }
  console.log('architecture: layers, cycles and sizes OK');
}
