/** Types of scripts/build.mjs (plain JavaScript, so `npm ci` and the bin run it without a loader). */
/** The compiled tree. */
export declare const OUTPUT: string;
/** True when dist/ is missing, unfinished, or older than a file under src/ or the build script. */
export declare function isStale(): boolean;
/** Compiles src/ to dist/ and swaps the new tree in. */
export declare function build(): Promise<void>;
/** The bundle's directory inside dist/. */
export declare const BUNDLE: string;
/** Copies into `bundleDirectory` the files the previous build made there (its map) and this one lacks. */
export declare function keepPreviousChunks(
  previousDirectory: string,
  bundleDirectory: string,
): void;
