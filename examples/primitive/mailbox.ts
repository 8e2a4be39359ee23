// A primitive of your own, built on the scheduler's kernel interface (docs/primitives.md, "Writing your own
// primitive"): a one-slot mailbox. put(item) hands the item to the first task waiting in take(), or leaves it
// in the box; a second put() while the box is full throws. take() returns the item, waiting for one.
// Cancel-safe like the project's primitives: a cancelled taker leaves the queue at once, and an item handed
// to a taker that is cancelled before it ran goes to the next taker, or back into the box.
import { WaitQueue, op, type Op, type Task, type Waitable } from "xs-async/kernel";

/** The operation's body runs in the taking task: it completes at once, or parks the task on the box. */
function takeBody<T>(task: Task, box: Mailbox<T>): unknown {
  if (box.full) {
    const item = box.item;
    box.full = false;
    box.item = undefined;
    return item;
  }
  box.takers.push(task);
  return task.sched.park(task, box); // PARKED: the task resumes with what wake() gives it
}

export class Mailbox<T> implements Waitable {
  /** @internal */ readonly takers = new WaitQueue();
  /** @internal */ full = false;
  /** @internal */ item: T | undefined = undefined;

  /** Hand `item` to the first waiting taker, or keep it. Throws RangeError if the box is full. */
  put(item: T): void {
    const taker = this.takers.shift();
    if (taker !== null) {
      taker.sched.wake(taker, item); // it resumes with the item
      return;
    }
    if (this.full) throw new RangeError("mailbox is full");
    this.full = true;
    this.item = item;
  }

  /** Wait for an item and take it: `yield* box.take()` in a generator task, `await box.take()` in an async one. */
  take(): Op<T> {
    return op<T, Mailbox<T>>(takeBody, this);
  }

  /** How many tasks wait in take(). */
  get waiting(): number {
    return this.takers.length;
  }

  /** Waitable: a taker was cancelled while parked here: unlink it (false: the scheduler raises its cancel). */
  abortWait(task: Task): boolean {
    this.takers.remove(task);
    return false;
  }

  /** Waitable: a taker handed `item` was cancelled before it ran: pass the item on, so nothing is lost. */
  undoWake(_task: Task, item: unknown): boolean {
    this.put(item as T);
    return true;
  }
}
