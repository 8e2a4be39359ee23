import { InvalidStateError } from "./errors";
import { op, type Op } from "./op";
import type { Scheduler } from "./scheduler";
import { DONE_ERR, DONE_OK, type Task } from "./task";
import { WaitQueue } from "./waitqueue";

/**
 * Joining: wait for a task to finish. A cancelled joiner passes its cancel on to the child and keeps
 * waiting for it (the child's cleanup runs first); then it raises its own cancel, whatever the child
 * returned, so a cancel is never lost through a join.
 */
function joinBody(t: Task, child: Task): unknown {
  if (child === t) throw new InvalidStateError(`task ${t.name} cannot wait for itself`);
  if (child.st === DONE_OK) return child.value;
  if (child.st === DONE_ERR) {
    child.x().seen = true;
    throw child.value;
  }
  const cx = child.x();
  if (cx.joiners === null) cx.joiners = new WaitQueue();
  cx.joiners.push(t);
  return t.sched.park(t, child);
}

/** @internal */
export function joinOp<R>(child: Task<R>): Op<R> {
  return op<R, Task>(joinBody, child);
}

/** @internal wake the tasks joining `t`, which just finished; returns whether there were any */
export function wakeJoiners(s: Scheduler, t: Task, ok: boolean, v: unknown): boolean {
  const j = t.ext !== null ? t.ext.joiners : null;
  if (j === null || j.length === 0) return false;
  for (let w = j.shift(); w !== null; w = j.shift()) {
    const wx = w.ext;
    if (wx !== null && wx.pendingCancel !== null) s.wakeThrow(w, wx.pendingCancel);
    else if (ok) s.wake(w, v);
    else s.wakeThrow(w, v);
  }
  return true;
}
