import { InvalidStateError } from "./errors";
import { DONE_OK, type Task } from "./task";

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
export const RESUME: unique symbol = Symbol("resume") as any;

/**
 * The body of an operation: runs in the calling task, either completes at once (returns the value or
 * throws) or parks the task through `Scheduler.park` and returns PARKED; the scheduler later resumes
 * it with a value or an error.
 */
export type OpFn<A> = (task: Task, arg: A) => unknown;

/**
 * @internal Execution context shared by the scheduler and the operations: the running task, and the
 * operation a generator task has started and will run with yield*. A plain object, so the hot path
 * reads fields instead of calling accessors.
 */
export const CTX = {
  current: null as Task | null,
  opFn: null as OpFn<any> | null,
  opArg: undefined as unknown,
};

/** The task running now, or null outside tasks (IO callbacks, top level). */
export function currentTaskOrNull(): Task | null {
  return CTX.current;
}

/**
 * Wrap an IO callback so that it runs outside any task. On a Moddable device, timer and IO callbacks
 * can run between the promise jobs of an async task that holds the round (see ./bridge), and would
 * otherwise see that task as current: `Lock.tryAcquire()` there would take the lock on its behalf.
 * Wrap your own `onReadable` this way when it calls something that looks at the current task. The
 * project's drivers need not: their callbacks only set flags and wake tasks (and on a Pico, wrapping the
 * pin-edge callback cost enough per edge to merge NEC edges 0.56 ms apart).
 * @example new Digital({ pin, mode, edge, onReadable: outsideTask(() => { if (lock.tryAcquire()) start(); }) })
 */
export function outsideTask<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A): void => {
    const saved = CTX.current;
    CTX.current = null;
    try {
      fn(...args);
    } finally {
      CTX.current = saved;
    }
  };
}

/** The task running now; throws a clear error outside tasks. */
export function currentTask(): Task {
  const t = CTX.current;
  if (t === null) {
    throw new InvalidStateError(
      "no task is running here: scheduler operations must be called from a task (in an async task, await " +
        "only scheduler operations; wrap other promises with external())",
    );
  }
  return t;
}

// Shared iterator results: yield* passes the inner result object through to the scheduler, so a wait
// in a generator task allocates nothing.
/** @internal */
export const YIELDED: IteratorResult<unknown, unknown> = { value: PARKED, done: false };
/** @internal */
export const FINISHED = { value: undefined as unknown, done: true as const };

/** @internal the task's pending cancel (raised by every operation while set), or null */
export function pendingCancel(t: Task): unknown {
  return t.ext !== null ? t.ext.pendingCancel : null;
}

/**
 * The one iterator every generator-mode operation returns; its arguments wait in CTX. @internal (hot
 * primitives inline op()'s generator branch: `CTX.opFn = body; CTX.opArg = arg; return GEN_OP`)
 */
export const GEN_OP = {
  [Symbol.iterator]() {
    return this;
  },
  next(x?: unknown): IteratorResult<unknown, unknown> {
    const t = CTX.current!;
    if (x === RESUME) {
      FINISHED.value = t.value;
      t.value = undefined;
      return FINISHED;
    }
    const fn = CTX.opFn;
    if (fn === null) throw new InvalidStateError("an operation was run twice or outside its task: start a new one each time");
    const arg = CTX.opArg;
    CTX.opFn = null;
    CTX.opArg = undefined;
    // a pending cancel is raised after a checkpoint: a catch-all retry loop then delays the others by one
    // round per turn instead of freezing the scheduler
    const v = t.ext !== null && t.ext.pendingCancel !== null && !(fn as ShieldedFn).shielded ? t.sched.raiseCancel(t, t.ext.pendingCancel) : fn(t, arg);
    if (v === PARKED) return YIELDED;
    FINISHED.value = v;
    return FINISHED;
  },
  throw(e: unknown): never {
    throw e;
  },
  return(v: unknown): IteratorResult<unknown, unknown> {
    return { value: v, done: true };
  },
  then(_ok: unknown, fail?: (e: unknown) => void): void {
    CTX.opFn = null;
    CTX.opArg = undefined;
    const e = new InvalidStateError("an operation of a generator task was awaited: use yield* in generator tasks");
    if (typeof fail === "function") fail(e);
  },
};

/**
 * Make an operation from its body. This is the one way to block: every primitive builds its waits with it.
 * @example
 *   wait(): Op<T> { return op(waitBody, this); }
 */
export function op<T, A = unknown>(fn: OpFn<A>, arg: A): Op<T> {
  const t = CTX.current ?? currentTask();
  if (t.gen !== null) {
    if (CTX.opFn !== null) {
      CTX.opFn = null;
      CTX.opArg = undefined;
      throw new InvalidStateError(`task ${t.name}: an operation was started but never run (missing yield*?)`);
    }
    CTX.opFn = fn;
    CTX.opArg = arg;
    return GEN_OP as unknown as Op<T>;
  }
  return asyncOp(t, fn, arg);
}

function asyncOp<T, A>(t: Task, fn: OpFn<A>, arg: A): Op<T> {
  if (t.res !== null) throw new InvalidStateError(`task ${t.name}: an operation was started while another is pending (missing await?)`);
  // Stryker disable next-line StringLiteral: unreachable: an async task starts operations only while current, and the bridge stops naming it current when it ends
  if (t.st >= DONE_OK) throw new InvalidStateError(`task ${t.name} has ended: it cannot start an operation`);
  t.sched.bridge.hops = 0; // progress: the task is not waiting for a foreign promise
  const pc = t.ext !== null ? t.ext.pendingCancel : null;
  const v = pc !== null && !(fn as ShieldedFn).shielded ? t.sched.raiseCancel(t, pc) : fn(t, arg);
  if (v !== PARKED) return Promise.resolve(v as T) as unknown as Op<T>;
  return resumeOf(t) as unknown as Op<T>;
}

/** The resolve function the last `new Promise(capture)` received (one shared executor: no closure per wait). */
let captured: ((v: unknown) => void) | null = null;
function capture(res: (v: unknown) => void): void {
  captured = res;
}

/**
 * @internal An async task that just parked (in an async operation, or in the generator body of a
 * composite that drive() steps): a promise settled when the scheduler resumes it, and the round goes
 * on meanwhile. Only its resolve function is kept (on the task): a resume by throwing resolves it with
 * a thenable that rejects (see AsyncBridge.resume).
 */
export function resumeOf(t: Task): Promise<unknown> {
  const p = new Promise<unknown>(capture);
  t.res = captured;
  captured = null;
  t.sched.parkedAsync(t);
  if (t.st >= DONE_OK) t.res = null; // abandoned (see Scheduler.raiseCancel): it is never resumed
  return p;
}

type ShieldedFn = OpFn<any> & { shielded?: boolean };

/**
 * @internal Mark an operation body as shielded: it starts even while the task has a pending cancel. For
 * the scheduler's own waits that must finish what a cancel started (a join waiting for the child it
 * cancelled, a group waiting for its children); their Waitable decides what a cancel does.
 */
export function shielded<A>(fn: OpFn<A>): OpFn<A> {
  (fn as ShieldedFn).shielded = true;
  return fn;
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
