import { currentTaskOrNull, activeScheduler, type Gen, isGeneratorFunction } from "../sched/kernel";
import type { RingLog } from "./ringlog";

/** How the profiler's driver resumes the body it drives. */
const NEXT = 0;
const THROW = 1;
const RETURN = 2;

/** Per-task figures kept by the {@link Profiler}. */
export interface TaskProfile {
  readonly name: string;
  /** Steps run (the first one included): how often the task was resumed. */
  resumes: number;
  /** Total time spent running its steps (ms, on the profiler's clock). */
  runMs: number;
  /** Longest single step (ms). */
  maxStepMs: number;
  /** Steps longer than the stall threshold. */
  stalls: number;
}

/** Options of {@link Profiler}. */
export interface ProfilerOptions {
  /** A step longer than this (ms) is a stall: warning + counter (default 100). */
  stallMs?: number;
  /** Clock in ms (default: the scheduler's now()). */
  clock?: () => number;
  /** Where stall warnings go (a warn record tagged with the task's name). */
  log?: RingLog;
  /** Called for each stall (after the log record). */
  onStall?: (name: string, ms: number) => void;
}

function schedNow(): number {
  const t = currentTaskOrNull();
  return t !== null ? t.sched.now() : activeScheduler().now();
}

/**
 * Profiler and stall detector for generator tasks, without hooks in the scheduler core: {@link wrap}
 * returns a generator function that delegates to the task's generator step by step and times every
 * `next()` / `throw()` with the clock. A step that runs longer than `stallMs` without yielding (a busy
 * loop, a blocking call: the "program hangs" case) is counted and logged as a warning with the task's name.
 *
 * Async tasks cannot be profiled this way: the time between two resumptions of an async function is not
 * observable from outside it (its continuation runs from the promise job queue), so `wrap` returns them
 * unchanged and they have no profile.
 *
 * Cost: one extra generator per profiled task (~0.3 KB on a device) and one profile object (~0.1 KB);
 * each step pays one extra generator resume plus two clock reads.
 * @example
 *   const prof = new Profiler({ stallMs: 50, log });
 *   spawn("blink", prof.wrap("blink", blink), led);
 */
export class Profiler {
  /** Profiles by task name (a restarted task keeps adding to its profile). */
  readonly tasks = new Map<string, TaskProfile>();
  /** Stalls seen, all tasks together. */
  stalls = 0;
  stallMs: number;
  private readonly clock: () => number;
  private readonly log: RingLog | undefined;
  private readonly onStall: ((name: string, ms: number) => void) | undefined;

  constructor(opts: ProfilerOptions = {}) {
    this.stallMs = opts.stallMs ?? 100;
    this.clock = opts.clock ?? schedNow;
    this.log = opts.log;
    this.onStall = opts.onStall;
  }

  /** The profile of `name`, created on first use. */
  profile(name: string): TaskProfile {
    let p = this.tasks.get(name);
    if (p === undefined) {
      p = { name, resumes: 0, runMs: 0, maxStepMs: 0, stalls: 0 };
      this.tasks.set(name, p);
    }
    return p;
  }

  /**
   * A generator function running `fn`'s generator step by step under the profiler, charged to `name`.
   * Functions that are not generator functions are returned as they are (async tasks: see the class doc).
   */
  wrap<A extends unknown[], R>(name: string, fn: (...args: A) => unknown): (...args: A) => Gen<R> {
    if (!isGeneratorFunction(fn)) return fn as (...args: A) => Gen<R>;
    const self = this;
    return function* profiled(...args: A): Gen<R> {
      return (yield* self.drive(self.profile(name), fn(...args) as Gen<R>)) as R;
    };
  }

  /** Run `fn` now as one step charged to `name` (a plain function's work: a console command, a callback). */
  time<R>(name: string, fn: () => R): R {
    const p = this.profile(name);
    const t0 = this.clock();
    try {
      return fn();
    } finally {
      this.account(p, this.clock() - t0);
    }
  }

  /** Lines for a listing: name, resumes, run time, longest step, stalls. */
  lines(): string[] {
    const out = [`${"TASK".padEnd(16)} ${"RESUMES".padStart(8)} ${"RUN ms".padStart(10)} ${"MAX ms".padStart(8)} ${"STALLS".padStart(6)}`];
    for (const p of this.tasks.values()) {
      out.push(`${p.name.padEnd(16)} ${String(p.resumes).padStart(8)} ${fix(p.runMs).padStart(10)} ${fix(p.maxStepMs).padStart(8)} ${String(p.stalls).padStart(6)}`);
    }
    return out;
  }

  /**
   * Step `g` as the task's body, timing each step. A return forced on this generator (the scheduler ends
   * a task that swallowed its own cancel with `gen.return()`) is passed on to `g`, so its finally blocks
   * run, and `g` is driven until it is done.
   */
  private *drive<R>(p: TaskProfile, g: Gen<R>): Gen<R> {
    let input: unknown = undefined;
    let mode = NEXT;
    for (;;) {
      const t0 = this.clock();
      let r: IteratorResult<unknown, R>;
      try {
        r = mode === THROW ? g.throw(input) : mode === RETURN ? g.return(input as R) : g.next(input);
      } finally {
        this.account(p, this.clock() - t0);
      }
      if (r.done) return r.value;
      let resumed = false;
      try {
        input = yield r.value;
        mode = NEXT;
        resumed = true;
      } catch (e) {
        input = e;
        mode = THROW;
        resumed = true;
      } finally {
        if (!resumed) {
          // a forced return: hand it to g instead (this `continue` replaces the return completion)
          input = undefined;
          mode = RETURN;
          continue;
        }
      }
    }
  }

  private account(p: TaskProfile, dt: number): void {
    p.resumes++;
    p.runMs += dt;
    if (dt > p.maxStepMs) p.maxStepMs = dt;
    if (dt > this.stallMs) {
      p.stalls++;
      this.stalls++;
      const msg = `task ${p.name} ran ${fix(dt)} ms without yielding (stall threshold ${this.stallMs} ms)`;
      if (this.log !== undefined) this.log.warn(msg, p.name);
      if (this.onStall !== undefined) this.onStall(p.name, dt);
    }
  }
}

function fix(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

