import { InvalidStateError, current, sleepMs, sleepUntil, spawn, type Gen, type Task, type TaskFn } from "../sched/kernel";
import { invoke } from "./invoke";

/**
 * What a periodic schedule does when a run ends after the next deadline:
 * - "skip": drop the missed deadlines, run at the first deadline strictly after now (cadence kept; `missed`
 *   counts the dropped ones);
 * - "catch-up": run the missed deadlines at once, back to back, at most `maxCatchUp` of them (older ones are
 *   dropped and counted in `missed`); the cadence is kept;
 * - "delay": start a new cadence from now (next run one period after the late run ended).
 */
export type OverrunPolicy = "skip" | "catch-up" | "delay";

/** Options of {@link every} / {@link atFrequency}. */
export interface PeriodicOptions {
  policy?: OverrunPolicy;
  /** For "catch-up": how many late runs may happen back to back (default 3). */
  maxCatchUp?: number;
  /** Stop after this many runs (default: never). */
  times?: number;
  /** Delay before the first run (default 0: at once). */
  startAfter?: number;
}


/**
 * Run `fn(...args)` at a fixed period without drift (asynccp's schedule): the deadlines are
 * `start + k * period`, each one derived from the first, never from when a run ended; the task sleeps with
 * `sleepUntil`. Runs happen in the schedule's task, one at a time (a generator function inline, an async
 * function as a joined child task). A run that ends after the next deadline is an overrun (`overruns`),
 * handled by the {@link OverrunPolicy}. The period can change while it runs: the next deadline becomes the
 * previous deadline + the new period (at once if that has passed).
 *
 * Cancel: cancelling the task stops the schedule (a run in progress is cancelled at its wait point).
 * Errors: a run that throws ends the schedule's task with that error.
 * Memory: one object of ~14 fields; the loop allocates nothing per period for generator functions.
 * @example
 *   const p = every(100, readSensor, bus);           // 10 Hz
 *   reg.add("sensor", p.body);                         // or p.start("sensor")
 *   p.setFrequency(20);
 */
export class Periodic {
  /** Completed runs. */
  runs = 0;
  /** Runs that ended after the following deadline. */
  overruns = 0;
  /** Deadlines dropped (policies "skip" and "catch-up"). */
  missed = 0;
  /** The task running the schedule (set once its body starts). */
  task: Task | null = null;
  readonly policy: OverrunPolicy;
  readonly maxCatchUp: number;
  readonly times: number;
  /** The generator function to spawn (or give to a TaskRegistry): runs the schedule. */
  readonly body: () => Gen<number>;
  private p: number;
  private anchor = 0;
  private k = 0;
  private sleeping = false;

  constructor(periodMs: number, fn: TaskFn, args: unknown[], opts: PeriodicOptions = {}) {
    this.p = checkPeriod(periodMs);
    this.policy = opts.policy ?? "skip";
    if (this.policy !== "skip" && this.policy !== "catch-up" && this.policy !== "delay") throw new TypeError(`unknown overrun policy ${String(this.policy)}`);
    this.maxCatchUp = opts.maxCatchUp ?? 3;
    this.times = opts.times ?? Infinity;
    const startAfter = opts.startAfter ?? 0;
    const self = this;
    this.body = function* periodic(): Gen<number> {
      return yield* self.loop(fn, args, startAfter);
    };
  }

  /** The period in ms. */
  get period(): number {
    return this.p;
  }

  /** The next deadline on the scheduler clock. */
  get nextDeadline(): number {
    return this.anchor + this.k * this.p;
  }

  /** Change the period; applies to the pending deadline (previous deadline + new period). */
  setPeriod(ms: number): void {
    const p = checkPeriod(ms);
    if (this.k > 0) {
      this.anchor += (this.k - 1) * this.p;
      this.k = 1;
    }
    this.p = p;
    // a sleeping schedule wakes at the new deadline (a later one is also handled by its loop)
    if (this.sleeping && this.task !== null) this.task.sched.moveSleep(this.task, this.anchor + this.k * this.p);
  }

  /** Change the rate in Hz (period = 1000 / hz ms). */
  setFrequency(hz: number): void {
    this.setPeriod(1000 / hz);
  }

  /** Spawn the schedule as a task (a shortcut for `spawn(name, p.body)`). */
  start(name = "periodic"): Task<number> {
    return spawn(name, this.body);
  }

  private *loop(fn: TaskFn, args: unknown[], startAfter: number): Gen<number> {
    const t = current();
    if (this.task !== null && !this.task.done && this.task !== t) throw new InvalidStateError("this schedule is already running in another task");
    this.task = t;
    this.anchor = t.sched.now() + startAfter;
    this.k = 0;
    const name = `${t.name}/run`;
    while (this.runs < this.times) {
      this.sleeping = true;
      try {
        yield* sleepUntil(this.anchor + this.k * this.p);
        // the period changed after the timer fired, before this task ran: sleep on to the new deadline
        while (t.sched.now() < this.anchor + this.k * this.p) yield* sleepUntil(this.anchor + this.k * this.p);
      } finally {
        this.sleeping = false;
      }
      yield* invoke(name, fn, args);
      this.runs++;
      this.k++;
      this.afterRun(t.sched.now());
    }
    return this.runs;
  }

  private afterRun(now: number): void {
    const next = this.anchor + this.k * this.p;
    if (now <= next) return;
    this.overruns++;
    const late = (now - next) / this.p;
    if (this.policy === "skip") {
      const j = Math.floor(late) + 1; // first deadline strictly ahead
      this.missed += j;
      this.k += j;
    } else if (this.policy === "catch-up") {
      const pending = Math.floor(late) + 1;
      if (pending > this.maxCatchUp) {
        const drop = pending - this.maxCatchUp;
        this.missed += drop;
        this.k += drop;
      }
    } else {
      this.anchor = now;
      this.k = 1;
    }
  }
}

function checkPeriod(ms: number): number {
  if (typeof ms !== "number" || !(ms > 0) || ms === Infinity) throw new RangeError(`a period is a positive number of ms, got ${String(ms)}`);
  return ms;
}

/** A {@link Periodic} schedule of `fn(...args)` every `periodMs` (not started: spawn its `body`). */
export function every<A extends unknown[]>(periodMs: number, fn: TaskFn<A>, ...args: A): Periodic {
  return new Periodic(periodMs, fn as TaskFn, args);
}

/** {@link every} with options (policy, maxCatchUp, times, startAfter). */
export function everyWith<A extends unknown[]>(periodMs: number, opts: PeriodicOptions, fn: TaskFn<A>, ...args: A): Periodic {
  return new Periodic(periodMs, fn as TaskFn, args, opts);
}

/** A {@link Periodic} schedule at `hz` runs per second. */
export function atFrequency<A extends unknown[]>(hz: number, fn: TaskFn<A>, ...args: A): Periodic {
  return new Periodic(1000 / hz, fn as TaskFn, args);
}

/**
 * A task body that waits `ms`, then runs `fn(...args)` and returns its result.
 * @example reg.add("beep-later", after(5000, beep, 440))
 */
export function after<A extends unknown[], R>(ms: number, fn: TaskFn<A, R>, ...args: A): () => Gen<R> {
  return function* delayed(): Gen<R> {
    yield* sleepMs(ms);
    return yield* invoke(`${current().name}/run`, fn as TaskFn<any[], R>, args);
  };
}
