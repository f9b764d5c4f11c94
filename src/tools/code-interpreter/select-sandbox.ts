/**
 * Picks the code_interpreter backend from `CONCIERGE_CODE_SANDBOX`:
 * - `auto`: bwrap when the host can run it (bwrap, Debian Python with the four libraries, the
 *   seccomp compiler, a jail that starts), else the Pyodide fallback, else none; each step logs why.
 *   An exposed server (`CONCIERGE_API_KEY` set) never falls back to Pyodide, which is no security
 *   boundary: there `auto` without bwrap throws `SandboxUnavailableError` with the fix in its reason.
 * - `bwrap` / `pyodide`: that backend, or a `ConfigError` saying why it cannot run here.
 * - `off`: none.
 */
import { join } from 'node:path';
import type { Config } from '../../config/config-schema.ts';
import { ConfigError } from '../../config/load-config.ts';
import { createBwrapSandbox } from './bwrap/bwrap-sandbox.ts';
import { createPyodideSandbox } from './pyodide/pyodide-sandbox.ts';
import type { Sandbox, SandboxLog } from './sandbox.ts';
import type { SandboxLimits } from './sandbox-limits.ts';
import { SandboxUnavailableError } from './sandbox-unavailable-error.ts';

export interface SelectSandboxOptions {
  mode: Config['codeSandbox'];
  /** `CONCIERGE_DATA_DIR`; sessions live in `<dataDir>/sandboxes/<key>/`. */
  dataDir: string;
  log: SandboxLog;
  limits?: Partial<SandboxLimits>;
  /** Whether the server is exposed (`CONCIERGE_API_KEY` set): then only an explicit choice runs Pyodide. */
  exposed: boolean;
  /** The backends to try; tests replace them to stand for hosts that lack one. */
  backends?: SandboxBackends;
}

export interface SandboxBackends {
  bwrap: typeof createBwrapSandbox;
  pyodide: typeof createPyodideSandbox;
}

/** The sandbox for `mode`, or null when code_interpreter is off or nothing can run it. */
export async function selectSandbox(options: SelectSandboxOptions): Promise<Sandbox | null> {
  const { mode, log } = options;
  const backends = options.backends ?? { bwrap: createBwrapSandbox, pyodide: createPyodideSandbox };
  const common = {
    sessionsDirectory: join(options.dataDir, 'sandboxes'),
    log,
    limits: options.limits,
  };
  if (mode === 'off') {
    log.info('code_interpreter: off (CONCIERGE_CODE_SANDBOX=off)');
    return null;
  }
  if (mode === 'bwrap' || mode === 'pyodide') {
    try {
      return mode === 'bwrap' ? await backends.bwrap(common) : await backends.pyodide(common);
    } catch (error) {
      if (!(error instanceof SandboxUnavailableError)) throw error;
      throw new ConfigError(
        `CONCIERGE_CODE_SANDBOX=${mode}, but that backend cannot run on this host: ${error.reason}`,
        { cause: error },
      );
    }
  }
  try {
    const sandbox = await backends.bwrap(common);
    log.info(
      'code_interpreter: bwrap sandbox (Debian Python with numpy, pandas, matplotlib, openpyxl; no network; seccomp; rlimits)',
    );
    return sandbox;
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error;
    if (options.exposed) {
      const refusal = new SandboxUnavailableError(
        `code_interpreter needs the bwrap sandbox on a server with CONCIERGE_API_KEY set, and it cannot run here (${error.reason}). ` +
          'Install it with scripts/install-system-packages.sh, or set CONCIERGE_CODE_SANDBOX=pyodide to accept the Pyodide fallback, which is NOT a security boundary, or CONCIERGE_CODE_SANDBOX=off.',
      );
      log.warn(`code_interpreter: refused: ${refusal.reason}`);
      throw refusal;
    }
    log.warn(
      `code_interpreter: the bwrap sandbox is unavailable (${error.reason}); falling back to Pyodide`,
    );
  }
  try {
    return await backends.pyodide(common);
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error;
    log.warn(`code_interpreter: disabled, no backend can run here (${error.reason})`);
    return null;
  }
}
