/** A sandbox backend cannot run on this host; `reason` says what is missing and how to fix it. */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';

  constructor(
    readonly reason: string,
    /** Of numpy, pandas, matplotlib and openpyxl, the ones the host lacks. */
    readonly missingLibraries: readonly string[] = [],
  ) {
    super(reason);
  }
}

/** The libraries the model expects in code_interpreter, checked by every backend. */
export const EXPECTED_LIBRARIES = ['numpy', 'pandas', 'matplotlib', 'openpyxl'] as const;
