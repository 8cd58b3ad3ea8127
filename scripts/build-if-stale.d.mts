// Types of the plain-JavaScript build-if-stale.mjs, for its tests.
export declare const STAMP: string;
export declare const SOURCE_DIRS: string[];
export declare const CONFIG_FILE: RegExp;

export interface BuildState {
  /** mtime of the stamp, ms; null: no stamp */
  stampMs: number | null;
  outputsPresent: boolean;
  /** newest mtime of a source or build configuration file, ms; null: none found */
  newestSourceMs: number | null;
}

export declare function buildDecision(state: BuildState): { build: boolean; reason: string };
export declare function buildState(root: string): BuildState;
export declare function buildIfStale(root: string, log?: (line: string) => void): number;
export declare function markBuildStarted(root: string): void;
export declare function markBuildDone(root: string): void;
