/** The messages between `solc-compiler.ts` (main thread) and `solc-worker.ts` (worker thread). */

/** Main → worker: compile one standard-JSON input. */
export interface CompileRequest {
  id: number;
  /** The standard-JSON input, serialized. */
  input: string;
}

/** Worker → main: solc's standard-JSON output, or why the worker could not run solc at all. */
export type CompileResponse =
  { id: number; output: string; compilerVersion: string } | { id: number; failure: string };
