/**
 * Compiles our own contracts once per data directory: artifacts are stored under a key hashed from
 * the sources, the compiler settings and the OpenZeppelin version, so any change recompiles and an
 * unchanged source never does. Files are written aside and renamed, so a reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  COMPILER_SETTINGS,
  type CompilationResult,
  type SolidityCompiler,
} from '../solidity-compiler.ts';

function openZeppelinVersion(): string {
  const path = createRequire(import.meta.url).resolve('@openzeppelin/contracts/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The cache key of `sources`: a SHA-256 over everything that determines the compiler's output. */
export function compilationKey(sources: Readonly<Record<string, string>>): string {
  const ordered = Object.keys(sources)
    .sort()
    .map((name) => [name, sources[name]]);
  const material = JSON.stringify({
    settings: COMPILER_SETTINGS,
    openZeppelin: openZeppelinVersion(),
    sources: ordered,
  });
  return createHash('sha256').update(material).digest('hex');
}

function isCompilationResult(value: unknown): value is CompilationResult {
  const candidate = value as Partial<CompilationResult> | null;
  return (
    typeof candidate?.compilerVersion === 'string' &&
    Array.isArray(candidate.contracts) &&
    candidate.contracts.every(
      (contract) => typeof contract.bytecode === 'string' && Array.isArray(contract.abi),
    )
  );
}

export async function compileCached(
  compiler: SolidityCompiler,
  sources: Readonly<Record<string, string>>,
  cacheDirectory: string,
): Promise<CompilationResult> {
  const path = join(cacheDirectory, `${compilationKey(sources)}.json`);
  try {
    const cached: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (isCompilationResult(cached)) return cached;
  } catch {
    // Missing or unreadable: compile below and rewrite it.
  }
  const result = await compiler.compile(sources);
  await mkdir(cacheDirectory, { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify(result));
  await rename(temporary, path);
  return result;
}
