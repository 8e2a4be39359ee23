import { nameErrorClass, op, type Op, type Task, type Waitable } from "../../firmware/sched/kernel";

/**
 * The platform seam for {@link toThread}: something that runs a function where it cannot stall the
 * scheduler. Node: host/thread-node.ts (worker_threads). A device installs its own (Moddable's Worker);
 * firmware never imports host code.
 */
export interface ThreadRunner {
  /** Shown in errors and stats. */
  readonly name: string;
  /**
   * Start `fn(...args)` elsewhere and call `done(true, value)` or `done(false, error)` once, later, from a
   * host callback (outside tasks; never from inside start()). Return a function that abandons the work
   * (terminate the worker).
   */
  start(fn: (...args: any[]) => unknown, args: unknown[], done: (ok: boolean, value: unknown) => void): () => void;
}

/** No thread runner is installed: the platform has no workers (or the firmware did not install them). */
export class NoThreadsError extends Error {
  constructor(message: string) {
    super(message);
  }
}
nameErrorClass(NoThreadsError, "NoThreadsError");

let runner: ThreadRunner | null = null;
/** Counters of {@link toThread}: started, finished (value or error), abandoned (cancel or timeout), late results dropped. */
export const threadStats = { started: 0, finished: 0, failed: 0, abandoned: 0, dropped: 0 };

/** Install (or with null, remove) the platform's thread runner. */
export function setThreadRunner(r: ThreadRunner | null): void {
  if (r !== null && (typeof r !== "object" || typeof r.start !== "function")) throw new TypeError("setThreadRunner needs { name, start(fn, args, done) } or null");
  runner = r;
}

/** The installed runner, or null. */
export function threadRunner(): ThreadRunner | null {
  return runner;
}

class ThreadCall implements Waitable {
  task: Task | null = null;
  abort: (() => void) | null = null;
  settled = false;
  constructor(readonly fn: (...args: any[]) => unknown, readonly args: unknown[]) {}

  done(ok: boolean, value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const t = this.task;
    if (t === null) {
      threadStats.dropped++; // the caller is gone: the late result is dropped
      return;
    }
    this.task = null;
    if (ok) {
      threadStats.finished++;
      t.sched.wake(t, value);
    } else {
      threadStats.failed++;
      t.sched.wakeThrow(t, value);
    }
  }

  abortWait(t: Task): boolean {
    if (this.task === t) this.task = null;
    threadStats.abandoned++;
    const a = this.abort;
    this.abort = null;
    if (a !== null) a();
    return false;
  }
}

function startBody(t: Task, c: ThreadCall): unknown {
  const r = runner;
  if (r === null) {
    throw new NoThreadsError(
      "toThread: no worker threads here. Node has worker_threads (host/thread-node installs them); an ESP32 build " +
        "installs moddableThreadRunner (Moddable's Worker, a FreeRTOS task each); the Pico has none: its Worker " +
        "(Moddable 8.2.3) runs on the loop's own thread. Split the work into short steps with `yield* checkpoint()` " +
        "between them instead",
    );
  }
  c.task = t;
  threadStats.started++;
  c.abort = r.start(c.fn, c.args, (ok, value) => c.done(ok, value));
  return t.sched.park(t, c);
}

/**
 * Run `fn(...args)` off the scheduler's thread (asyncio's `to_thread`), as an operation: the task waits
 * while other tasks run, and gets fn's value, or its error as its own. `fn` must be self-contained: it
 * runs in another JavaScript realm (no closures over this task's variables; arguments and the result are
 * copied, structured-clone style).
 *
 * Cancel/timeout (`failAfter`, `moveOnAfter`, `task.cancel()`): the wait ends at once, the work is
 * abandoned (the runner terminates it), and a result that comes later is dropped (`threadStats.dropped`).
 * Errors: NoThreadsError where no runner is installed (it never silently runs fn on the loop); TypeError for
 * a non-function; fn's error as thrown in the worker.
 * Memory: one small object per call, plus what the runner spends (a Node worker: a whole V8 isolate, ~10 MB).
 * @example
 *   const digest = yield* failAfter(5000, () => toThread(hashFile, path));
 */
export function toThread<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Op<R> {
  if (typeof fn !== "function") throw new TypeError(`toThread needs a function, got ${typeof fn}`);
  return op<R, ThreadCall>(startBody, new ThreadCall(fn as (...a: any[]) => unknown, args));
}
