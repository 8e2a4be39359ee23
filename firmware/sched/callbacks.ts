import type { WheelNode } from "./wheel";
import { CALLBACK, type Runnable } from "./task";
import type { Scheduler } from "./scheduler";

/** A node in the timers (firmware/sched/wheel.ts) that runs something when due (a sleeping task, a cancel scope, a callLater). */
export interface Timed extends WheelNode {
  onTimer(s: Scheduler): void;
}

/** A callSoon/callLater entry. Cancel it with `cancel()` before it runs. */
export class CallbackHandle implements Runnable, Timed {
  /** @internal */ next: Runnable | null = null;
  /** @internal */ readonly st = CALLBACK;
  /** @internal */ deadline = 0;
  /** @internal */ seq = 0;
  // Stryker disable next-line UnaryOperator: TimerHeap.remove trusts hi only if a[hi] === node, so 1 marks a node not in the heap as well as -1
  /** @internal */ hi = -1;
  /** @internal */ tn: WheelNode | null = null;
  /** @internal */ tp: WheelNode | null = null;
  /** True once it ran or was cancelled. */
  done = false;
  /** @internal */
  constructor(
    private readonly sched: Scheduler,
    /** @internal */ readonly fn: (...args: any[]) => void,
    /** @internal */ readonly args: unknown[],
  ) {}
  /** Prevent the callback from running; returns false if it already ran or was cancelled. */
  cancel(): boolean {
    if (this.done) return false;
    this.done = true;
    this.sched.dropTimer(this);
    return true;
  }
  /** @internal due: run it in the round that is starting */
  onTimer(s: Scheduler): void {
    s.pushReady(this);
  }
  /** @internal run it now (from the round loop); a throw is reported and the round goes on */
  run(s: Scheduler): void {
    if (this.done) return;
    this.done = true;
    try {
      this.fn(...this.args);
    } catch (e) {
      s.report(e, { message: "callback failed" });
    }
  }
}
