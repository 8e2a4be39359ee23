import { currentTask, op, type Op, DONE_OK, Task, type Gen, type TaskWatcher, type Waitable } from "../sched/kernel";
import { Event } from "./event";
import { ThreadSafeFlag } from "./flag";

/** Something WaitAny / WaitAll can wait for: a Task (its completion) or any object with a `wait()` operation. */
export type Awaitable = Task | { wait(): Op<unknown> };

/** What {@link WaitAny.wait} returns. */
export interface AnyResult {
  /** Position of the source that fired first. */
  index: number;
  /** The source itself. */
  source: Awaitable;
  /** What its wait returned (a task: its result, or the error it failed with). */
  value: unknown;
}

/** A child task's body: wait for one source. */
function* watchOne(src: { wait(): Op<unknown> }): Gen<unknown> {
  return yield* src.wait();
}

class Slot implements TaskWatcher {
  constructor(readonly w: Waiting, readonly i: number) {}
  childDone(c: Task): void {
    this.w.done(this.i, c);
  }
}

/** One wait() in progress: the parked owner, its watchers, the results so far. */
class Waiting implements Waitable {
  owner: Task | null = null;
  /** per source: the child task watching it, or the watched source task (null once detached) */
  readonly tasks: (Task | null)[];
  readonly slots: (Slot | null)[];
  readonly fired: boolean[];
  readonly values: unknown[];
  remaining: number;
  winner = -1;

  constructor(readonly sources: Awaitable[], readonly all: boolean) {
    const n = sources.length;
    this.tasks = new Array<Task | null>(n).fill(null);
    this.slots = new Array<Slot | null>(n).fill(null);
    this.fired = new Array<boolean>(n).fill(false);
    this.values = new Array<unknown>(n).fill(undefined);
    this.remaining = n;
  }

  /** A source fired (synchronously, before parking, or through a watcher). Returns true when the wait is over. */
  hit(i: number, v: unknown): boolean {
    this.fired[i] = true;
    this.values[i] = v;
    this.remaining--;
    if (!this.all) {
      this.winner = i;
      return true;
    }
    return this.remaining === 0;
  }

  result(): unknown {
    if (this.all) return this.values;
    const i = this.winner;
    const r: AnyResult = { index: i, source: this.sources[i]!, value: this.values[i] };
    return r;
  }

  done(i: number, c: Task): void {
    const owner = this.owner;
    this.tasks[i] = null;
    this.slots[i] = null;
    if (owner === null || this.fired[i]) return;
    const isSource = this.sources[i] === c;
    if (!isSource && c.st !== DONE_OK) {
      // the wait of a source failed (not a cancel of ours: owner is still set): raise it
      this.owner = null;
      this.detach();
      owner.sched.wakeThrow(owner, c.value);
      return;
    }
    if (this.hit(i, c.value)) {
      this.owner = null;
      this.detach();
      owner.sched.wake(owner, this.result());
    }
  }

  /** Stop every watcher still running: cancel the child tasks, unhook from source tasks. */
  detach(): void {
    for (let i = 0; i < this.tasks.length; i++) {
      const c = this.tasks[i];
      if (c === null || c === undefined) continue;
      this.tasks[i] = null;
      const slot = this.slots[i]!;
      this.slots[i] = null;
      if (c === this.sources[i]) c.sched.unwatch(c, slot);
      else c.cancel();
    }
  }

  /** Give back what the wait consumed: a ThreadSafeFlag that fired is set again. */
  giveBack(): void {
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i];
      if (this.fired[i] && s instanceof ThreadSafeFlag) s.set();
    }
  }

  /** The owner is cancelled (or timed out): stop watching; what was consumed goes back. */
  abortWait(): boolean {
    this.owner = null;
    this.detach();
    this.giveBack();
    return false;
  }

  /** Woken with the result, cancelled before it ran: the cancel wins and consumed flags are set again. */
  undoWake(): boolean {
    this.giveBack();
    return true;
  }
}

function waitBody(t: Task, w: Waiting): unknown {
  const srcs = w.sources;
  if (w.all && srcs.length === 0) return w.values;
  // sources that have already fired, without starting anything
  for (let i = 0; i < srcs.length; i++) {
    const s = srcs[i]!;
    let v: unknown;
    if (s instanceof Task) {
      if (!s.done) continue;
      v = s.st === DONE_OK ? s.value : s.error;
    } else if (s instanceof Event) {
      if (!s.isSet) continue;
      v = s.value;
    } else if (s instanceof ThreadSafeFlag) {
      if (!s.isSet) continue;
      s.clear();
    } else continue;
    if (w.hit(i, v)) return w.result();
  }
  w.owner = t;
  const sched = t.sched;
  for (let i = 0; i < srcs.length; i++) {
    if (w.fired[i]) continue;
    const s = srcs[i]!;
    const slot = new Slot(w, i);
    let c: Task;
    if (s instanceof Task) c = s;
    else c = sched.spawnTask(`${t.name}/wait${i}`, watchOne as (...a: unknown[]) => unknown, [s]);
    w.tasks[i] = c;
    w.slots[i] = slot;
    sched.watch(c, slot);
  }
  return sched.park(t, w);
}

function check(sources: unknown, what: string): Awaitable[] {
  if (!Array.isArray(sources)) throw new TypeError(`${what} takes an array of tasks, events or other objects with a wait() operation`);
  sources.forEach((s: unknown, i) => {
    if (s instanceof Task) return;
    if (s === null || typeof s !== "object" || typeof (s as { wait?: unknown }).wait !== "function") {
      throw new TypeError(`${what}: item ${i} is neither a task nor an object with a wait() operation`);
    }
  });
  return sources.slice() as Awaitable[];
}

/**
 * Wait until the first of several sources fires (micropython-async's WaitAny): Events, Messages, a
 * ThreadSafeFlag, Tasks (their completion, however they end), nested WaitAny / WaitAll, or any object
 * with a `wait()` operation. Returns `{ index, source, value }` of the first. Sources that already fired
 * count at once (a set Event, a finished Task, a set ThreadSafeFlag, which is consumed).
 *
 * Each source other than a Task is watched by a small child task that waits on it; when the wait ends
 * (first source fired, the owner cancelled or timed out) every watcher is stopped at once, so no waiter
 * is left behind on an Event (its `waiting` is back to what it was). Awaited Tasks are only watched,
 * never cancelled: the others keep running after WaitAny returns.
 *
 * Cancel-safe: a cancelled or timed-out wait leaves nothing behind; a ThreadSafeFlag it consumed is set
 * again (a flag set while the watchers are being stopped is given back too).
 * Errors: a source that is not a Task and has no wait() is a TypeError; an empty list a RangeError; if
 * the wait of a source fails (for example a nested WaitAll whose source fails), that error is raised.
 * Memory: per wait, about 0.1 KB of bookkeeping plus one child task (~0.5 KB) per non-Task source while
 * it waits. The WaitAny object itself can be waited on again (and nested in several).
 * @example
 *   const { index } = yield* new WaitAny([button, timeout, new WaitAll([a, b])]).wait();
 */
export class WaitAny {
  /** The sources, in order. */
  readonly sources: readonly Awaitable[];
  constructor(sources: Awaitable[]) {
    this.sources = check(sources, "WaitAny");
    if (sources.length === 0) throw new RangeError("WaitAny of nothing would never return");
  }
  /** Wait for the first source; returns which one and its value. */
  wait(): Op<AnyResult> {
    currentTask();
    return op<AnyResult, Waiting>(waitBody, new Waiting(this.sources as Awaitable[], false));
  }
}

/**
 * Wait until every source has fired (micropython-async's WaitAll); returns their values in order (a
 * task's value is its result, or the error it failed with). Same sources, watchers, cancel-safety and
 * cost as {@link WaitAny}; `new WaitAll([])` returns `[]` at once.
 * @example
 *   yield* new WaitAll([sensorsReady, networkUp]).wait();
 */
export class WaitAll {
  /** The sources, in order. */
  readonly sources: readonly Awaitable[];
  constructor(sources: Awaitable[]) {
    this.sources = check(sources, "WaitAll");
  }
  /** Wait for every source; returns their values in order. */
  wait(): Op<unknown[]> {
    currentTask();
    return op<unknown[], Waiting>(waitBody, new Waiting(this.sources as Awaitable[], true));
  }
}
