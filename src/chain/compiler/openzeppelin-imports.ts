/**
 * The import callback solc calls for every `import` it cannot find among the given sources. Only
 * `@openzeppelin/contracts/...` resolves, to the installed package (MIT); everything else is refused,
 * so a source can neither read arbitrary files nor trigger a download.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PREFIX = '@openzeppelin/contracts/';
const SAFE_PATH = /^[A-Za-z0-9_\-/.]+\.sol$/;

/** What solc's import callback returns. */
export type ImportResult = { contents: string } | { error: string };

export function createOpenZeppelinImports(): (path: string) => ImportResult {
  const packageDirectory = dirname(
    createRequire(import.meta.url).resolve('@openzeppelin/contracts/package.json'),
  );
  return (path) => {
    const relative = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : undefined;
    if (
      relative === undefined ||
      !SAFE_PATH.test(relative) ||
      relative.split('/').some((part) => part === '..' || part === '')
    ) {
      return { error: `Only @openzeppelin/contracts/... imports are available; "${path}" is not.` };
    }
    try {
      return { contents: readFileSync(join(packageDirectory, relative), 'utf8') };
    } catch {
      return { error: `File not found in @openzeppelin/contracts: ${relative}` };
    }
  };
}
