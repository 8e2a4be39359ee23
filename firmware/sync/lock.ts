import { holding, InvalidStateError, currentTask, op, type Op, type Gen, type Task, type Waitable, WaitQueue } from "../sched/kernel";

function acquireBody(t: Task, l: Lock): unknown {
  if (l.holder === null) {
    l.holder = t;
    return undefined;
  }
  if (l.holder === t) throw new InvalidStateError(`task ${t.name} already holds this lock (a Lock is not reentrant)`);
  l.waiters.push(t);
  return t.sched.park(t, l);
}

/**
 * Mutual exclusion with FIFO hand-off: `release()` gives the lock straight to the longest waiter, so
 * nobody can barge in between.
 *
 * Cancel-safe: a cancelled waiter leaves the queue at once and takes nothing; a waiter cancelled after
 * the hand-off but before it ran passes the lock on to the next waiter (nothing is lost, nobody is
 * skipped). Prefer {@link Lock.hold}, which always releases, even on errors and cancellation.
 * Errors: releasing an unlocked lock, or acquiring a lock the task already holds, is an InvalidStateError.
 * Memory: one object with a wait queue; waiting allocates nothing.
 * @example
 *   const bus = new Lock();
 *   yield* bus.hold(function* () { yield* transfer(); });
 */
export class Lock implements Waitable {
  /** @internal */ holder: Task | null = null;
  /** @internal */ readonly waiters = new WaitQueue();

  /** True while some task holds the lock. */
  get locked(): boolean {
    return this.holder !== null;
  }

  /** Number of tasks waiting. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Wait until the lock is free and take it. */
  acquire(): Op<void> {
    return op<void, Lock>(acquireBody, this);
  }

  /** Take the lock if it is free; returns whether it was taken. Never waits. */
  tryAcquire(): boolean {
    if (this.holder !== null) return false;
    this.holder = currentTask();
    return true;
  }

  /** Release the lock: the next waiter (if any) gets it at once. */
  release(): void {
    const h = this.holder;
    if (h === null) throw new InvalidStateError("release of a Lock that is not locked");
    // handed to a waiter that has not run yet: a second release would take it back from that waiter
    // (a task keeps what woke it in waitOn until it parks or checkpoints again)
    if (h.waitOn === this && h.state === "ready") throw new InvalidStateError(`release of a Lock already handed to task ${h.name}`);
    this.handOff();
  }

  private handOff(): void {
    const next = this.waiters.shift();
    this.holder = next;
    if (next !== null) next.sched.wake(next, undefined);
  }

  /**
   * Run `fn(...args)` holding the lock, and release it however `fn` ends (return, error, cancel).
   * If the wait for the lock is cancelled, nothing is released.
   */
  hold<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Op<R> {
    const t = currentTask();
    return holding<R>(t, this, fn, args);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  /** @internal the lock was handed to `t`, which is cancelled before it ran: pass it on */
  undoWake(t: Task): boolean {
    if (this.holder === t) this.handOff();
    return true;
  }
}
