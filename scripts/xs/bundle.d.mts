// Types for the part of bundle.mjs that the TypeScript tests use.
export const PICO_STACK_SLOTS: number;
export const FIRMWARE_STACK_SLOTS: number;
export function deviceModelEnabled(env?: Record<string, string | undefined>): boolean;
export interface XsRun {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** stdout and stderr, interleaved */
  output: string;
}
/**
 * Compiles `source` (an ES module; relative imports resolve from the repository root) after the
 * preludes into a program at `outfile` and runs it under xsnap: with the device model when
 * `model` (a stack of `stackSlots` device slots, default 512, or `rawStackSlots` xsnap slots),
 * else as plain xsnap.
 */
export function runXsSource(opts: {
  xsnap: string;
  source: string;
  outfile: string;
  model: boolean;
  stackSlots?: number;
  rawStackSlots?: number;
  timeoutMs?: number;
}): Promise<XsRun>;
