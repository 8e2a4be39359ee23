import { PARKED, op, type Op } from "./op";
import type { Task, Waitable } from "./task";

/** Parked on a foreign promise: a cancel wins, and the promise's late outcome is dropped. */
class External implements Waitable {
  constructor(public task: Task | null) {}
  abortWait(): boolean {
    this.task = null;
    return false;
  }
  settle(ok: boolean, v: unknown): void {
    const t = this.task;
    if (t === null || t.waitOn !== this) return;
    if (ok) t.sched.wake(t, v);
    else t.sched.wakeThrow(t, v);
  }
}

function externalBody(t: Task, p: PromiseLike<unknown>): typeof PARKED {
  const w = new External(t);
  p.then(
    (v) => w.settle(true, v),
    (e) => w.settle(false, e),
  );
  return t.sched.park(t, w);
}

/**
 * Wait for a promise that does not come from this scheduler (a platform API, a library), keeping the
 * task under the scheduler's control: cancellable and usable under timeouts, from generator and async
 * tasks alike. Cancel-safe: a cancel ends the wait at once; the promise's later outcome is ignored.
 * Awaiting a foreign promise directly in an async task is a mistake: the lint rule flags it, and at run
 * time the task fails with an error naming it (see ./bridge).
 * @example const text = yield* external(fetchSomething())
 */
export function external<T>(promise: PromiseLike<T>): Op<T> {
  if (promise === null || typeof promise !== "object" || typeof promise.then !== "function") {
    throw new TypeError("external() needs a promise");
  }
  return op<T, PromiseLike<unknown>>(externalBody, promise);
}
