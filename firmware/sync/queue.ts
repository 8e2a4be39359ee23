import { ClosedError, WouldBlock, nameErrorClass, CTX, GEN_OP, currentTask, op, type Op, type Task, type Waitable, WaitQueue } from "../sched/kernel";
import { Deque } from "./deque";

/** `putNowait` on a full queue. */
export class QueueFull extends WouldBlock {
  constructor() {
    super("queue full");
  }
}
nameErrorClass(QueueFull, "QueueFull");
/** `getNowait` on an empty queue. */
export class QueueEmpty extends WouldBlock {
  constructor() {
    super("queue empty");
  }
}
nameErrorClass(QueueEmpty, "QueueEmpty");

/** A role's wait queue (getters or putters): cancel while waiting just unlinks. */
abstract class Waiters implements Waitable {
  readonly q = new WaitQueue();
  constructor(protected readonly queue: Queue<unknown>) {}
  abortWait(t: Task): boolean {
    this.q.remove(t);
    return false;
  }
  abstract undoWake(t: Task, item: unknown): boolean;
}

class Getters extends Waiters {
  /** a getter was handed `item` but is cancelled before it ran: the item goes back (if it still fits) */
  undoWake(_t: Task, item: unknown): boolean {
    return this.queue.giveBack(item);
  }
}

class Putters extends Waiters {
  /** a putter whose item was taken in (at `pos`) is cancelled before it ran: take exactly that item out */
  undoWake(_t: Task, pos: unknown): boolean {
    return this.queue.takeBack(pos as number);
  }
}

function getBody(t: Task, q: Queue<unknown>): unknown {
  if (q.items.length > 0) return q.take();
  if (q.closed) throw new ClosedError("queue closed");
  q.getters.q.push(t);
  return t.sched.park(t, q.getters);
}

function putBody(t: Task, q: Queue<unknown>): unknown {
  // put() left the item in the task's value slot (free while the task runs)
  const item = t.value;
  t.value = undefined;
  if (q.closed) throw new ClosedError("queue closed");
  if (q.accept(item)) return undefined;
  t.value = item; // the item waits with its putter
  q.putters.q.push(t);
  return t.sched.park(t, q.putters);
}

/**
 * FIFO queue between tasks, unbounded or with `maxsize` items. `get()` waits while empty, `put()` waits
 * while full; waiters are served first come, first served (a freed slot goes to the longest-waiting
 * putter, a new item to the longest-waiting getter, handed over directly).
 *
 * Cancel-safe: a cancelled getter never swallows an item (an item handed to it goes back to the front, or,
 * if the queue filled up meanwhile, the getter keeps it and its cancel is raised at its next operation);
 * a cancelled putter's item is not added (or is taken out again if nobody took it yet).
 * Errors: `putNowait` throws QueueFull, `getNowait` QueueEmpty; after `close()`, `put` throws
 * ClosedError and `get` drains the remaining items, then throws ClosedError.
 * Memory: a ring buffer that grows to the largest size seen (bounded by maxsize); waiting allocates nothing.
 * @example
 *   const q = new Queue<number>(10);
 *   yield* q.put(1);
 *   const x = yield* q.get();
 *   for await (const item of q) use(item);   // async tasks; ends when the queue is closed and empty
 */
export class Queue<T> implements AsyncIterable<T> {
  /** @internal */ readonly items: Deque<T>;
  /** @internal */ readonly getters: Getters;
  /** @internal */ readonly putters: Putters;
  /** @internal */ closed = false;
  /** Maximum number of items (0: unbounded). */
  readonly maxsize: number;

  constructor(maxsize = 0) {
    if (!(maxsize >= 0) || maxsize !== Math.floor(maxsize)) throw new RangeError(`maxsize must be a whole number >= 0, got ${maxsize}`);
    this.maxsize = maxsize;
    this.items = new Deque<T>(maxsize > 0 ? Math.min(maxsize, 64) : 8);
    this.getters = new Getters(this as Queue<unknown>);
    this.putters = new Putters(this as Queue<unknown>);
  }

  /** Number of items queued. */
  get size(): number {
    return this.items.length;
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  get full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  /** Wait until there is room, then add `item`. */
  put(item: T): Op<void> {
    const t = CTX.current ?? currentTask();
    t.value = item;
    if (t.gen !== null && CTX.opFn === null) {
      // op()'s generator branch, inline: one call less on every put
      CTX.opFn = putBody;
      CTX.opArg = this;
      return GEN_OP as unknown as Op<void>;
    }
    return op<void, Queue<unknown>>(putBody, this as Queue<unknown>);
  }

  /** Wait until there is an item, then remove and return it. */
  get(): Op<T> {
    const t = CTX.current;
    if (t !== null && t.gen !== null && CTX.opFn === null) {
      CTX.opFn = getBody;
      CTX.opArg = this;
      return GEN_OP as unknown as Op<T>;
    }
    return op<T, Queue<unknown>>(getBody, this as Queue<unknown>);
  }

  /** Add `item` now or throw QueueFull. */
  putNowait(item: T): void {
    if (this.closed) throw new ClosedError("queue closed");
    if (!this.accept(item)) throw new QueueFull();
  }

  /** Remove an item now or throw QueueEmpty. */
  getNowait(): T {
    if (this.items.length === 0) throw new QueueEmpty();
    return this.take() as T;
  }

  /** Refuse further puts; waiting putters and (once empty) getters get ClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new ClosedError("queue closed");
    for (let t = this.putters.q.shift(); t !== null; t = this.putters.q.shift()) t.sched.wakeThrow(t, err);
    for (let t = this.getters.q.shift(); t !== null; t = this.getters.q.shift()) t.sched.wakeThrow(t, err);
  }

  /** Waiting tasks and size, for debugging (trio's statistics()). */
  stats(): { size: number; maxsize: number; getters: number; putters: number } {
    return { size: this.items.length, maxsize: this.maxsize, getters: this.getters.q.length, putters: this.putters.q.length };
  }

  /** Async iteration (async tasks): yields items until the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => {
        try {
          return { value: await this.get(), done: false };
        } catch (e) {
          if (e instanceof ClosedError) return { value: undefined, done: true };
          throw e;
        }
      },
    };
  }

  /** @internal add an item: to a waiting getter, or the buffer if there is room. */
  accept(item: unknown): boolean {
    const g = this.getters.q.shift();
    if (g !== null) {
      g.sched.wake(g, item);
      return true;
    }
    if (this.maxsize > 0 && this.items.length >= this.maxsize) return false;
    this.items.push(item as T);
    return true;
  }

  /** @internal remove the front item; a freed slot goes to the longest-waiting putter. */
  take(): unknown {
    const item = this.items.shift();
    this.admit();
    return item;
  }

  /** A slot is free: move the first waiting putter's item in and wake it with the item's position. */
  private admit(): void {
    const p = this.putters.q.first;
    if (p !== null && (this.maxsize === 0 || this.items.length < this.maxsize)) {
      this.putters.q.shift();
      const pos = this.items.push(p.value as T);
      p.sched.wake(p, pos); // for undoWake: exactly this item, even if equal ones follow
    }
  }

  /**
   * @internal An item handed to a cancelled getter comes back to the front (or to the next getter). If
   * the queue has filled up meanwhile there is no room: the get happened, and the getter keeps the item
   * (its cancel is raised at its next operation), so a Queue(n) never holds more than n.
   */
  giveBack(item: unknown): boolean {
    const g = this.getters.q.shift();
    if (g !== null) g.sched.wake(g, item);
    else if (this.maxsize === 0 || this.items.length < this.maxsize) this.items.unshift(item as T);
    else return false;
    return true;
  }

  /** @internal a cancelled putter's item (at `pos`) leaves the buffer if it is still there */
  takeBack(pos: number): boolean {
    if (!this.items.removeAt(pos)) return false; // already taken: the put happened
    this.admit();
    return true;
  }
}
