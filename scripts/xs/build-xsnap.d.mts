// Types for build-xsnap.mjs (for the TypeScript tests that import it).
export const ROOT: string;
export const XSNAP_BIN: string;
export const XSNAP_PKG: { spec: string; integrity: string };
export const PATCHES: { file: string; why: string; find: string; replace: string }[];
/** Builds the patched xsnap when it is missing or stale; returns its path. */
export function ensureXsnap(opts?: { force?: boolean; log?: (msg: string) => void }): string;
