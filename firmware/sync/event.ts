import { CTX, GEN_OP, op, type Op, type Task, type Waitable, WaitQueue } from "../sched/kernel";

function waitBody(t: Task, e: Event<unknown>): unknown {
  if (e.flag) return e.val;
  e.waiters.push(t);
  return t.sched.park(t, e);
}

/**
 * A flag tasks wait for. `set(value?)` wakes every waiter, in the order they started waiting, with the
 * value; waiting on a set event returns at once. `clear()` only affects later waits: waiters already
 * woken stay released (set-then-clear before they run still releases them).
 *
 * Cancel-safe: a cancelled waiter leaves the queue at once; a cancel that arrives after `set()` but
 * before the waiter ran wins (the waiter sees CancelledError). Safe to `set()` from IO callbacks.
 * Memory: one object with a wait queue; waiting allocates nothing.
 * @example
 *   const ready = new Event<number>();
 *   spawn(function* () { const v = yield* ready.wait(); trace(`got ${v}\n`); });
 *   ready.set(42);
 */
export class Event<T = void> implements Waitable {
  /** @internal */ readonly waiters = new WaitQueue();
  /** @internal */ flag = false;
  /** @internal */ val: T | undefined = undefined;

  /** True between set() and clear(). */
  get isSet(): boolean {
    return this.flag;
  }

  /** The value given to the last set() (undefined before). */
  get value(): T | undefined {
    return this.val;
  }

  /** Set the flag, keep `value`, and wake every waiter with it (FIFO). */
  set(value?: T): void {
    this.flag = true;
    this.val = value;
    const q = this.waiters;
    for (let t = q.head !== null ? q.shift() : null; t !== null; t = q.head !== null ? q.shift() : null) t.sched.wake(t, value);
  }

  /** Clear the flag: later waits block until the next set(). */
  clear(): void {
    this.flag = false;
  }

  /** Wait until the event is set; returns its value. */
  wait(): Op<T> {
    const t = CTX.current;
    if (t !== null && t.gen !== null && CTX.opFn === null) {
      // op()'s generator branch, inline: one call less on every wait
      CTX.opFn = waitBody;
      CTX.opArg = this;
      return GEN_OP as unknown as Op<T>;
    }
    return op<T, Event<unknown>>(waitBody, this as Event<unknown>);
  }

  /** Number of tasks waiting. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }
}
