import { CancelledError, TimeoutError } from "./errors";
import { callGen, composite } from "./body";
import { currentTask, pendingCancel, type Op } from "./op";
import { checkpoint } from "./sleep";
import { checkMs, type Scheduler } from "./scheduler";
import type { Gen, Task } from "./task";
import type { WheelNode } from "./wheel";

/**
 * A deadline on a block of code in one task (trio's CancelScope). When the deadline passes, the task gets
 * CancelledError at its wait point; the scope recognises its own CancelledError on the way out. Scopes
 * nest through `parent`; the nearest deadline fires first.
 * @internal use failAfter / moveOnAfter / waitFor
 */
export class CancelScope {
  deadline = 0;
  seq = 0;
  // Stryker disable next-line UnaryOperator: TimerHeap.remove trusts hi only if a[hi] === node, so 1 marks a node not in the heap as well as -1
  hi = -1;
  tn: WheelNode | null = null;
  tp: WheelNode | null = null;
  /** True once the deadline passed. */
  fired = false;
  /** The CancelledError this scope delivered. */
  error: CancelledError | null = null;
  readonly parent: CancelScope | null;
  /** opened inside a shield(): its deadline still applies there */
  readonly inShield: boolean;
  constructor(readonly task: Task, readonly ms: number) {
    this.parent = task.ext !== null ? (task.ext.scope as CancelScope | null) : null;
    this.inShield = task.ext !== null && task.ext.shield > 0;
  }
  onTimer(s: Scheduler): void {
    this.fired = true;
    this.error = new CancelledError(`deadline of ${this.ms} ms exceeded`);
    s.cancelInternal(this.task, this.error, this.inShield);
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
  if (s.error !== null) restoreCancel(t, s.error);
}

/**
 * @internal A cancel scope (a deadline, a task group's block) that delivered `err` is left: the task's
 * pending cancel goes back to what is still in force outside it (an outer fired scope, the task's own
 * cancel) or to none.
 */
export function restoreCancel(t: Task, err: unknown): void {
  const x = t.x();
  if (x.pendingCancel !== err) return;
  // inside shield(), what was opened outside it (the task's own cancel, outer scopes) is held back
  const shielded = x.shield > 0;
  let outer: unknown = shielded ? null : x.cancelled;
  for (let s = x.scope as CancelScope | null; s !== null; s = s.parent) {
    if (shielded && !s.inShield) break;
    if (s.error !== null) {
      outer = s.error;
      break;
    }
  }
  x.pendingCancel = outer;
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
  // a cancel from outside the scope is never lost, whatever the block did with it
  const outer = s.task.ext!.pendingCancel;
  if (outer !== null) throw outer;
  if (s.fired && (ok || v === s.error)) {
    if (mode === MOVE_ON) return { timedOut: true, value: undefined };
    throw new TimeoutError(`timed out after ${s.ms} ms`);
  }
  if (!ok) throw v;
  return mode === MOVE_ON ? { timedOut: false, value: v } : v;
}

function* scopedGen(t: Task, ms: number, mode: number, fn: (...a: any[]) => unknown, args: unknown[]): Gen<unknown> {
  if (pendingCancel(t) !== null) yield* checkpoint(); // raises it
  const s = openScope(t, ms);
  let ok = true;
  let v: unknown;
  try {
    v = mode === CHILD ? yield* t.sched.join(t.sched.spawnTask(`${t.name}/waitFor`, fn, args)) : yield* callGen(t, fn, args);
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
  return composite(t, () => scopedGen(t, ms, mode, fn, args) as Gen<R>);
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

function* shieldGen(t: Task, fn: (...a: any[]) => unknown, args: unknown[]): Gen<unknown> {
  const x = enterShield(t);
  try {
    return yield* callGen(t, fn, args);
  } finally {
    leaveShield(t, x);
  }
}

function enterShield(t: Task): unknown {
  const x = t.x();
  const saved = x.pendingCancel;
  x.shield++;
  x.pendingCancel = null;
  return saved;
}

function leaveShield(t: Task, saved: unknown): void {
  const x = t.x();
  x.shield--;
  if (x.pendingCancel === null) x.pendingCancel = saved;
  // Stryker disable next-line LogicalOperator: with || a null deferred is delivered as no cancel, and a deferred one inside a nested shield is deferred again
  if (x.shield === 0 && x.deferred !== null) {
    const d = x.deferred;
    x.deferred = null;
    t.sched.cancelInternal(t, d);
  }
}

/**
 * Run `fn(...args)` in this task shielded from cancellation (trio's `CancelScope(shield=True)`): cancels
 * of the task or of enclosing scopes wait until the block ends, then apply. Deadlines opened inside the
 * block still work. For cleanup that must wait for something even when the task is being cancelled
 * (say goodbye to a modem, finish an EEPROM write): keep it short and give it its own deadline.
 * @example finally { yield* shield(() => failAfter(100, modem.hangUp)) }
 */
export function shield<A extends unknown[], R>(fn: Body<A, R>, ...args: A): Op<R> {
  const t = currentTask();
  if (typeof fn !== "function") throw new TypeError("expected a function and its arguments");
  return composite(t, () => shieldGen(t, fn, args) as Gen<R>, true);
}

/**
 * asyncio's wait_for: run `fn(...args)` as a child task; on timeout cancel it, wait until its cancel
 * handlers have run, then raise TimeoutError (even if the child swallowed the cancel). If the caller is
 * cancelled meanwhile, the child is cancelled too and the caller gets CancelledError.
 */
export function waitFor<A extends unknown[], R>(ms: number, fn: Body<A, R>, ...args: A): Op<R> {
  return scoped<R>(ms, CHILD, fn, args);
}
