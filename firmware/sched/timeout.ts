import { CancelledError, TimeoutError } from "./errors";
import { callAsync, callGen, composite } from "./body";
import { currentTask, type Op } from "./op";
import { checkMs, type Scheduler } from "./scheduler";
import type { Gen, Task } from "./task";

/**
 * A deadline on a block of code in one task (trio's CancelScope). When the deadline passes, the task gets
 * CancelledError at its wait point; the scope recognises its own CancelledError on the way out. Scopes
 * nest through `parent`; the nearest deadline fires first.
 * @internal use failAfter / moveOnAfter / waitFor
 */
export class CancelScope {
  deadline = 0;
  seq = 0;
  hi = -1;
  /** True once the deadline passed. */
  fired = false;
  /** The CancelledError this scope delivered. */
  error: CancelledError | null = null;
  readonly parent: CancelScope | null;
  constructor(readonly task: Task, readonly ms: number) {
    this.parent = task.ext !== null ? (task.ext.scope as CancelScope | null) : null;
  }
  onTimer(s: Scheduler): void {
    this.fired = true;
    this.error = new CancelledError(`deadline of ${this.ms} ms exceeded`);
    s.cancelInternal(this.task, this.error);
  }
}

/** @internal */
export function openScope(t: Task, ms: number): CancelScope {
  const s = new CancelScope(t, ms);
  t.x().scope = s;
  if (ms !== Infinity) t.sched.addTimer(s, t.sched.now() + ms);
  return s;
}

/** @internal */
export function closeScope(s: CancelScope): void {
  const t = s.task;
  t.sched.dropTimer(s);
  const x = t.x();
  x.scope = s.parent;
  if (s.error !== null && x.pendingCancel === s.error) x.pendingCancel = null;
}

const FAIL = 0;
const MOVE_ON = 1;
const CHILD = 2;

/** What {@link moveOnAfter} returns. */
export interface MoveOnResult<R> {
  /** True if the deadline passed and the block was stopped. */
  timedOut: boolean;
  /** The block's return value (undefined if it timed out). */
  value: R | undefined;
}

function exit(s: CancelScope, mode: number, ok: boolean, v: unknown): unknown {
  closeScope(s);
  if (s.fired && (ok || v === s.error)) {
    if (mode === MOVE_ON) return { timedOut: true, value: undefined };
    throw new TimeoutError(`timed out after ${s.ms} ms`);
  }
  if (!ok) throw v;
  return mode === MOVE_ON ? { timedOut: false, value: v } : v;
}

function* scopedGen(t: Task, ms: number, mode: number, fn: (...a: any[]) => unknown, args: unknown[]): Gen<unknown> {
  const s = openScope(t, ms);
  let ok = true;
  let v: unknown;
  try {
    v = mode === CHILD ? yield* t.sched.join(t.sched.spawnTask(undefined, fn, args)) : yield* callGen(t, fn, args);
  } catch (e) {
    ok = false;
    v = e;
  }
  return exit(s, mode, ok, v);
}

async function scopedAsync(t: Task, ms: number, mode: number, fn: (...a: any[]) => unknown, args: unknown[]): Promise<unknown> {
  const s = openScope(t, ms);
  let ok = true;
  let v: unknown;
  try {
    v = mode === CHILD ? await t.sched.join(t.sched.spawnTask(undefined, fn, args)) : await callAsync(t, fn, args);
  } catch (e) {
    ok = false;
    v = e;
  }
  return exit(s, mode, ok, v);
}

type Body<A extends unknown[], R> = (...args: A) => Gen<R> | PromiseLike<R> | R;

function scoped<R>(ms: number, mode: number, fn: (...a: any[]) => unknown, args: unknown[]): Op<R> {
  const t = currentTask();
  checkMs(ms);
  if (typeof fn !== "function") throw new TypeError("expected a function and its arguments");
  return composite(t, () => scopedGen(t, ms, mode, fn, args) as Gen<R>, () => scopedAsync(t, ms, mode, fn, args) as Promise<R>);
}

/**
 * Run `fn(...args)` in this task with a deadline of `ms`; if it passes, the block is cancelled at its
 * wait point, its cleanup runs, and TimeoutError is raised (trio's fail_after). Deadlines nest; the
 * nearest wins. A cancel of the task itself passes through as CancelledError.
 * @example const v = yield* failAfter(500, readLine, port)
 */
export function failAfter<A extends unknown[], R>(ms: number, fn: Body<A, R>, ...args: A): Op<R> {
  return scoped<R>(ms, FAIL, fn, args);
}

/**
 * Like {@link failAfter} but a passed deadline just stops the block: returns `{ timedOut, value }`
 * (trio's move_on_after).
 */
export function moveOnAfter<A extends unknown[], R>(ms: number, fn: Body<A, R>, ...args: A): Op<MoveOnResult<R>> {
  return scoped<MoveOnResult<R>>(ms, MOVE_ON, fn, args);
}

/**
 * asyncio's wait_for: run `fn(...args)` as a child task; on timeout cancel it, wait until its cancel
 * handlers have run, then raise TimeoutError (even if the child swallowed the cancel). If the caller is
 * cancelled meanwhile, the child is cancelled too and the caller gets CancelledError.
 */
export function waitFor<A extends unknown[], R>(ms: number, fn: Body<A, R>, ...args: A): Op<R> {
  return scoped<R>(ms, CHILD, fn, args);
}
