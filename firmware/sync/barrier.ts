import { callGen, composite, currentTask, op, type Op, type Gen, type Task, type Waitable, WaitQueue } from "../sched/kernel";

type Callback = (...args: any[]) => unknown;

/** The tasks parked in one round. A round that is releasing keeps its own queue while the next fills. */
class Round implements Waitable {
  readonly q = new WaitQueue();
  abortWait(t: Task): boolean {
    this.q.remove(t);
    return false;
  }
  /** released, then cancelled before it ran: the round happened (the others went on counting this
   * task), so the wait completes and the cancel arrives at the task's next operation */
  undoWake(): boolean {
    return false;
  }
}

function parkBody(t: Task, r: Round): unknown {
  r.q.push(t);
  return t.sched.park(t, r);
}


/**
 * A rendezvous for `parties` tasks (micropython-async's Barrier): each `wait()` blocks until `parties`
 * tasks are waiting; the last to arrive runs `callback(...args)` to completion, in its own task, BEFORE
 * anyone is released, then everybody goes on. The callback may be a plain function (called), or a
 * generator or async function (run to completion: it may wait; a plain function's return value is
 * ignored unless it is a generator object, which is run to completion too). The barrier then resets for the next
 * round.
 *
 * Cancel-safe: a waiter cancelled or timed out before the round completes leaves at once and no longer
 * counts towards the round. A waiter cancelled after the round released it, before it ran, does pass
 * the barrier (the others counted on it): its wait returns and the cancel arrives at its next operation.
 * If the callback throws, the error is raised in the task that ran it (the last to arrive); the round
 * still completes and the others are released.
 * Errors: `parties` not a whole number >= 1 is a RangeError; a callback that is not a function is a
 * TypeError.
 * Memory: one object of 5 fields with a wait queue (a second queue only while a slow callback overlaps
 * the next round); a wait allocates nothing in generator tasks, except the last arrival's composite.
 * @example
 *   const sync = new Barrier(3, () => trace("all three ready\n"));
 *   for (const id of [1, 2, 3]) spawn(function* () { for (;;) { yield* measure(id); yield* sync.wait(); } });
 */
export class Barrier {
  /** Number of tasks that make a round. */
  readonly parties: number;
  /** @internal the round filling now */ round = new Round();
  /** @internal a released round's queue, reused */ private spare: Round | null = null;
  /** @internal */ readonly callback: Callback | null;
  /** @internal */ readonly callbackArgs: unknown[];

  constructor(parties: number, callback?: Callback | null, ...args: unknown[]) {
    if (typeof parties !== "number" || !(parties >= 1) || parties !== Math.floor(parties) || parties === Infinity) {
      throw new RangeError(`a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
    }
    if (callback !== undefined && callback !== null && typeof callback !== "function") {
      throw new TypeError("a Barrier's callback must be a function");
    }
    this.parties = parties;
    this.callback = callback ?? null;
    this.callbackArgs = args;
  }

  /** Number of tasks waiting in the current round. */
  get waiting(): number {
    return this.round.q.length;
  }

  /** Wait until `parties` tasks are waiting; the last one runs the callback, then all go on. */
  wait(): Op<void> {
    const t = currentTask();
    if (this.round.q.length + 1 < this.parties) return op<void, Round>(parkBody, this.round);
    return composite(t, () => lastGen(this, t));
  }

  /** Same as {@link wait}. */
  arrive(): Op<void> {
    return this.wait();
  }

  /** @internal the round is complete: later arrivals start the next one */
  close(): Round {
    const r = this.round;
    this.round = this.spare ?? new Round();
    this.spare = null;
    return r;
  }

  /** @internal release a closed round */
  release(r: Round): void {
    for (let t = r.q.shift(); t !== null; t = r.q.shift()) t.sched.wake(t, undefined);
    if (this.spare === null) this.spare = r;
  }
}

function* lastGen(b: Barrier, t: Task): Gen<void> {
  // checked again here: a waiter may have left between wait() and this first step
  if (b.round.q.length + 1 < b.parties) return yield* op<void, Round>(parkBody, b.round);
  const r = b.close();
  try {
    if (b.callback !== null) yield* callGen(t, b.callback, b.callbackArgs);
  } finally {
    b.release(r);
  }
}

