import { currentTaskOrNull, type Op, activeScheduler, type CallbackHandle, type Scheduler, type Task, describe, isTaskFunction } from "../sched/kernel";
import { Event } from "./event";

type Callback = (...args: any[]) => unknown;


function checkDuration(ms: unknown, what: string): number {
  if (typeof ms !== "number" || ms !== ms) throw new TypeError(`${what} must be a number of milliseconds, got ${describe(ms)}`);
  if (ms < 0 || ms === Infinity) throw new RangeError(`${what} must be >= 0 and finite, got ${ms}`);
  return ms;
}

/** The armed timer fired: expire, or re-arm for a deadline that was pushed later meanwhile. */
function onTimer(d: DelayMs): void {
  d.fired();
}

/**
 * A retriggerable one-shot timer (micropython-async's Delay_ms, a software monostable): `trigger(ms)`
 * starts it or moves its deadline to now + ms (later or earlier); when a deadline passes without a new
 * trigger it expires: the callback runs and `wait()` returns. A 200 ms timer retriggered at 100 ms
 * expires at 300 ms. The callback: a plain function is called (its return value kept in `result`; an
 * error goes to the scheduler's exception handler); a generator or async function is started as a task,
 * kept in `task`.
 *
 * Uses the scheduler it was created under (create it inside a task, or while a scheduler runs); after
 * that `trigger()` and `stop()` are safe from IO callbacks. One timer is armed at a time; a trigger that
 * moves the deadline later allocates nothing (the armed timer re-arms itself for the rest when it fires),
 * one that moves it earlier re-arms at once.
 *
 * Cancel-safe: a cancelled `wait()` leaves at once (it is an Event wait); stopping or retriggering never
 * cancels a callback task already started.
 * Errors: a duration that is not a number is a TypeError, a negative or infinite one a RangeError;
 * constructing it with no scheduler running is an InvalidStateError.
 * Memory: one object of 11 fields, one of them an Event; each arming allocates a timer entry (about 0.1 KB).
 * @example
 *   const idle = new DelayMs(() => led.write(0), [], 5000);
 *   button.onPress = () => { led.write(1); idle.trigger(); };   // light off 5 s after the last press
 */
export class DelayMs {
  /** Default duration (ms) used by `trigger()` with no argument or 0. */
  readonly duration: number;
  /** The callback's task, once a generator or async callback was started (null before). */
  task: Task | null = null;
  /** What a plain-function callback returned the last time it ran (undefined before). */
  result: unknown = undefined;
  private readonly sched: Scheduler;
  private cb: Callback | null;
  private args: unknown[];
  private isRunning = false;
  private deadline = 0;
  private handle: CallbackHandle | null = null;
  private armedFor = 0;
  private readonly ev = new Event<void>();

  constructor(callback?: Callback | null, args: unknown[] = [], durationMs = 1000) {
    if (callback !== undefined && callback !== null && typeof callback !== "function") throw new TypeError("a DelayMs callback must be a function");
    if (!Array.isArray(args)) throw new TypeError("a DelayMs callback's arguments must be an array");
    this.duration = checkDuration(durationMs, "a DelayMs duration");
    const t = currentTaskOrNull();
    this.sched = t !== null ? t.sched : activeScheduler();
    this.cb = callback ?? null;
    this.args = args;
  }

  /** True from `trigger()` until it expires or is stopped. */
  get running(): boolean {
    return this.isRunning;
  }

  /** True once it expired, until the next `trigger()` or `clear()`. */
  get expired(): boolean {
    return this.ev.isSet;
  }

  /** Number of tasks in `wait()`. */
  get waiting(): number {
    return this.ev.waiting;
  }

  /**
   * Start the timer, or move its deadline to now + `ms` (0 or no argument: the default duration).
   * Clears the expired state. Safe from IO callbacks.
   */
  trigger(ms = 0): void {
    const d = ms === 0 ? this.duration : checkDuration(ms, "a trigger duration");
    const s = this.sched;
    const deadline = s.now() + d;
    this.deadline = deadline;
    this.isRunning = true;
    this.ev.clear();
    const h = this.handle;
    if (h !== null) {
      if (this.armedFor <= deadline) return; // fires first and re-arms for the rest
      h.cancel();
    }
    this.arm(deadline);
  }

  /** Stop the timer without expiring (nothing runs). Safe from IO callbacks. */
  stop(): void {
    this.isRunning = false;
    const h = this.handle;
    if (h !== null) {
      this.handle = null;
      h.cancel();
    }
  }

  /** Replace the callback (and its arguments) for later expiries. */
  callback(fn: Callback | null, args: unknown[] = []): void {
    if (fn !== null && typeof fn !== "function") throw new TypeError("a DelayMs callback must be a function");
    this.cb = fn;
    this.args = args;
  }

  /** Clear the expired state, so `wait()` waits for the next expiry. */
  clear(): void {
    this.ev.clear();
  }

  /**
   * Wait until it expires. Like an Event: returns at once if it already expired and was not triggered or
   * cleared since; call `clear()` (or `trigger()`) before waiting again in a loop.
   */
  wait(): Op<void> {
    return this.ev.wait();
  }

  private arm(deadline: number): void {
    this.armedFor = deadline;
    this.handle = this.sched.callLater(deadline - this.sched.now(), onTimer, this);
  }

  /** @internal */
  fired(): void {
    this.handle = null;
    if (!this.isRunning) return;
    if (this.sched.now() < this.deadline) {
      this.arm(this.deadline);
      return;
    }
    this.isRunning = false;
    const fn = this.cb;
    if (fn !== null) {
      if (isTaskFunction(fn)) {
        this.task = this.sched.spawnTask("delay", fn, this.args);
      } else {
        try {
          this.result = fn(...this.args);
        } catch (e) {
          this.sched.report(e, { message: "DelayMs callback failed" });
        }
      }
    }
    this.ev.set();
  }
}

export { DelayMs as Delay_ms };
