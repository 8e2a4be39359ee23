import { holding, InvalidStateError, currentTask, op, type Op, type Gen, type Task, type Waitable, WaitQueue } from "../sched/kernel";

function acquireBody(t: Task, s: Semaphore): unknown {
  if (s.permits > 0) {
    s.permits--;
    return undefined;
  }
  s.waiters.push(t);
  return t.sched.park(t, s);
}

function checkValue(value: number): number {
  if (typeof value !== "number" || !(value >= 0) || value !== Math.floor(value) || value === Infinity) {
    throw new RangeError(`a semaphore's value must be a whole number >= 0, got ${String(value)}`);
  }
  return value;
}

/**
 * A counter of permits (asyncio's Semaphore): `acquire()` takes one, waiting while there are none;
 * `release()` returns one. Permits are handed over first come, first served: `release()` gives the
 * permit straight to the longest waiter, so nobody can barge in between.
 *
 * Cancel-safe: a cancelled or timed-out waiter leaves the queue at once and takes nothing; a waiter
 * cancelled after a permit was handed to it but before it ran passes the permit on to the next waiter
 * (or back to the counter). Prefer {@link Semaphore.hold}, which always releases.
 * Errors: a negative or fractional value is a RangeError. A plain Semaphore accepts any number of
 * releases (each adds a permit); use {@link BoundedSemaphore} to catch releases without an acquire.
 * Memory: one object of 3 fields with a wait queue; waiting allocates nothing.
 * @example
 *   const slots = new Semaphore(3);   // at most 3 transfers at once
 *   yield* slots.hold(function* () { yield* transfer(); });
 */
export class Semaphore implements Waitable {
  /** @internal free permits */ permits: number;
  /** @internal */ readonly waiters = new WaitQueue();
  /** @internal the most permits there may be (Infinity: unbounded) */ bound: number;

  constructor(value = 1) {
    this.permits = checkValue(value);
    this.bound = Infinity;
  }

  /** Free permits now. */
  get value(): number {
    return this.permits;
  }

  /** True when no permit is free (an acquire would wait). */
  get locked(): boolean {
    return this.permits === 0;
  }

  /** Number of tasks waiting. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Wait for a permit and take it. */
  acquire(): Op<void> {
    return op<void, Semaphore>(acquireBody, this);
  }

  /** Take a permit if one is free; returns whether it was taken. Never waits; usable outside tasks. */
  tryAcquire(): boolean {
    if (this.permits === 0) return false;
    this.permits--;
    return true;
  }

  /** Return a permit: the longest waiter (if any) gets it at once. Safe from IO callbacks. */
  release(): void {
    if (this.waiters.length === 0 && this.permits >= this.bound) {
      throw new InvalidStateError(`BoundedSemaphore released more often than acquired (value ${this.bound})`);
    }
    this.handOff();
  }

  private handOff(): void {
    const next = this.waiters.shift();
    if (next !== null) next.sched.wake(next, undefined);
    else this.permits++;
  }

  /**
   * Run `fn(...args)` holding a permit, and release it however `fn` ends (return, error, cancel).
   * If the wait for the permit is cancelled, nothing is released.
   */
  hold<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Op<R> {
    const t = currentTask();
    if (typeof fn !== "function") throw new TypeError("hold() takes a function and its arguments");
    return holding<R>(t, this, fn, args);
  }

  /** Free permits and waiting tasks, for debugging. */
  stats(): { value: number; waiting: number } {
    return { value: this.permits, waiting: this.waiters.length };
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  /** @internal a permit was handed to a task cancelled before it ran: pass it on */
  undoWake(): boolean {
    this.handOff();
    return true;
  }
}

/**
 * A {@link Semaphore} that refuses to grow: releasing when all `value` permits are already free is an
 * InvalidStateError (asyncio's ValueError), and the count is left as it was. Same cancel-safety and cost.
 * @example
 *   const pool = new BoundedSemaphore(2);
 *   pool.release();   // InvalidStateError: nobody acquired
 */
export class BoundedSemaphore extends Semaphore {
  constructor(value = 1) {
    super(value);
    this.bound = value;
  }
}
