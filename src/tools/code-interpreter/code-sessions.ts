/**
 * The code sessions of one process, started on first use: selecting a sandbox probes the host (a real
 * jail for bwrap), which `auto` defers until a run needs Python. An explicit backend is selected at
 * start instead, so a misconfiguration stops the server rather than the first run.
 */
import type { Config } from '../../config/config-schema.ts';
import type { SandboxLog } from './sandbox.ts';
import { selectSandbox } from './select-sandbox.ts';
import { CodeSessionManager } from './session-manager.ts';

export type CodeSessions =
  { manager: CodeSessionManager; standardLibraryOnly: boolean } | { manager: null; reason: string };

export interface CodeSessionsHandle {
  get(): Promise<CodeSessions>;
  close(): Promise<void>;
}

export async function createCodeSessions(
  config: Pick<Config, 'codeSandbox' | 'dataDir' | 'codeSessionIdleSeconds' | 'codeMaxSessions'>,
  log: SandboxLog,
): Promise<CodeSessionsHandle> {
  let selected: Promise<CodeSessions> | undefined;
  let sandbox: Awaited<ReturnType<typeof selectSandbox>> = null;
  const get = () =>
    (selected ??= selectSandbox({ mode: config.codeSandbox, dataDir: config.dataDir, log }).then(
      (chosen): CodeSessions => {
        sandbox = chosen;
        if (!chosen)
          return {
            manager: null,
            reason: 'no sandbox backend can run on this host (see the server log)',
          };
        return {
          manager: new CodeSessionManager({
            sandbox: chosen,
            idleSeconds: config.codeSessionIdleSeconds,
            maxSessions: config.codeMaxSessions,
            log,
          }),
          standardLibraryOnly: chosen.kind === 'pyodide',
        };
      },
    ));
  if (config.codeSandbox === 'bwrap' || config.codeSandbox === 'pyodide') await get();
  return {
    get,
    async close() {
      if (!selected) return;
      const sessions = await selected.catch(() => undefined);
      await sessions?.manager?.close();
      await sandbox?.close();
    },
  };
}
