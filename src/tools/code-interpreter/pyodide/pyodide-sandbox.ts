/**
 * The Pyodide fallback: CPython compiled to WebAssembly (npm `pyodide`, standard library only,
 * fully offline), one child Node process per session under Node's permission model. It is NOT a
 * security boundary (see pyodide-child.mjs) and says so once, at warn, when created.
 * Timeouts kill the child: WebAssembly cannot be interrupted from outside the process.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelProcess } from '../kernel-process.ts';
import { KernelSession } from '../kernel-session.ts';
import { SESSION_KEY_PATTERN, type Sandbox, type SandboxLog } from '../sandbox.ts';
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from '../sandbox-limits.ts';
import { EXPECTED_LIBRARIES, SandboxUnavailableError } from '../sandbox-unavailable-error.ts';

const CHILD_SCRIPT = fileURLToPath(new URL('./pyodide-child.mjs', import.meta.url));
/** Past this resident size a session restarts after its cell (the WebAssembly heap never shrinks). */
const RECYCLE_RESIDENT_BYTES = 1536 * 1024 * 1024;

export interface PyodideSandboxOptions {
  sessionsDirectory: string;
  log?: SandboxLog;
  limits?: Partial<SandboxLimits>;
  /** How long loading Pyodide may take (default 60 s; it takes 3–8 s on a loaded 2-core machine). */
  startTimeoutMs?: number;
}

/** Creates the Pyodide sandbox, or throws `SandboxUnavailableError` when the npm package is missing. */
export async function createPyodideSandbox(options: PyodideSandboxOptions): Promise<Sandbox> {
  // No soft interrupt reaches a running WebAssembly cell, so waiting past the timeout gains nothing.
  const limits = { ...DEFAULT_SANDBOX_LIMITS, killGraceSeconds: 0, ...options.limits };
  const pyodideDirectory = findPyodide();
  await mkdir(options.sessionsDirectory, { recursive: true });
  options.log?.warn(
    `code_interpreter: using the Pyodide fallback. It is NOT a security boundary: model-written code can reach the server's process and the network. ` +
      `Only the Python standard library is available; missing: ${EXPECTED_LIBRARIES.join(', ')}. ` +
      'Install bubblewrap and Debian Python (scripts/install-system-packages.sh) for the sandboxed backend.',
  );
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const sessions = new Set<KernelSession>();
  const spawnChild = (directory: string): KernelProcess =>
    new KernelProcess(
      process.execPath,
      [
        '--experimental-permission',
        `--allow-fs-read=${pyodideDirectory}/*`,
        `--allow-fs-read=${CHILD_SCRIPT}`,
        `--allow-fs-read=${directory}/*`,
        `--allow-fs-write=${directory}/*`,
        '--no-warnings',
        CHILD_SCRIPT,
        pyodideDirectory,
        directory,
        String(limits.logBytes),
        String(RECYCLE_RESIDENT_BYTES),
      ],
      { environment: {} },
    );
  return {
    kind: 'pyodide',
    securityBoundary: false,
    missingLibraries: [...EXPECTED_LIBRARIES],
    sessionsDirectory: options.sessionsDirectory,
    async openSession(key) {
      if (!SESSION_KEY_PATTERN.test(key)) throw new Error(`invalid code session key '${key}'`);
      const directory = join(options.sessionsDirectory, key);
      const session = await KernelSession.open({
        key,
        directory,
        limits,
        startTimeoutMs,
        start: () => spawnChild(directory),
        onClose: () => sessions.delete(session),
      });
      sessions.add(session);
      return session;
    },
    async close() {
      await Promise.all([...sessions].map((session) => session.close()));
    },
  };
}

function findPyodide(): string {
  try {
    const directory = dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
    if (existsSync(join(directory, 'pyodide.asm.wasm'))) return directory;
  } catch {
    // Reported below.
  }
  throw new SandboxUnavailableError('the pyodide npm package is not installed');
}
