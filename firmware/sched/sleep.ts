import { CHECKPOINT, checkMs } from "./scheduler";
import { CTX, GEN_OP, PARKED, currentTask, op, type Op } from "./op";
import type { Task } from "./task";

function sleepBody(t: Task, ms: number): typeof PARKED {
  if (ms <= 0) return t.sched.yieldNow(t);
  if (ms === Infinity) return t.sched.park(t, FOREVER);
  const s = t.sched;
  return s.parkUntil(t, s.host.now() + ms);
}

// Stryker disable next-line ArrowFunction: an abortWait answering undefined is as false to the scheduler (unlink, raise the cancel)
const FOREVER = { abortWait: (): boolean => false };

/**
 * Suspend the calling task for `ms` milliseconds (negative counts as 0; `Infinity` sleeps until cancelled).
 * `sleepMs(0)` is a checkpoint: every task that was ready runs before this one runs again.
 *
 * Cancel-safe: a cancel ends the sleep at once with CancelledError, and the timer is removed.
 * Throws TypeError for a delay that is not a number.
 * @example yield* sleepMs(100)      // generator task
 * @example await sleepMs(100)       // async task
 */
export function sleepMs(ms: number): Op<void> {
  if (typeof ms !== "number" || ms !== ms) checkMs(ms); // throws the TypeError
  if (ms <= 0) return checkpoint();
  const t = CTX.current;
  if (t !== null && t.gen !== null && CTX.opFn === null) {
    // op()'s generator branch, inline: one call less on every sleep
    CTX.opFn = sleepBody;
    CTX.opArg = ms;
    return GEN_OP as unknown as Op<void>;
  }
  return op<void, number>(sleepBody, ms);
}

/** {@link sleepMs} in seconds, as asyncio's `sleep`. */
export function sleep(seconds: number): Op<void> {
  return op<void, number>(sleepBody, checkMs(seconds) * 1000);
}

/** A checkpoint: let every other ready task run once, then continue (same as `sleepMs(0)`). */
export function checkpoint(): Op<void> {
  const t = CTX.current;
  if (t !== null && t.gen !== null && CTX.opFn === null) return CHECKPOINT as unknown as Op<void>;
  return op<void, number>(sleepBody, 0);
}

/** Sleep until `deadline` on the scheduler's clock (`now()` scale, ms). */
export function sleepUntil(deadline: number): Op<void> {
  const t = currentTask();
  return op<void, number>(sleepBody, checkMs(deadline - t.sched.now()));
}
