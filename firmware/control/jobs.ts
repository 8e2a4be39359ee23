import { op, spawn, type Op, type Task, type TaskFn, type TaskWatcher, type Waitable, WaitQueue } from "../sched/kernel";
import { schedNow } from "./clock";
import { formatDuration, show } from "./time";

const RAISE = 0;
const QUIET = 1;

function outcomeBody(t: Task, a: { job: Job<unknown>; mode: number }): unknown {
  const job = a.job;
  const task = job.task;
  if (task.done) {
    if (a.mode === QUIET) return undefined;
    return task.result; // re-raises the job's error
  }
  (a.mode === RAISE ? job.getters : job.waiters).push(t);
  return t.sched.park(t, a.mode === RAISE ? job.getterWait : job.waiterWait);
}

/**
 * A background job (MoaT's `bg`): a task with an id whose outcome can be fetched later. Waiting for a job
 * never cancels it (unlike `task.join()`): a cancelled `get()`/`wait()` just stops waiting.
 * Memory: one object, a task, two empty wait queues.
 */
export class Job<R = unknown> implements TaskWatcher {
  /** @internal */ readonly getters = new WaitQueue();
  /** @internal */ readonly waiters = new WaitQueue();
  /** @internal */ readonly getterWait: Waitable = { abortWait: (t: Task) => (this.getters.remove(t), false) };
  /** @internal */ readonly waiterWait: Waitable = { abortWait: (t: Task) => (this.waiters.remove(t), false) };
  /** Finish time on the scheduler clock (NaN while running). */
  endedAt = NaN;

  /** @internal use Jobs.bg */
  constructor(
    readonly id: number,
    readonly name: string,
    readonly task: Task<R>,
    readonly startedAt: number,
  ) {}

  /** "running" | "done" | "failed" | "cancelled". */
  get state(): string {
    const t = this.task;
    return !t.done ? "running" : t.cancelled ? "cancelled" : t.error !== undefined ? "failed" : "done";
  }

  /** Wait for the job and return its result; re-raises the job's error (or its CancelledError). */
  get(): Op<R> {
    return op<R, { job: Job<unknown>; mode: number }>(outcomeBody, { job: this as Job<unknown>, mode: RAISE });
  }

  /** Wait for the job to end, whatever the outcome (never raises the job's error). */
  wait(): Op<void> {
    return op<void, { job: Job<unknown>; mode: number }>(outcomeBody, { job: this as Job<unknown>, mode: QUIET });
  }

  /** Cancel the job; false if it had already ended. */
  cancel(): boolean {
    return this.task.cancel();
  }

  /** @internal the task ended: release the waiters */
  childDone(t: Task): void {
    this.endedAt = t.sched.now();
    const ok = t.error === undefined;
    for (let w = this.getters.shift(); w !== null; w = this.getters.shift()) {
      if (ok) w.sched.wake(w, t.value);
      else w.sched.wakeThrow(w, t.error);
    }
    for (let w = this.waiters.shift(); w !== null; w = this.waiters.shift()) w.sched.wake(w, undefined);
  }
}

/**
 * Background jobs and foreground calls (MoaT's `bg` / `call`), with a listing for the console.
 * Finished jobs are kept (for `get()` and the listing) up to `keep` (default 16), oldest forgotten first;
 * an error of a job nobody fetched stays in its entry instead of going to the exception handler.
 * @example
 *   const job = jobs.bg(twice, 1234);
 *   ...
 *   const v = yield* job.get();          // 2468, or the job's error
 *   const w = yield* jobs.call(twice, 21); // 42: runs to completion; cancelling the caller cancels it
 */
export class Jobs {
  private readonly jobs: Job[] = [];
  private nextId = 1;
  constructor(readonly keep = 16) {}

  /**
   * Start `fn(...args)` in the background, optionally named (`bg("blink", blink, 10)`: task "job1:blink");
   * returns its job.
   */
  bg<A extends unknown[], R>(fn: TaskFn<A, R>, ...args: A): Job<R>;
  bg<A extends unknown[], R>(name: string, fn: TaskFn<A, R>, ...args: A): Job<R>;
  bg(a: unknown, ...rest: unknown[]): Job {
    const id = this.nextId++;
    const named = typeof a === "string";
    const fn = (named ? rest.shift() : a) as TaskFn;
    const task = spawn(named ? `job${id}:${a as string}` : `job${id}`, fn, ...rest);
    const job = new Job(id, task.name, task, task.sched.now());
    task.sched.watch(task, job);
    this.jobs.push(job);
    this.trim();
    return job;
  }

  /** Run `fn(...args)` as a task to completion and return its result (re-raises; a cancel of the caller cancels it). */
  call<A extends unknown[], R>(fn: TaskFn<A, R>, ...args: A): Op<R> {
    return spawn(`call`, fn, ...args).join() as Op<R>;
  }

  /** The job with this id, if kept. */
  get(id: number): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** Jobs kept, oldest first. */
  list(): Job[] {
    return this.jobs.slice();
  }

  /** `#1 job1:twice running 3 s` / `#2 ... done 1 s ago --> 2468` / `#3 ... failed --> Error: x`. */
  lines(now = schedNow()): string[] {
    return this.jobs.map((j) => {
      const base = `#${j.id} ${j.name} ${j.state}`;
      if (j.state === "running") return `${base} ${formatDuration(now - j.startedAt)}`;
      const ago = `${formatDuration(now - j.endedAt)} ago`;
      if (j.state === "done") return `${base} ${ago} --> ${show(j.task.result)}`;
      if (j.state === "failed") return `${base} ${ago} --> ${show(j.task.error)}`;
      return `${base} ${ago}`;
    });
  }

  private trim(): void {
    for (let i = 0; i < this.jobs.length && this.jobs.length > this.keep; ) {
      if (this.jobs[i]!.task.done) this.jobs.splice(i, 1);
      else i++;
    }
  }
}
