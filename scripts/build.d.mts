/** Types of scripts/build.mjs (plain JavaScript, so `npm ci` and the bin run it without a loader). */
/** The compiled tree. */
export declare const OUTPUT: string;
/** True when dist/ is missing, unfinished, or older than a file under src/ or the build script. */
export declare function isStale(): boolean;
/**
 * Compiles src/ to dist/ (or `output`) and swaps the new tree in. `compile` replaces esbuild's step
 * (tests make it fail as esbuild does without its binary, to take the TypeScript fallback).
 */
export declare function build(options?: {
  output?: string;
  compile?: (entryPoints: string[], outdir: string) => Promise<void>;
}): Promise<void>;
