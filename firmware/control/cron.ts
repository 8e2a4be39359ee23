import { current, sleepMs, spawn, type Gen, type Task, type TaskFn } from "../sched/kernel";
import { systemWallClock, type WallClock } from "./clock";
import { invoke } from "./invoke";

/** A cron field: one value, a list of values, or a wildcard (`"*"`, null or undefined where allowed). */
export type CronField = number | readonly number[] | "*" | null | undefined;

/**
 * When to run (micropython-async's sched.cron): every field must match. Omitted `secs` and `mins` mean 0,
 * the other omitted fields are wildcards, so `{ hrs: 3 }` is 03:00:00 every day and `{ mins: "*" }` is the
 * start of every minute. Weekdays count from Monday = 0. Unlike Unix cron, `mday` and `wday` must both
 * match when both are given. Fields are matched against the UTC calendar of the wall clock's epoch ms: for
 * local time, give a clock that adds the zone offset.
 */
export interface CronSpec {
  secs?: CronField;
  mins?: CronField;
  hrs?: CronField;
  mday?: CronField;
  month?: CronField;
  wday?: CronField;
  /** Stop after this many runs (default: never). */
  times?: number;
}

/** A validated spec: one flag per allowed value. */
export interface CompiledCron {
  readonly secs: boolean[];
  readonly mins: boolean[];
  readonly hrs: boolean[];
  readonly mday: boolean[];
  readonly month: boolean[];
  readonly wday: boolean[];
  readonly times: number;
}

function field(name: string, v: CronField, lo: number, hi: number, dflt: number | null): boolean[] {
  const flags: boolean[] = [];
  for (let i = 0; i <= hi; i++) flags.push(false);
  if (v === undefined && dflt !== null) v = dflt;
  if (v === undefined || v === null || v === "*") {
    for (let i = lo; i <= hi; i++) flags[i] = true;
    return flags;
  }
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`cron ${name}: expected a number, a non-empty list or "*", got ${JSON.stringify(v)}`);
  for (const x of list as number[]) {
    if (typeof x !== "number" || x !== Math.floor(x) || x < lo || x > hi) throw new RangeError(`cron ${name}: ${JSON.stringify(x)} is not an integer in ${lo}..${hi}`);
    flags[x] = true;
  }
  return flags;
}

/** Validate a spec once (RangeError / TypeError naming the bad field). */
export function compileCron(spec: CronSpec): CompiledCron {
  return {
    secs: field("secs", spec.secs, 0, 59, 0),
    mins: field("mins", spec.mins, 0, 59, 0),
    hrs: field("hrs", spec.hrs, 0, 23, null),
    mday: field("mday", spec.mday, 1, 31, null),
    month: field("month", spec.month, 1, 12, null),
    wday: field("wday", spec.wday, 0, 6, null),
    times: spec.times ?? Infinity,
  };
}

const SEARCH_MS = 9 * 366 * 86400_000; // a Feb 29 can be 8 years away (2096 -> 2104)

/**
 * Milliseconds from `wallMs` to the next whole second, strictly after it, that matches `spec` (stateless:
 * the same inputs give the same answer). Throws RangeError if nothing matches within 9 years (Feb 30).
 * @example cronNext({ hrs: 3 }, Date.UTC(2024, 0, 1, 2, 59, 59)) === 1000
 */
export function cronNext(spec: CronSpec | CompiledCron, wallMs: number): number {
  const c = "times" in spec && Array.isArray((spec as CompiledCron).secs) ? (spec as CompiledCron) : compileCron(spec as CronSpec);
  let t = Math.floor(wallMs / 1000) * 1000 + 1000;
  const limit = t + SEARCH_MS;
  while (t < limit) {
    const d = new Date(t);
    const Y = d.getUTCFullYear();
    const M = d.getUTCMonth();
    const D = d.getUTCDate();
    const h = d.getUTCHours();
    const m = d.getUTCMinutes();
    if (!c.month[M + 1]) {
      t = Date.UTC(Y, M + 1, 1);
      continue;
    }
    if (!c.mday[D] || !c.wday[(d.getUTCDay() + 6) % 7]) {
      t = Date.UTC(Y, M, D + 1);
      continue;
    }
    if (!c.hrs[h]) {
      t = Date.UTC(Y, M, D, h + 1);
      continue;
    }
    if (!c.mins[m]) {
      t = Date.UTC(Y, M, D, h, m + 1);
      continue;
    }
    let s = d.getUTCSeconds();
    while (s < 60 && !c.secs[s]) s++;
    if (s === 60) {
      t = Date.UTC(Y, M, D, h, m + 1);
      continue;
    }
    return Date.UTC(Y, M, D, h, m, s) - wallMs;
  }
  throw new RangeError("cron spec never matches (checked 9 years ahead)");
}

/** Options of {@link cron}. */
export interface CronOptions {
  /** Wall clock in epoch ms (default Date.now; an RTC on a board). */
  clock?: WallClock;
  /** Longest single sleep (ms, default 60 000): the clock is read again after each, so a changed clock is noticed. */
  maxSleepMs?: number;
}

/**
 * Run `fn(...args)` whenever the wall clock matches `spec` (cron-like, for boards with a real-time clock).
 * The schedule sleeps on the scheduler clock in pieces of at most `maxSleepMs` and reads the wall clock
 * again after each, so a clock that is set or drifts is followed; it runs once the wall clock has reached
 * the match. Runs happen in the job's task, one at a time; a run that lasts past later matches skips them.
 * Cancel: cancelling the task stops it. Errors: a failing run ends the task with its error.
 * Memory: 6 flag arrays (~170 booleans) and a few fields.
 * @example reg.add("nightly", cron({ hrs: 3, mins: 30 }, compact, db).body)
 */
export class CronJob {
  runs = 0;
  /** Wall time (epoch ms) of the last match run (NaN before). */
  lastRun = NaN;
  task: Task | null = null;
  readonly spec: CompiledCron;
  readonly body: () => Gen<number>;
  private readonly clock: WallClock;
  private readonly maxSleep: number;

  constructor(spec: CronSpec, fn: TaskFn, args: unknown[], opts: CronOptions = {}) {
    this.spec = compileCron(spec);
    this.clock = opts.clock ?? systemWallClock;
    this.maxSleep = opts.maxSleepMs ?? 60_000;
    if (!(this.maxSleep > 0)) throw new RangeError("maxSleepMs must be positive");
    const self = this;
    this.body = function* cronJob(): Gen<number> {
      return yield* self.loop(fn, args);
    };
  }

  /** ms until the next match from the clock's current time. */
  msToNext(): number {
    return cronNext(this.spec, this.clock());
  }

  start(name = "cron"): Task<number> {
    return spawn(name, this.body);
  }

  private *loop(fn: TaskFn, args: unknown[]): Gen<number> {
    const t = current();
    this.task = t;
    const name = `${t.name}/run`;
    while (this.runs < this.spec.times) {
      const w = this.clock();
      const ms = cronNext(this.spec, w);
      if (ms > this.maxSleep) {
        yield* sleepMs(this.maxSleep);
        continue;
      }
      yield* sleepMs(ms);
      if (this.clock() < w + ms) continue; // woke early on the wall clock (set back, or slower): look again
      this.lastRun = w + ms;
      yield* invoke(name, fn, args);
      this.runs++;
    }
    return this.runs;
  }
}

/** A {@link CronJob} (not started: spawn its `body` or call `start(name)`). */
export function cron<A extends unknown[]>(spec: CronSpec, fn: TaskFn<A>, ...args: A): CronJob {
  return new CronJob(spec, fn as TaskFn, args);
}

/** {@link cron} with options (clock, maxSleepMs). */
export function cronWith<A extends unknown[]>(spec: CronSpec, opts: CronOptions, fn: TaskFn<A>, ...args: A): CronJob {
  return new CronJob(spec, fn as TaskFn, args, opts);
}

/**
 * A task body that runs `fn(...args)` once the wall clock reaches `wallMs` (epoch ms), sleeping in pieces
 * of at most `maxSleepMs` (default 60 000) so a changed clock is noticed; returns fn's result.
 */
export function atTime<A extends unknown[], R>(wallMs: number, opts: CronOptions, fn: TaskFn<A, R>, ...args: A): () => Gen<R> {
  const clock = opts.clock ?? systemWallClock;
  const max = opts.maxSleepMs ?? 60_000;
  return function* atWallTime(): Gen<R> {
    for (let left = wallMs - clock(); left > 0; left = wallMs - clock()) yield* sleepMs(Math.min(left, max));
    return yield* invoke(`${current().name}/run`, fn as TaskFn<any[], R>, args);
  };
}
