/**
 * The platform seam: everything the scheduler needs from the machine it runs on.
 *
 * Implementations: `ModdableHost` (firmware/platform/moddable: `Timer` + wrap-safe `Time.ticks`),
 * `NodeHost` (host/node-host: `setImmediate`, `setTimeout`, `performance.now`) and `VirtualHost`
 * (./virtual: time jumps to the next deadline whenever every task is blocked, or moves by hand).
 */
export interface Host {
  /** Monotonic milliseconds (may be fractional). Never wraps: hosts with wrapping ticks accumulate deltas. */
  now(): number;
  /** Run `cb` on the next turn of the host event loop (after pending IO callbacks). Must not run it synchronously. */
  soon(cb: () => void): void;
  /** Arm the single host timer to call `cb` at `deadline` (on `now()`'s scale), replacing any armed one. */
  setTimer(deadline: number, cb: () => void): void;
  /** Disarm the host timer if armed. */
  clearTimer(): void;
  /** Write one line of diagnostics (the console UART on a device, stderr on Node). */
  print(line: string): void;
  /**
   * Virtual time charged for each task step (ms); 0 or absent on real hosts. Lets checkpoint loops
   * advance a virtual clock as they would a real one.
   */
  readonly stepCost?: number;
  /**
   * Default time budget of a batch of rounds in ms (SchedulerOptions.batchMs): how long ready tasks may
   * keep the CPU before the host event loop (IO callbacks) gets a turn. 0 or absent: a turn after every round.
   */
  readonly batchMs?: number;
  /** Advance virtual time by `ms` (only hosts with `stepCost`). */
  charge?(ms: number): void;
}
