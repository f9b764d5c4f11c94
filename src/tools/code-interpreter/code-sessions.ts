/**
 * The code sessions of one process, started on first use: selecting a sandbox probes the host (a real
 * jail for bwrap), which `auto` defers until a run needs Python. An explicit backend is selected at
 * start instead, so a misconfiguration stops the server rather than the first run.
 */
import type { Config } from '../../config/config-schema.ts';
import type { SandboxLog } from './sandbox.ts';
import { SandboxUnavailableError } from './sandbox-unavailable-error.ts';
import type { SandboxBackends, selectSandbox } from './select-sandbox.ts';
import type { CodeSessionManager } from './session-manager.ts';

export type CodeSessions =
  | { manager: CodeSessionManager; standardLibraryOnly: boolean }
  | {
      manager: null;
      reason: string;
      /** The operator must act (e.g. an exposed server without bwrap): runs that use the tool fail. */
      refused: boolean;
    };

export interface CodeSessionsHandle {
  get(): Promise<CodeSessions>;
  /** Sessions open now (0 before the sandbox is selected, or without one). */
  active(): number;
  /** Closes the session of `key` if this process holds one (a deleted container); never starts a sandbox. */
  end(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function createCodeSessions(
  config: Pick<
    Config,
    | 'codeSandbox'
    | 'dataDir'
    | 'codeSessionIdleSeconds'
    | 'codeMaxSessions'
    | 'codeMaxSessionsPerProject'
    | 'apiKey'
  >,
  log: SandboxLog,
  backends?: SandboxBackends,
): Promise<CodeSessionsHandle> {
  let selected: Promise<CodeSessions> | undefined;
  let sandbox: Awaited<ReturnType<typeof selectSandbox>> = null;
  const choose = async (): Promise<CodeSessions> => {
    // The sandbox backends and the session manager load with the selection, not at start.
    const [{ selectSandbox }, { CodeSessionManager }] = await Promise.all([
      import('./select-sandbox.ts'),
      import('./session-manager.ts'),
    ]);
    try {
      sandbox = await selectSandbox({
        mode: config.codeSandbox,
        dataDir: config.dataDir,
        log,
        exposed: config.apiKey !== undefined,
        backends,
      });
    } catch (error) {
      if (!(error instanceof SandboxUnavailableError) || config.codeSandbox !== 'auto') throw error;
      return { manager: null, reason: error.reason, refused: true };
    }
    if (!sandbox)
      return {
        manager: null,
        reason: 'no sandbox backend can run on this host (see the server log)',
        refused: false,
      };
    return {
      manager: new CodeSessionManager({
        sandbox,
        idleSeconds: config.codeSessionIdleSeconds,
        maxSessions: config.codeMaxSessions,
        maxSessionsPerProject: config.codeMaxSessionsPerProject,
        log,
      }),
      standardLibraryOnly: sandbox.kind === 'pyodide',
    };
  };
  let current: CodeSessions | undefined;
  const get = () =>
    (selected ??= choose().then((sessions) => {
      current = sessions;
      return sessions;
    }));
  if (config.codeSandbox === 'bwrap' || config.codeSandbox === 'pyodide') await get();
  return {
    get,
    active: () => current?.manager?.size ?? 0,
    async end(key) {
      if (!selected) return;
      const sessions = await selected.catch(() => undefined);
      await sessions?.manager?.end(key);
    },
    async close() {
      if (!selected) return;
      const sessions = await selected.catch(() => undefined);
      await sessions?.manager?.close();
      await sandbox?.close();
    },
  };
}
