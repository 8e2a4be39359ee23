import { InvalidStateError } from "./errors";
import type { TimerNode } from "./heap";
import type { Scheduler } from "./scheduler";
import { WaitQueue } from "./waitqueue";

/** A generator task body or helper: `function*` returning R. */
export type Gen<R = unknown> = Generator<unknown, R, unknown>;

/** What a task body may be: a generator function or an (async) function, called with the spawn arguments. */
export type TaskFn<A extends unknown[] = any[], R = unknown> = (...args: A) => Gen<R> | PromiseLike<R> | R;

/** The value a task body produces once finished. */
export type TaskResult<F> = F extends (...args: any[]) => Gen<infer R> ? R : F extends (...args: any[]) => infer R ? Awaited<R> : never;

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
   * (the lock, the queue item), so nothing is lost.
   */
  undoWake?(task: Task, value: unknown): void;
}

/** Receives the completion of tasks it watches (gather, task groups, run). */
export interface TaskWatcher {
  childDone(task: Task): void;
}

// Task states. A small state machine (Embassy's TaskHeader keeps one in a doc comment, so do we):
//
//   NEW --first step--> RUNNING --op parks--> WAITING --wake/cancel--> READY --step--> RUNNING ...
//    |                     \--checkpoint------------------------------> READY
//    \--cancel before start (never runs its body)--> DONE <--return/throw-- RUNNING
export const NEW = 0;
export const READY = 1;
export const RUNNING = 2;
export const WAITING = 3;
export const DONE = 4;
const STATE_NAMES = ["new", "ready", "running", "waiting", "done"];

/** Body kinds, known once the task starts. */
export const KIND_UNKNOWN = 0;
export const KIND_GEN = 1;
export const KIND_ASYNC = 2;
/** Run-queue entries that are plain callbacks (callSoon / callLater). */
export const KIND_CALLBACK = 3;

/** An entry of the scheduler's run queue: a task or a callback. */
export interface Runnable {
  next: Runnable | null;
  kind: number;
}

let nextId = 1;

/**
 * A running function. Created by `spawn(fn, ...args)`; never from a bare generator or promise.
 *
 * Memory: one Task object (~25 fields, about 0.2 KB on a 32-bit device) plus its generator (~0.3 KB
 * suspended) or async function (~0.8 KB suspended, plus a promise per wait).
 */
export class Task<R = unknown> implements TimerNode, Runnable, Waitable {
  /** Unique id within the process. */
  readonly id: number;
  /** Name for logs and status listings; settable. */
  name: string;
  readonly sched: Scheduler;

  /** @internal */ next: Runnable | null = null;
  /** @internal */ kind: number = KIND_UNKNOWN;
  /** @internal */ st: number = NEW;
  /** @internal body and arguments until the first step */ fn: ((...a: unknown[]) => unknown) | null;
  /** @internal */ args: unknown[] | null;
  /** @internal */ gen: Gen | null = null;

  /** @internal timer heap node (sleep) */ deadline = 0;
  /** @internal */ seq = 0;
  /** @internal */ hi = -1;

  /** @internal what the task is parked on, or what woke it (for undoWake) */ waitOn: Waitable | null = null;
  /** @internal wait-queue links */ qprev: Task | null = null;
  /** @internal */ qnext: Task | null = null;
  /** @internal the queue the task is linked in */ queue: WaitQueue | null = null;
  /** @internal pending resume: throw `value` instead of returning it */ throwing = false;
  /** @internal pending resume value or error; also a scratch slot for the primitive that parked it */ value: unknown = undefined;
  /** @internal per-wait data a primitive may attach (the item a putter offers) */ data: unknown = undefined;
  /** @internal cancel requested while running: delivered at the next operation */ pendingCancel: unknown = null;
  /** @internal generator op started but not yet run by yield* */ opFn: ((t: Task, a: any) => unknown) | null = null;
  /** @internal */ opArg: unknown = undefined;
  /** @internal async task resolvers for the current wait */ res: ((v: unknown) => void) | null = null;
  /** @internal */ rej: ((e: unknown) => void) | null = null;
  /** @internal innermost cancel scope */ scope: unknown = null;

  /** @internal */ ok = false;
  /** @internal */ out: unknown = undefined;
  /** @internal tasks joined on this one */ joiners: WaitQueue | null = null;
  /** @internal */ watchers: TaskWatcher[] | null = null;

  /** @internal use spawn() */
  constructor(sched: Scheduler, name: string | undefined, fn: ((...a: unknown[]) => unknown) | null, args: unknown[] | null) {
    this.id = nextId++;
    this.sched = sched;
    this.name = name ?? (fn && fn.name ? fn.name : "task") + "#" + this.id;
    this.fn = fn;
    this.args = args;
  }

  /** True once the task has finished: returned, failed or cancelled. */
  get done(): boolean {
    return this.st === DONE;
  }

  /** "new" | "ready" | "running" | "waiting" | "done". */
  get state(): string {
    return STATE_NAMES[this.st]!;
  }

  /** True if the task finished by a CancelledError. */
  get cancelled(): boolean {
    return this.st === DONE && !this.ok && this.out instanceof Error && this.out.name === "CancelledError";
  }

  /** The error the task failed with (undefined while running or if it returned). */
  get error(): unknown {
    return this.st === DONE && !this.ok ? this.out : undefined;
  }

  /** The return value. Throws if the task is not done, and re-throws its error if it failed. */
  get result(): R {
    if (this.st !== DONE) throw new InvalidStateError(`task ${this.name} is not done`);
    if (!this.ok) throw this.out;
    return this.out as R;
  }

  /**
   * Ask the task to stop: it receives CancelledError at its current wait point, at once (or never runs,
   * if it has not started). Returns true while the task is not done, false after.
   * Cancelling repeatedly delivers one CancelledError per wait. A task cannot cancel itself.
   */
  cancel(reason?: unknown): boolean {
    return this.sched.cancel(this, reason);
  }

  /**
   * Wait for the task to finish; returns its result or re-throws its error. Cancelling the waiter passes
   * the cancel on to this task and keeps waiting for it (a task that swallows the cancel lets the waiter go on).
   */
  join(): import("./op").Op<R> {
    return this.sched.join(this);
  }

  /** @internal Waitable for joiners: forward the cancel to this task, keep the joiner waiting. */
  abortWait(_waiter: Task, reason: unknown): boolean {
    this.sched.cancelInternal(this, reason);
    return true;
  }

  toString(): string {
    return `Task(${this.name}, ${this.state})`;
  }
}
