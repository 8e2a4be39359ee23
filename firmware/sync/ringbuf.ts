import { op, type Op, type Task, type Waitable, WaitQueue } from "../sched/kernel";
import { QueueEmpty } from "./queue";

function getBody(t: Task, q: RingbufQueue<unknown>): unknown {
  if (q.n > 0) return q.take();
  q.getters.push(t);
  return t.sched.park(t, q);
}

/**
 * A fixed-size queue that never blocks its producer (micropython-async's RingbufQueue): the buffer is
 * allocated once, at construction; when it is full, `put()` overwrites the oldest item and counts it in
 * `overwritten`. Made for IO callbacks feeding a task: a burst loses the oldest data, never the newest,
 * and never allocates. `get()` waits while it is empty; getters are served first come, first served.
 *
 * Cancel-safe: a cancelled or timed-out getter leaves at once and never swallows an item (an item handed
 * to a getter cancelled before it ran goes back to the front, or to the next getter).
 * Errors: a capacity that is not a whole number >= 1 is a RangeError; `getNowait` on an empty queue
 * throws QueueEmpty. Use a {@link Queue} when the producer must wait instead of losing data.
 * Memory: one object of 5 fields with a wait queue, plus `capacity` array slots (about 16 bytes each on a 32-bit device);
 * putting, getting and waiting allocate nothing.
 * @example
 *   const rx = new RingbufQueue<number>(16);
 *   uart.onReadable = () => rx.put(uart.read());   // never blocks, never allocates
 *   for (;;) use(yield* rx.get());
 */
export class RingbufQueue<T> implements Waitable, AsyncIterable<T> {
  /** @internal */ readonly buf: (T | undefined)[];
  /** @internal index of the oldest item */ head = 0;
  /** @internal number of items */ n = 0;
  /** @internal */ readonly getters = new WaitQueue();
  /** Items dropped because the buffer was full (the oldest goes first). */
  overwritten = 0;

  constructor(capacity: number) {
    if (typeof capacity !== "number" || !(capacity >= 1) || capacity !== Math.floor(capacity) || capacity === Infinity) {
      throw new RangeError(`a RingbufQueue's capacity must be a whole number >= 1, got ${String(capacity)}`);
    }
    this.buf = new Array<T | undefined>(capacity);
  }

  /** Most items it holds. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Number of items queued. */
  get size(): number {
    return this.n;
  }
  get empty(): boolean {
    return this.n === 0;
  }
  get full(): boolean {
    return this.n === this.buf.length;
  }

  /** Number of tasks waiting in get(). */
  get waiting(): number {
    return this.getters.length;
  }

  /**
   * Add `item` now (a plain call, not an operation: no `yield*`): to the longest-waiting getter, or the
   * buffer; when the buffer is full the oldest item is dropped. Safe from IO callbacks.
   */
  put(item: T): void {
    const g = this.getters.shift();
    if (g !== null) g.sched.wake(g, item);
    else this.push(item);
  }

  /** Same as {@link put} (the name asyncio users expect; it never fails). */
  putNowait(item: T): void {
    this.put(item);
  }

  /** Wait until there is an item, then remove and return the oldest. */
  get(): Op<T> {
    return op<T, RingbufQueue<unknown>>(getBody, this as RingbufQueue<unknown>);
  }

  /** Remove the oldest item now or throw QueueEmpty. */
  getNowait(): T {
    if (this.n === 0) throw new QueueEmpty();
    return this.take() as T;
  }

  /** Items, capacity, drops and waiting getters, for debugging. */
  stats(): { size: number; capacity: number; overwritten: number; getters: number } {
    return { size: this.n, capacity: this.buf.length, overwritten: this.overwritten, getters: this.getters.length };
  }

  /** Async iteration (async tasks): yields items as they come, forever (end it by cancelling or breaking). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => ({ value: await this.get(), done: false }),
    };
  }

  /** @internal */
  take(): T {
    const b = this.buf;
    const v = b[this.head] as T;
    b[this.head] = undefined;
    this.head = this.head + 1 === b.length ? 0 : this.head + 1;
    this.n--;
    return v;
  }

  private push(item: T): void {
    const b = this.buf;
    const cap = b.length;
    let i = this.head + this.n;
    if (i >= cap) i -= cap;
    b[i] = item;
    if (this.n < cap) this.n++;
    else {
      // full: the slot written was the oldest's
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.overwritten++;
    }
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.getters.remove(t);
    return false;
  }

  /** @internal a getter handed `item` is cancelled before it ran: the item goes back to the front */
  undoWake(_t: Task, item: unknown): boolean {
    const g = this.getters.shift();
    if (g !== null) {
      g.sched.wake(g, item);
      return true;
    }
    const b = this.buf;
    if (this.n === b.length) {
      // full again meanwhile: the given-back item is the oldest, so it is the one dropped
      this.overwritten++;
      return true;
    }
    this.head = this.head === 0 ? b.length - 1 : this.head - 1;
    b[this.head] = item as T;
    this.n++;
    return true;
  }
}
