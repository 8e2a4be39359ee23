import { InvalidStateError } from "./errors";
import type { Task } from "./task";

/**
 * An operation: what every wait returns. In a generator task use it with `yield*`, in an async task with
 * `await`. Start it and use it at once: an operation started but never run is reported at the task's
 * next operation ("missing yield*?"), and the linter flags it as a floating promise.
 */
export interface Op<T> extends PromiseLike<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}

/** Returned by an operation body that parked its task. */
export const PARKED: unique symbol = Symbol("parked") as any;
/** Passed to `gen.next()` when the scheduler resumes a generator task. */
const RESUME: unique symbol = Symbol("resume") as any;

/**
 * The body of an operation: runs in the calling task, either completes at once (returns the value or
 * throws) or parks the task through `Scheduler.park` and returns PARKED; the scheduler later resumes
 * it with a value or an error.
 */
export type OpFn<A> = (task: Task, arg: A) => unknown;

let current: Task | null = null;
let attach: (() => Task | null) | null = null;
// The operation a generator task has started and will run with yield* (only the running task has one).
let opFn: OpFn<any> | null = null;
let opArg: unknown = undefined;

/** @internal */
export function setCurrent(t: Task | null): void {
  current = t;
}

/** @internal after each generator step: an operation started but not run is dropped; returns whether there was one */
export function dropPendingOp(): boolean {
  if (opFn === null) return false;
  opFn = null;
  opArg = undefined;
  return true;
}

/** @internal hook for re-attaching an async task that awaited a foreign promise */
export function setAttach(fn: () => Task | null): void {
  attach = fn;
}

/** The task running now, or null outside tasks (IO callbacks, top level). */
export function currentTaskOrNull(): Task | null {
  return current;
}

/** The task running now; throws a clear error outside tasks. */
export function currentTask(): Task {
  const t = current ?? (attach ? attach() : null);
  if (t === null) {
    throw new InvalidStateError(
      "no task is running here: scheduler operations must be called from a task (or, in an async task, " +
        "after awaiting only scheduler operations; wrap foreign promises with external())",
    );
  }
  return t;
}

// Shared iterator results: yield* passes the inner result object through to the scheduler, so a wait
// in a generator task allocates nothing.
const YIELDED: IteratorResult<unknown, unknown> = { value: PARKED, done: false };
const FINISHED = { value: undefined as unknown, done: true as const };

function finished(v: unknown): IteratorResult<unknown, unknown> {
  FINISHED.value = v;
  return FINISHED;
}

function takeCancel(t: Task): void {
  const x = t.ext;
  if (x !== null && x.pendingCancel !== null) {
    const e = x.pendingCancel;
    x.pendingCancel = null;
    throw e;
  }
}

/** The one iterator every generator-mode operation returns; its arguments wait on the task. */
const GEN_OP = {
  [Symbol.iterator]() {
    return this;
  },
  next(x?: unknown): IteratorResult<unknown, unknown> {
    const t = current!;
    if (x === RESUME) {
      const v = t.value;
      t.value = undefined;
      return finished(v);
    }
    const fn = opFn;
    if (fn === null) throw new InvalidStateError("an operation was run twice or outside its task: start a new one each time");
    const arg = opArg;
    opFn = null;
    opArg = undefined;
    takeCancel(t);
    const v = fn(t, arg);
    return v === PARKED ? YIELDED : finished(v);
  },
  throw(e: unknown): never {
    throw e;
  },
  return(v: unknown): IteratorResult<unknown, unknown> {
    return { value: v, done: true };
  },
  then(_ok: unknown, fail?: (e: unknown) => void): void {
    dropPendingOp();
    const e = new InvalidStateError("an operation of a generator task was awaited: use yield* in generator tasks");
    if (typeof fail === "function") fail(e);
  },
};

/** @internal the value a generator task is resumed with */
export const RESUME_TOKEN: unknown = RESUME;

/**
 * Make an operation from its body. This is the one way to block: every primitive builds its waits with it.
 * @example
 *   wait(): Op<T> { return op(waitBody, this); }
 */
export function op<T, A = unknown>(fn: OpFn<A>, arg: A): Op<T> {
  const t = currentTask();
  if (t.gen !== null) {
    if (opFn !== null) {
      dropPendingOp();
      throw new InvalidStateError(`task ${t.name}: an operation was started but never run (missing yield*?)`);
    }
    opFn = fn;
    opArg = arg;
    return GEN_OP as unknown as Op<T>;
  }
  const x = t.x();
  if (x.res !== null) throw new InvalidStateError(`task ${t.name}: an operation was started while another is pending (missing await?)`);
  takeCancel(t);
  const v = fn(t, arg);
  if (v !== PARKED) return Promise.resolve(v as T) as unknown as Op<T>;
  const p = new Promise<T>((res, rej) => {
    x.res = res as (v: unknown) => void;
    x.rej = rej;
  });
  t.sched.afterAsyncPark(t);
  return p as unknown as Op<T>;
}

/**
 * An operation that completes at once with `value` (no scheduler round trip). Useful in helpers that
 * must return an Op on every path.
 */
export function ready<T>(value: T): Op<T> {
  return op<T, T>(identity, value);
}

function identity<T>(_t: Task, v: T): T {
  return v;
}
