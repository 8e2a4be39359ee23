import type { Task } from "./task";

/**
 * FIFO of parked tasks, linked through the tasks themselves (a task waits on one thing at a time), so
 * queueing and unlinking a cancelled waiter are O(1) and allocate nothing.
 */
export class WaitQueue {
  private head: Task | null = null;
  private tail: Task | null = null;
  private n = 0;

  get length(): number {
    return this.n;
  }

  get first(): Task | null {
    return this.head;
  }

  push(t: Task): void {
    t.queue = this;
    t.qnext = null;
    t.qprev = this.tail;
    if (this.tail) this.tail.qnext = t;
    else this.head = t;
    this.tail = t;
    this.n++;
  }

  shift(): Task | null {
    const t = this.head;
    if (t) this.remove(t);
    return t;
  }

  /** Unlink `t` if it is in this queue; returns whether it was. */
  remove(t: Task): boolean {
    if (t.queue !== this) return false;
    if (t.qprev) t.qprev.qnext = t.qnext;
    else this.head = t.qnext;
    if (t.qnext) t.qnext.qprev = t.qprev;
    else this.tail = t.qprev;
    t.qprev = t.qnext = null;
    t.queue = null;
    this.n--;
    return true;
  }
}
