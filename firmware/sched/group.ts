import { callGen, composite } from "./body";
import { CancelledError, InvalidStateError, TaskGroupError, isCancelled } from "./errors";
import { currentTask, op, shielded, type Op } from "./op";
import { restoreCancel } from "./timeout";
import { DONE_ERR, DONE_OK, type Gen, type Task, type TaskWatcher, type Waitable } from "./task";

/** Handed to a task started with {@link TaskGroup.start}: call `started(value)` once ready. */
export interface TaskStatus<V = unknown> {
  started(value?: V): void;
}

const BODY = 0;
const WAITING_CHILDREN = 1;
const CLOSED = 2;

class Starting implements Waitable, TaskStatus {
  waiter: Task | null = null;
  child: Task | null = null;
  started(value?: unknown): void {
    const w = this.waiter;
    this.waiter = null;
    if (w !== null) w.sched.wake(w, value);
  }
  childEnded(c: Task): void {
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    w.sched.wakeThrow(w, c.st === DONE_OK ? new InvalidStateError(`task ${c.name} finished without calling started()`) : c.value);
  }
  abortWait(w: Task, reason: unknown): boolean {
    this.waiter = null;
    if (this.child !== null) w.sched.cancelTask(this.child, reason);
    return false;
  }
}

function startBody(t: Task, s: Starting): unknown {
  s.waiter = t;
  return t.sched.park(t, s);
}

// shielded: the group waits for its children however it was cancelled (abortWait cancels them)
const waitChildrenBody = shielded(function (t: Task, g: TaskGroup): unknown {
  if (g.live === 0) return undefined;
  return t.sched.park(t, g);
});

/**
 * A nursery (trio) / TaskGroup (anyio): children started here are waited for when the block ends. The
 * first child failure cancels the siblings and the block, and is re-raised (several: TaskGroupError).
 * Cancelling the owning task cancels the children. Memory: one object plus one watcher slot per child.
 */
export class TaskGroup implements Waitable, TaskWatcher {
  /** @internal */ live = 0;
  /** @internal */ phase = BODY;
  /** Child failures, in the order they happened. */
  readonly errors: unknown[] = [];
  private readonly children = new Set<Task>();
  private cancelErr: CancelledError | null = null;
  private outerCancel: unknown = null;

  /** @internal */
  constructor(readonly owner: Task) {}

  /** Start `fn(...args)` as a child (optionally named: `spawn("name", fn, ...args)`). */
  spawn<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Task;
  spawn<A extends unknown[]>(name: string, fn: (...args: A) => unknown, ...args: A): Task;
  spawn(a: unknown, ...rest: unknown[]): Task {
    if (this.phase === CLOSED) throw new InvalidStateError("this task group has finished; spawn in an open group");
    const named = typeof a === "string";
    const fn = (named ? rest.shift() : a) as (...x: unknown[]) => unknown;
    const t = this.owner.sched.spawnTask(named ? (a as string) : undefined, fn, rest);
    this.adopt(t);
    return t;
  }

  /**
   * Start `fn(status, ...args)` as a child and wait until it calls `status.started(value)`; returns value
   * (anyio's `start`). If the child fails or returns first, its error (or an InvalidStateError) is raised.
   */
  start<A extends unknown[], V = unknown>(fn: (status: TaskStatus<V>, ...args: A) => unknown, ...args: A): Op<V> {
    if (this.phase === CLOSED) throw new InvalidStateError("this task group has finished; start in an open group");
    const s = new Starting();
    const t = this.owner.sched.spawnTask(undefined, fn as (...x: unknown[]) => unknown, [s, ...args]);
    s.child = t;
    this.adopt(t);
    this.owner.sched.watch(t, { childDone: (c) => s.childEnded(c) });
    return op<V, Starting>(startBody, s);
  }

  /** Cancel every child and the group's block; the group then ends without error. */
  cancel(): void {
    this.cancelAll();
  }

  /** Number of children still running. */
  get running(): number {
    return this.live;
  }

  private adopt(t: Task): void {
    this.live++;
    this.children.add(t);
    this.owner.sched.watch(t, this);
  }

  /** @internal */
  childDone(c: Task): void {
    this.live--;
    this.children.delete(c);
    if (c.st === DONE_ERR && !isCancelled(c.value)) {
      this.errors.push(c.value);
      this.cancelAll();
    }
    if (this.live === 0 && this.phase === WAITING_CHILDREN) this.owner.sched.wake(this.owner, undefined);
  }

  private cancelAll(): void {
    if (this.cancelErr === null) this.cancelErr = new CancelledError("task group cancelled");
    const s = this.owner.sched;
    for (const c of this.children) s.cancelTask(c, this.cancelErr); // (it skips finished tasks)
    if (this.phase === BODY) s.cancelInternal(this.owner, this.cancelErr);
  }

  /** @internal the owner is cancelled while waiting for the children: cancel them, keep waiting */
  abortWait(_t: Task, reason: unknown): boolean {
    if (this.outerCancel === null) this.outerCancel = reason;
    this.cancelAll();
    return this.live > 0;
  }

  /** @internal */
  endBody(ok: boolean, v: unknown): void {
    if (!ok && v !== this.cancelErr) {
      if (isCancelled(v)) this.outerCancel = v;
      else this.errors.unshift(v);
      this.cancelAll();
    }
    this.phase = WAITING_CHILDREN;
    if (this.cancelErr !== null) restoreCancel(this.owner, this.cancelErr);
    // a cancel from outside that is pending now (the owner's own, an enclosing scope's) wins at the end
    const outer = this.owner.ext !== null ? this.owner.ext.pendingCancel : null;
    if (outer !== null && this.outerCancel === null) this.outerCancel = outer;
  }

  /** @internal */
  waitChildren(): Op<void> {
    return op<void, TaskGroup>(waitChildrenBody, this);
  }

  /** @internal */
  result(ok: boolean, v: unknown): unknown {
    this.phase = CLOSED;
    const errs = this.errors;
    // a cancel from outside wins, whatever the children did on their way out (they are retrieved here)
    if (this.outerCancel !== null) throw this.outerCancel;
    if (errs.length === 1) throw errs[0];
    if (errs.length > 1) throw new TaskGroupError(errs);
    return ok ? v : undefined;
  }
}

function* groupGen(t: Task, body: (g: TaskGroup) => unknown): Gen<unknown> {
  const g = new TaskGroup(t);
  let ok = true;
  let v: unknown;
  try {
    v = yield* callGen(t, body, [g]);
  } catch (e) {
    ok = false;
    v = e;
  }
  g.endBody(ok, v);
  for (;;) {
    try {
      yield* g.waitChildren();
      break;
    } catch (e) {
      // a cancel that arrived as the block ended: recorded by abortWait, keep waiting for the children
      if (!isCancelled(e)) throw e;
      g.endBody(false, e);
    }
  }
  return g.result(ok, v);
}

/**
 * Run `body(group)` in this task; children it spawns on `group` are awaited before this returns.
 * @example
 *   yield* taskGroup(function* (g) {
 *     g.spawn(blink, led, 500);
 *     const port = yield* g.start(server, 8080);   // waits for server's status.started(port)
 *   });
 */
export function taskGroup<R>(body: (group: TaskGroup) => Gen<R> | PromiseLike<R> | R): Op<R> {
  const t = currentTask();
  if (typeof body !== "function") throw new TypeError("taskGroup takes a function receiving the group");
  return composite(t, () => groupGen(t, body) as Gen<R>);
}
