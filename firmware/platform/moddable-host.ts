import type { Host } from "../sched/kernel";

/** The part of Moddable's `timer` module the host uses. Intervals are int32 on the device. */
export interface TimerModule<T> {
  set(cb: () => void, ms: number): T;
  /** Re-arm a timer that has not fired yet. */
  schedule(t: T, ms: number): void;
  clear(t: T): void;
}
/** The part of Moddable's `time` module the host uses: `ticks` wraps at 2^32, `delta` is an int32. */
export interface TimeModule {
  readonly ticks: number;
  delta(start: number, end?: number): number;
}

/**
 * Longest interval ever given to the device timer: 2^30 ms (12.4 days). Moddable's timer intervals and
 * `Time.delta` are int32, so a 2^31 ms interval would turn negative and fire at once, and a clock not
 * read for 2^31 ms would jump back. Longer waits are done in steps of at most this.
 */
export const MAX_TIMER_MS = 2 ** 30;

/**
 * The scheduler's host on a Moddable device: one `Timer` for the earliest deadline, `Timer.set(cb, 0)`
 * for "next run-loop turn", and a millisecond clock that never wraps, accumulated from `Time.ticks` with
 * the wrap-safe `Time.delta`. A timer is always armed (the deadline's, or a keep-alive every
 * {@link MAX_TIMER_MS}), so the clock is read at least that often even when every task waits on IO.
 */
export class ModdableHost<T = unknown> implements Host {
  private last: number;
  private acc = 0;
  private timer: T | undefined = undefined;
  private deadline = Infinity;
  private cb: (() => void) | null = null;
  private readonly fire = (): void => {
    this.timer = undefined;
    const cb = this.cb;
    if (cb !== null && this.now() >= this.deadline) {
      this.cb = null;
      this.deadline = Infinity;
      this.arm();
      cb();
    } else {
      this.arm(); // a step of a long wait, or the keep-alive
    }
  };

  /**
   * Ready tasks keep the CPU for up to 2 ms of rounds before the main loop gets a turn (IO callbacks,
   * timers): a host turn costs about a round of one task on an RP2040, so a turn per round halved the
   * speed of programs with few ready tasks. `Time.ticks` counts whole ms, so a batch lasts 1 to 2 ms.
   */
  readonly batchMs = 2;

  constructor(private readonly Timer: TimerModule<T>, private readonly Time: TimeModule) {
    this.last = Time.ticks;
    this.arm();
  }

  now(): number {
    const t = this.Time.ticks;
    // Time.delta(last, t) without the native call: the int32 difference, wrap-safe the same way
    this.acc += (t - this.last) | 0;
    this.last = t;
    return this.acc;
  }

  soon(cb: () => void): void {
    this.Timer.set(cb, 0);
  }

  setTimer(deadline: number, cb: () => void): void {
    this.cb = cb;
    this.deadline = deadline;
    this.arm();
  }

  clearTimer(): void {
    this.cb = null;
    this.deadline = Infinity;
    this.arm();
  }

  print(line: string): void {
    trace(line + "\n");
  }

  /** Arm the one timer for the deadline (re-arming the pending one: no new host timer per sleep). */
  private arm(): void {
    const left = this.deadline - this.now();
    const ms = left >= MAX_TIMER_MS ? MAX_TIMER_MS : left > 0 ? Math.ceil(left) : 0;
    if (this.timer !== undefined) this.Timer.schedule(this.timer, ms);
    else this.timer = this.Timer.set(this.fire, ms);
  }
}
