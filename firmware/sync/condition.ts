import { composite, InvalidStateError, currentTask, currentTaskOrNull, op, type Op, type Gen, type Task, type Waitable, WaitQueue, shield } from "../sched/kernel";
import { Lock } from "./lock";

function parkBody(t: Task, c: Condition): unknown {
  c.waiters.push(t);
  return t.sched.park(t, c);
}

/**
 * A condition variable (asyncio's Condition): tasks holding its lock wait until another task, holding
 * the lock, notifies them. `wait()` releases the lock, waits for a notify, and re-acquires the lock
 * before returning. Notified waiters are woken first come, first served, like CPython; note that
 * micropython-async's Condition wakes the most recent waiter first (LIFO): we chose FIFO.
 *
 * Cancel-safe: a waiter cancelled or timed out while waiting for the notify leaves the queue at once,
 * then re-acquires the lock before CancelledError (or TimeoutError) reaches its code, so the code
 * around `wait()` always runs holding the lock, as in asyncio. A waiter cancelled after a notify woke it
 * but before it ran passes the notification on to the next waiter (no notify is lost).
 * Errors: `wait`, `waitFor`, `notify` and `notifyAll` without holding the lock are an InvalidStateError.
 * Memory: one object of 2 fields with a wait queue, plus its Lock; `wait()` runs as a small composite
 * (a generator, or a promise in async tasks); the wait itself allocates nothing.
 * @example
 *   const ready = new Condition();
 *   yield* ready.hold(function* () {
 *     yield* ready.waitFor(() => buffer.length > 0);
 *     use(buffer.shift());
 *   });
 *   // elsewhere, holding the lock: buffer.push(x); ready.notify();
 */
export class Condition implements Waitable {
  /** The lock this condition is tied to (created unless given; several conditions may share one). */
  readonly lock: Lock;
  /** @internal */ readonly waiters = new WaitQueue();

  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError("Condition takes a Lock (or nothing)");
    this.lock = lock ?? new Lock();
  }

  /** True while some task holds the lock. */
  get locked(): boolean {
    return this.lock.locked;
  }

  /** Number of tasks waiting for a notify. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Acquire the underlying lock (see {@link Lock.acquire}). */
  acquire(): Op<void> {
    return this.lock.acquire();
  }

  /** Release the underlying lock. */
  release(): void {
    this.lock.release();
  }

  /** Run `fn(...args)` holding the lock (see {@link Lock.hold}). */
  hold<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Op<R> {
    return this.lock.hold(fn, ...args);
  }

  /**
   * Release the lock, wait until notified, re-acquire the lock; returns true. The caller must hold the
   * lock. On cancel or timeout the lock is re-acquired first, then the error is raised.
   */
  wait(): Op<boolean> {
    const t = currentTask();
    this.check(t, "wait");
    return composite(t, () => waitGen(this));
  }

  /**
   * Wait until `predicate()` returns a truthy value, which is returned; the predicate is checked first,
   * then after each notify, always holding the lock.
   */
  waitFor<R>(predicate: () => R): Op<R> {
    const t = currentTask();
    if (typeof predicate !== "function") throw new TypeError("waitFor() takes a predicate function");
    this.check(t, "waitFor");
    return composite(t, () => waitForGen(this, predicate));
  }

  /** Wake up to `n` waiters (default 1), longest waiting first. The caller must hold the lock. */
  notify(n = 1): void {
    this.check(currentTaskOrNull(), "notify");
    if (typeof n !== "number" || n !== n) throw new TypeError(`notify(n) takes a number, got ${String(n)}`);
    const q = this.waiters;
    for (let i = 0; i < n; i++) {
      const t = q.shift();
      if (t === null) break;
      t.sched.wake(t, true);
    }
  }

  /** Wake every waiter. The caller must hold the lock. */
  notifyAll(): void {
    this.notify(Infinity);
  }

  /** Waiters and lock state, for debugging. */
  stats(): { locked: boolean; waiting: number; lockWaiting: number } {
    return { locked: this.lock.locked, waiting: this.waiters.length, lockWaiting: this.lock.waiting };
  }

  private check(t: Task | null, what: string): void {
    if (t === null || this.lock.holder !== t) {
      throw new InvalidStateError(`Condition.${what}() needs the lock: ${t === null ? "called outside a task" : `task ${t.name} does not hold it`}`);
    }
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  /** @internal notified, then cancelled before it ran: the notification goes to the next waiter */
  undoWake(): boolean {
    const n = this.waiters.shift();
    if (n !== null) n.sched.wake(n, true);
    return true;
  }
}

function* waitGen(c: Condition): Gen<boolean> {
  c.lock.release();
  let err: unknown = null;
  try {
    yield* op<boolean, Condition>(parkBody, c);
  } catch (e) {
    err = e;
  }
  // re-acquire the lock even when cancelled: shielded, so a cancel waits until the lock is back
  yield* shield(acquireOf, c);
  if (err !== null) throw err;
  return true;
}

function acquireOf(c: Condition): Op<void> {
  return c.lock.acquire();
}

function* waitForGen<R>(c: Condition, predicate: () => R): Gen<R> {
  for (let r = predicate(); ; r = predicate()) {
    if (r) return r;
    yield* waitGen(c);
  }
}

