import type { Task } from "./task";

/**
 * FIFO of parked tasks, linked through the tasks' own `next` field (a parked task is never in the run
 * queue), so queueing and waking allocate nothing. Unlinking a cancelled waiter walks the queue: O(n),
 * paid only on cancellation.
 */
export class WaitQueue {
  /** @internal the first waiter (read it to skip a call when the queue is empty) */
  head: Task | null = null;
  private tail: Task | null = null;
  private n = 0;

  get length(): number {
    return this.n;
  }

  get first(): Task | null {
    return this.head;
  }

  push(t: Task): void {
    t.next = null;
    if (this.tail !== null) this.tail.next = t;
    else this.head = t;
    this.tail = t;
    this.n++;
  }

  shift(): Task | null {
    const t = this.head;
    if (t !== null) {
      this.head = t.next as Task | null;
      if (this.head === null) this.tail = null;
      t.next = null;
      this.n--;
    }
    return t;
  }

  /** Unlink `t` if it is in this queue; returns whether it was. */
  remove(t: Task): boolean {
    let prev: Task | null = null;
    for (let c = this.head; c !== null; prev = c, c = c.next as Task | null) {
      if (c !== t) continue;
      if (prev === null) this.head = t.next as Task | null;
      else prev.next = t.next;
      if (this.tail === t) this.tail = prev;
      t.next = null;
      this.n--;
      return true;
    }
    return false;
  }

  /** Visit the waiters in order (do not modify the queue meanwhile). */
  forEach(fn: (t: Task) => void): void {
    for (let c = this.head; c !== null; c = c.next as Task | null) fn(c);
  }
}
