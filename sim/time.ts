import { activeScheduler, type Scheduler, type CallbackHandle } from "../firmware/sched/scheduler";

/**
 * Time for simulated hardware: the scheduler's clock (virtual in tests, real under `npm start`), and
 * callbacks delivered the way Moddable delivers IO callbacks: outside any task, between task steps.
 */
export class SimClock {
  constructor(readonly sched: Scheduler = activeScheduler()) {}
  /** Milliseconds on the scheduler's clock. */
  nowMs(): number {
    return this.sched.now();
  }
  /** Microseconds (what `Time.microseconds` / pin edge timestamps give on a device). */
  nowUs(): number {
    return Math.round(this.sched.now() * 1000);
  }
  /** Run `fn` after `ms` (fractional ms allowed: µs resolution). */
  after(ms: number, fn: () => void): CallbackHandle {
    return this.sched.callLater(ms, fn);
  }
  /** Run `fn` at absolute time `ms`. */
  at(ms: number, fn: () => void): CallbackHandle {
    return this.sched.callLater(ms - this.sched.now(), fn);
  }
}

/** A small deterministic PRNG for fault injection by seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
