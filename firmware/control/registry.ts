import { InvalidStateError, isCancelled, spawn, type Task, type TaskFn, type TaskWatcher } from "../sched/kernel";
import { schedNow } from "./clock";
import type { Profiler } from "./profiler";
import type { RingLog } from "./ringlog";
import { statusLines, type StatusOptions, type TaskInfo } from "./status";
import { traceback } from "./time";

/** Called when a controlled task ends cancelled (stopped). */
export type StopCallback = (c: Controlled) => void;
/** Called when a controlled task fails (any error but a cancel). */
export type ErrorCallback = (c: Controlled, error: unknown) => void;

/** Told when a run of a controlled task starts and ends, however it ends (a service manager is one). */
export interface ControlledOwner {
  started(c: Controlled): void;
  /** After the entry's state is set; not told of a run replaced by `restart`. */
  ended(c: Controlled): void;
}

/**
 * A named task under control: its function and arguments (kept, so it can be started again), the task of
 * its current or last run, and that run's outcome.
 *
 * States: new ──start──▶ running ──returns──▶ done
 *                           │  └──throws───▶ failed
 *                           └──stop/cancel─▶ cancelled        (start/restart from any state but running)
 * Memory: one object of 16 fields (~0.3 KB) besides the task.
 */
export class Controlled implements TaskInfo, TaskWatcher {
  state: TaskInfo["state"] = "new";
  /** Arguments of the next start (edit them, then restart). */
  args: unknown[];
  /** The task of the current or last run (null before the first start). */
  task: Task | null = null;
  startedAt = 0;
  endedAt = 0;
  result: unknown = undefined;
  error: unknown = undefined;
  starts = 0;
  onStop: StopCallback | null = null;
  onError: ErrorCallback | null = null;
  /** Told of every start and end (see {@link ControlledOwner}). */
  owner: ControlledOwner | null = null;
  /** Checks new arguments given to `restart` before they replace the stored ones (throws to refuse). */
  validate: ((args: unknown[]) => void) | null = null;

  /** @internal use TaskRegistry.add / define */
  constructor(
    private readonly reg: TaskRegistry,
    readonly name: string,
    readonly fn: TaskFn,
    args: unknown[],
  ) {
    this.args = args;
  }

  get profile(): TaskInfo["profile"] {
    return this.reg.profiler?.tasks.get(this.name);
  }

  /** The failure's name, message and stack as lines (empty unless failed). */
  get traceback(): string[] {
    return this.state === "failed" ? traceback(this.error) : [];
  }

  /** @internal TaskWatcher: a run ended. */
  childDone(t: Task): void {
    if (t !== this.task) return; // an earlier run replaced by restart
    this.endedAt = t.sched.now();
    const e = t.error;
    if (e === undefined) {
      this.state = "done";
      this.result = t.result;
    } else if (isCancelled(e)) {
      this.state = "cancelled";
      if (this.onStop !== null) this.onStop(this);
    } else {
      this.state = "failed";
      this.error = e;
      if (this.onError !== null) this.onError(this, e);
      else if (this.reg.log !== undefined) this.reg.log.error(`failed: ${traceback(e).join("\n")}`, this.name);
      else t.sched.report(e, { task: t, message: "controlled task failed" });
    }
    if (this.owner !== null) this.owner.ended(this);
  }
}

/** Options of {@link TaskRegistry}. */
export interface RegistryOptions {
  /** Profile generator tasks (resume counts, run time, stalls). */
  profiler?: Profiler;
  /** Where failures without an onError callback are logged (else the scheduler's exception handler). */
  log?: RingLog;
  /** Wall clock (epoch ms) for dates in status listings (default: scheduler times). */
  wallClock?: () => number;
}

/**
 * Named tasks you can list, stop, start and restart, with their results and tracebacks (asyncmd's aioctl).
 * Names are unique: adding "blink" twice gives "blink" and "blink-2". Finished entries stay listed until
 * `remove`d. Methods are synchronous and may be called from any task (a console) or at setup time inside a
 * running scheduler.
 *
 * A stop is a cancel: the task gets CancelledError at its wait point and its cleanup runs at its next
 * step, before a task started in the same round (the run queue is FIFO). A failure goes to the entry's
 * onError, else to the log, else to the scheduler's exception handler.
 * Memory: a Map entry and a {@link Controlled} per name.
 * @example
 *   const reg = new TaskRegistry();
 *   reg.add("blink", blink, led, 500);
 *   reg.get("blink")!.args = [led, 100];
 *   reg.restart("blink");
 *   for (const l of reg.status()) trace(l + "\n");
 */
export class TaskRegistry {
  readonly profiler: Profiler | undefined;
  readonly log: RingLog | undefined;
  private readonly wall: (() => number) | undefined;
  private readonly entries = new Map<string, Controlled>();

  constructor(opts: RegistryOptions = {}) {
    this.profiler = opts.profiler;
    this.log = opts.log;
    this.wall = opts.wallClock;
  }

  /** A free name: `name`, else `name-2`, `name-3`... */
  uniqueName(name: string): string {
    if (!this.entries.has(name)) return name;
    let i = 2;
    while (this.entries.has(`${name}-${i}`)) i++;
    return `${name}-${i}`;
  }

  /** Register `fn` under a unique name without starting it. */
  define<A extends unknown[]>(name: string, fn: TaskFn<A>, ...args: A): Controlled {
    if (typeof fn !== "function") throw new TypeError("define needs a task function");
    const c = new Controlled(this, this.uniqueName(String(name)), fn as TaskFn, args);
    this.entries.set(c.name, c);
    return c;
  }

  /** Register and start `fn(...args)`; returns the entry (its `name` may carry a suffix). */
  add<A extends unknown[]>(name: string, fn: TaskFn<A>, ...args: A): Controlled {
    const c = this.define(name, fn, ...args);
    this.startEntry(c);
    return c;
  }

  get(name: string): Controlled | undefined {
    return this.entries.get(name);
  }

  /** Every entry, in the order they were added. */
  list(): Controlled[] {
    return [...this.entries.values()];
  }

  /** Start `name` with its stored arguments. Throws if unknown or running. */
  start(name: string): Controlled {
    const c = this.need(name);
    this.startEntry(c);
    return c;
  }

  /** Stop (cancel) `name`; false if it was not running. Throws if unknown. */
  stop(name: string): boolean {
    const c = this.need(name);
    if (c.state !== "running" || c.task === null) return false;
    c.task.cancel();
    return true;
  }

  /** Stop `name` if running, then start it again, with `args` if given (they replace the stored ones). */
  restart(name: string, args?: unknown[]): Controlled {
    const c = this.need(name);
    if (args !== undefined) {
      if (!Array.isArray(args)) throw new TypeError("restart arguments must be an array");
      if (c.validate !== null) c.validate(args);
      c.args = args;
    }
    if (c.state === "running" && c.task !== null) {
      const old = c.task;
      c.task = null; // its end no longer updates the entry
      c.state = "cancelled";
      old.cancel();
    }
    this.startEntry(c);
    return c;
  }

  /** Forget `name` (stop it first if running). Returns whether it existed. */
  remove(name: string): boolean {
    const c = this.entries.get(name);
    if (c === undefined) return false;
    if (c.state === "running" && c.task !== null) c.task.cancel();
    this.entries.delete(name);
    return true;
  }

  /** The systemd-like listing (see statusLines); `names` limits it to those entries. */
  status(opts: StatusOptions & { now?: number; names?: string[] } = {}): string[] {
    const list = opts.names !== undefined ? opts.names.map((n) => this.need(n)) : this.list();
    const now = opts.now ?? schedNow();
    const wallAtNow = opts.wallAtNow ?? (this.wall !== undefined ? this.wall() : undefined);
    return statusLines(list, now, { verbose: opts.verbose === true, ...(wallAtNow !== undefined ? { wallAtNow } : {}) });
  }

  private need(name: string): Controlled {
    const c = this.entries.get(name);
    if (c === undefined) throw new InvalidStateError(`no task named ${JSON.stringify(name)}`);
    return c;
  }

  private startEntry(c: Controlled): void {
    if (c.state === "running") throw new InvalidStateError(`task ${c.name} is already running`);
    const fn = this.profiler !== undefined ? this.profiler.wrap(c.name, c.fn) : c.fn;
    const t = spawn(c.name, fn, ...c.args);
    c.task = t;
    c.state = "running";
    c.startedAt = t.sched.now();
    c.result = c.error = undefined;
    c.starts++;
    t.sched.watch(t, c);
    if (c.owner !== null) c.owner.started(c);
  }
}
