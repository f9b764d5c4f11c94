/** Types of scripts/build.mjs (plain JavaScript, so `npm ci` and the bin run it without a loader). */
/** The compiled tree. */
export declare const OUTPUT: string;
/** True when dist/ is missing, unfinished, or older than a file under src/ or the build script. */
export declare function isStale(): boolean;
/**
 * Compiles src/ to dist/ (or `output`) and swaps the new tree in. `compile` replaces esbuild's
 * per-module step and `bundle` its bundle step (tests make them fail as esbuild does without its
 * binary, to take the TypeScript fallback and go without a bundle).
 */
export declare function build(options?: {
  output?: string;
  compile?: (entryPoints: string[], outdir: string) => Promise<void>;
  bundle?: (bundleDirectory: string) => Promise<void>;
}): Promise<void>;
/** The bundle's directory inside dist/. */
export declare const BUNDLE: string;
/** Copies into `bundleDirectory` the files the previous build made there (its map) and this one lacks. */
export declare function keepPreviousChunks(
  previousDirectory: string,
  bundleDirectory: string,
): void;
