import { InvalidStateError, op, type Op, type Task, type Waitable } from "../sched/kernel";

function waitBody(t: Task, f: ThreadSafeFlag): unknown {
  if (f.waiter !== null) throw new InvalidStateError(`task ${t.name}: a ThreadSafeFlag has one waiter, and task ${f.waiter.name} is already waiting`);
  if (f.flag) {
    f.flag = false;
    return undefined;
  }
  f.waiter = t;
  return t.sched.park(t, f);
}

/**
 * A flag for one task, set from an IO or pin callback (outside any task) or from a task (MicroPython's
 * ThreadSafeFlag). A `set()` with nobody waiting is remembered: the next `wait()` returns at once.
 * Waking clears the flag, so each `set()` releases at most one wait; several sets before the wait count
 * as one.
 *
 * Cancel-safe: a cancelled waiter leaves at once; a waiter cancelled after `set()` woke it but before it
 * ran gives the set back (the flag is set again, for the next wait). Safe to `set()` from IO callbacks.
 * Errors: a second task waiting while one already waits is an InvalidStateError (use an Event, or a
 * Message, for several waiters).
 * Memory: one object of 2 fields; waiting allocates nothing.
 * @example
 *   const rx = new ThreadSafeFlag();
 *   pin.onReadable = () => rx.set();           // IO callback: only records and signals
 *   for (;;) { yield* rx.wait(); drain(pin); }   // the one task that serves it
 */
export class ThreadSafeFlag implements Waitable {
  /** @internal */ flag = false;
  /** @internal the one parked task */ waiter: Task | null = null;

  /** True while a set() is pending (not yet consumed by a wait). */
  get isSet(): boolean {
    return this.flag;
  }

  /** Number of tasks waiting (0 or 1). */
  get waiting(): number {
    return this.waiter === null ? 0 : 1;
  }

  /** Wake the waiter, or remember the set for the next wait. Safe from IO callbacks. */
  set(): void {
    const t = this.waiter;
    if (t === null) {
      this.flag = true;
      return;
    }
    this.waiter = null;
    t.sched.wake(t, undefined);
  }

  /** Forget a pending set(). */
  clear(): void {
    this.flag = false;
  }

  /** Wait until the flag is set, and clear it. */
  wait(): Op<void> {
    return op<void, ThreadSafeFlag>(waitBody, this);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    if (this.waiter === t) this.waiter = null;
    return false;
  }

  /** @internal woken by set(), cancelled before it ran: the set is pending again */
  undoWake(): boolean {
    if (this.waiter !== null) this.set();
    else this.flag = true;
    return true;
  }
}
