import { InvalidStateError, isCancelled } from "./errors";
import type { WheelNode } from "./wheel";
import type { Op } from "./op";
import type { Scheduler } from "./scheduler";
import type { WaitQueue } from "./waitqueue";

/** A generator task body or helper: `function*` returning R. */
export type Gen<R = unknown> = Generator<unknown, R, unknown>;

/** What a task body may be: a generator function or an (async) function, called with the spawn arguments. */
export type TaskFn<A extends unknown[] = any[], R = unknown> = (...args: A) => Gen<R> | PromiseLike<R> | R;

/**
 * Something a task can be parked on. Every primitive parks through `Scheduler.park` with itself as the
 * waitable; cancellation always goes "unlink, then deliver CancelledError" through these two hooks
 * (trio's abort_fn, MicroPython's `task.data` queue pointer).
 */
export interface Waitable {
  /**
   * `task` is cancelled while parked here: unlink it. Return true to keep it parked because you will
   * wake it yourself (a join passes the cancel on to the child and waits for it).
   */
  abortWait(task: Task, reason: unknown): boolean;
  /**
   * `task` was woken by you with `value` but is cancelled before it ran: take back what you handed it
   * (pass the lock on, put the item back), so nothing is lost, and return true. Return false if the
   * operation cannot be taken back (it happened): the task then resumes with `value` and receives the
   * cancel at its next operation (trio: "raising Cancelled means the operation did not happen").
   */
  undoWake?(task: Task, value: unknown): boolean;
}

/** Receives the completion of tasks it watches (gather, task groups, run). */
export interface TaskWatcher {
  childDone(task: Task): void;
}

// Task states: one small integer (a tagged union without the allocation). The state machine:
//
//   NEW ──first step──▶ RUNNING ──op parks──▶ WAITING ──wake──▶ READY ──step──▶ RUNNING ...
//    │                    │  └──checkpoint──────────────────────▶ READY
//    │                    │                   WAITING/READY ──cancel──▶ READY_THROW ──step──▶ RUNNING
//    └─cancel─▶ NEW_CANCELLED ──step (body never runs)──▶ DONE_ERR
//                         └──return──▶ DONE_OK      └──throw──▶ DONE_ERR
export const NEW = 0;
export const READY = 1;
export const READY_THROW = 2;
export const RUNNING = 3;
export const WAITING = 4;
export const NEW_CANCELLED = 5;
export const DONE_OK = 6;
export const DONE_ERR = 7;
/**
 * @internal Stands in `task.gen` of an async task while a composite's generator body is stepped in it
 * (see ./body drive): the task is still async.
 */
export const DRIVEN = { driven: true } as unknown as Gen;
/** @internal The pending "throw" of a generator task that swallowed its own cancel: it is ended with `gen.return()`. */
// Stryker disable next-line ObjectLiteral,BooleanLiteral: an identity token, compared with ===; its contents are never read
export const HALT = { halt: true };
/** Run-queue entries that are callbacks (callSoon / callLater) carry this state. */
export const CALLBACK = 8;
const STATE_NAMES = ["new", "ready", "ready", "running", "waiting", "new", "done", "done"];

/** An entry of the scheduler's run queue: a task or a callback. */
export interface Runnable {
  next: Runnable | null;
  readonly st: number;
}

/** Rarely used per-task state, allocated on first use so a plain parked task stays small. */
export class TaskExt {
  joiners: WaitQueue | null = null;
  watchers: TaskWatcher[] | null = null;
  scope: unknown = null;
  /**
   * The cancel every operation of the task raises while it is set (level-triggered, trio's rule): the
   * task's own cancel, or the error of the innermost cancelled scope. Leaving that scope restores the
   * outer one; a task's own cancel stays until the task ends.
   */
  pendingCancel: unknown = null;
  /** The task itself was cancelled (never cleared). */
  cancelled: unknown = null;
  /** Depth of `shield()` blocks the task is in: cancels from outside them wait until they end. */
  shield = 0;
  /** A cancel that arrived inside a shield, delivered when the outermost shield ends. */
  deferred: unknown = null;
  /** Somebody retrieved the outcome (join, result, error, a watcher): a failure is not reported. */
  seen = false;
  /** Times the scheduler has thrown the task's own cancel into it (see Scheduler.raiseCancel). */
  cancelRaised = 0;
  /** The task swallowed its own cancel and is being ended with `gen.return()`: it ends as cancelled. */
  halted = false;
}

/**
 * A running function. Created by `spawn(fn, ...args)`; never from a bare generator or promise.
 *
 * Memory: a Task has 14 fields (about 0.24 KB on a 32-bit device), plus its suspended generator
 * (~0.3 KB) or async function (~0.8 KB, plus a promise per wait). A default name is kept as its number
 * until read. Joining, scopes and cancels add one TaskExt.
 */
export class Task<R = unknown> implements WheelNode, Runnable, Waitable {
  // Field order matters on XS: a property lookup walks the object's slots in order, so the fields the
  // scheduler touches on every switch come first.
  /** @internal state, see the diagram above */ st: number = NEW;
  /** @internal the body function until the first step, then the generator (null for async tasks) */
  gen: Gen | ((...a: unknown[]) => unknown) | null;
  /** @internal run-queue or wait-queue link (a task is in at most one of them) */ next: Runnable | null = null;
  /**
   * @internal the arguments until the first step; while parked a scratch slot for the primitive
   * (the item a putter offers); then the pending resume value or error; finally the result or error
   */
  value: unknown;
  /** @internal what the task is parked on, or what woke it (for undoWake; kept while it runs, until it parks or checkpoints) */ waitOn: Waitable | null = null;
  readonly sched: Scheduler;
  /** @internal */ ext: TaskExt | null = null;
  /** @internal an async task parked in an operation: the resolve function of the promise it awaits */
  res: ((v: unknown) => void) | null = null;
  /** @internal the name, or the spawn number of a default name (no string until someone reads it) */
  private nm: string | number;
  /** @internal timer node (sleep): deadline, far-heap order and index or wheel slot, wheel links */ deadline = 0;
  /** @internal */ seq = 0;
  /** @internal */ hi = -1;
  /** @internal timer wheel links */ tn: WheelNode | null = null;
  /** @internal */ tp: WheelNode | null = null;

  /** @internal use spawn() */
  constructor(sched: Scheduler, name: string | undefined, fn: ((...a: unknown[]) => unknown) | null, args: unknown[] | null) {
    this.sched = sched;
    this.nm = name ?? ++sched.spawned;
    this.gen = fn;
    this.value = args;
  }

  /** Name for logs and status listings (given by the caller, else "task<N>"); settable. */
  get name(): string {
    const n = this.nm;
    return typeof n === "number" ? `task${n}` : n;
  }

  set name(v: string) {
    this.nm = v;
  }

  /** True once the task has finished: returned, failed or cancelled. */
  get done(): boolean {
    return this.st >= DONE_OK;
  }

  /** "new" | "ready" | "running" | "waiting" | "done". */
  get state(): string {
    return STATE_NAMES[this.st]!;
  }

  /** True if the task finished by a CancelledError. */
  get cancelled(): boolean {
    return this.st === DONE_ERR && isCancelled(this.value);
  }

  /** The error the task failed with (undefined while running or if it returned). */
  get error(): unknown {
    if (this.st !== DONE_ERR) return undefined;
    this.x().seen = true;
    return this.value;
  }

  /** The return value. Throws if the task is not done, and re-throws its error if it failed. */
  get result(): R {
    if (this.st < DONE_OK) throw new InvalidStateError(`task ${this.name} is not done`);
    if (this.st === DONE_ERR) {
      this.x().seen = true;
      throw this.value;
    }
    return this.value as R;
  }

  /**
   * Ask the task to stop: it receives CancelledError at its current wait point, at once (or never runs,
   * if it has not started), and again at every later operation: a `catch` can delay the cancel by one
   * operation, never undo it. Returns true while the task is not done, false after. A task cannot cancel itself.
   */
  cancel(reason?: unknown): boolean {
    return this.sched.cancel(this, reason);
  }

  /**
   * Wait for the task to finish; returns its result or re-throws its error. Cancelling the waiter passes
   * the cancel on to this task and keeps waiting for it, then raises its own CancelledError whatever the
   * task returned (a cancel is never lost through a join).
   */
  join(): Op<R> {
    return this.sched.join(this);
  }

  /** @internal */
  x(): TaskExt {
    return this.ext ?? (this.ext = new TaskExt());
  }

  /** @internal a sleeping task's deadline passed */
  onTimer(s: Scheduler): void {
    s.wake(this, undefined);
  }

  /** @internal Waitable for joiners: forward the cancel to this task, keep the joiner waiting. */
  abortWait(_waiter: Task, reason: unknown): boolean {
    this.sched.cancelTask(this, reason);
    return true;
  }

  toString(): string {
    return `Task(${this.name}, ${this.state})`;
  }
}
