import { CancelledError, InvalidStateError, isCancelled } from "./errors";
import { AsyncBridge } from "./bridge";
import { CallbackHandle, type Timed } from "./callbacks";
import { TimerWheel } from "./wheel";
import type { Host } from "./host";
import { CTX, FINISHED, PARKED, RESUME, YIELDED, type Op } from "./op";
import { joinOp, wakeJoiners } from "./join";
import { Reports, type ExceptionHandler } from "./report";
import {
  CALLBACK, DONE_ERR, DONE_OK, DRIVEN, HALT, NEW, NEW_CANCELLED, READY, READY_THROW, RUNNING, Task, WAITING,
  type Gen, type Runnable, type TaskWatcher, type Waitable,
} from "./task";
import { TRACE, tracing } from "./trace";
import { describe, isGeneratorFunction, isIterator, isThenable } from "./util";

export { CallbackHandle } from "./callbacks";
export type { ExceptionHandler } from "./report";

/** Sleeping tasks park on this: cancel unlinks them from the timers. */
const SLEEP: Waitable = {
  abortWait(t: Task): boolean {
    t.sched.dropTimer(t);
    return false;
  },
};

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /**
   * Rounds run back to back without a trip through the host event loop until at least this many task
   * steps have run. Default 1: with `batchMs` 0 the host gets a turn after every round, so a pending IO
   * callback waits at most one round. Larger values trade that latency for throughput when rounds are small (two tasks
   * ping-ponging through an Event pay one host turn per switch at 1; at 16 the turn is shared by 16
   * steps: `npm run bench` measures both). A round is never cut short: every task ready at its start runs once.
   */
  minBatch?: number;
  /**
   * Time budget of a batch in ms (default: the host's `batchMs`, else 0). While tasks stay ready, rounds
   * run back to back until this much time has passed since the batch began (or `minBatch` is not yet
   * reached); then the host gets its turn. A pending IO callback then waits at most this long plus one
   * round, and a program whose tasks keep checkpointing pays one host turn per budget instead of one per
   * round. 0: a host turn after every batch of `minBatch` steps. Needs a clock that moves while tasks run
   * (a VirtualHost with `stepCost`).
   */
  batchMs?: number;
}

let active: Scheduler | null = null;

// The run queue of one scheduler, the "loaded" one, lives in these module variables: XS reaches them by
// index, like locals, and the round loop touches the queue on every step. Another scheduler's queue stays
// in its `head`/`tail` fields. Only the round loop loads a scheduler (load()), when it starts or goes on;
// everything else that queues or looks at a queue asks `loaded === this` first, so a task of one
// scheduler that wakes a task of another (tests run several) never swaps the queue under a running loop.
let loaded: Scheduler | null = null;
let runHead: Runnable | null = null;
let runTail: Runnable | null = null;

/** Make `s` the scheduler whose run queue is in the module variables. */
function load(s: Scheduler): void {
  const was = loaded;
  if (was !== null) {
    was.head = runHead;
    was.tail = runTail;
  }
  runHead = s.head;
  runTail = s.tail;
  s.head = s.tail = null;
  loaded = s;
}

/**
 * An async task that starts another operation after its own cancel was raised this many times (it caught
 * the CancelledError and went on) is abandoned there: JavaScript cannot force an async function out.
 */
export const ASYNC_CANCEL_RAISES = 2;

/** Past `minBatch`, a batch reads the clock (budget, timers) once this many steps have run since the last read. */
const CLOCK_STEPS = 8;

/** The scheduler running the current program, for code outside tasks (IO callbacks). */
export function activeScheduler(): Scheduler {
  if (active === null) throw new InvalidStateError("no scheduler is running: start one with run(fn, ...args)");
  return active;
}

/**
 * The cooperative scheduler: a FIFO run queue of tasks and callbacks, a timer wheel (wheel.ts), one host timer.
 *
 * Work happens in rounds. A round first moves every due timer's task to the run queue, then runs each
 * entry that was queued when the round began, once (fair round robin: a task that checkpoints goes to
 * the next round). Between batches of rounds (one round, or rounds for `batchMs`) control returns
 * to the host event loop, so IO callbacks are never starved; a task they wake runs in the next round.
 * An async task is resumed by settling its promise; the round pauses until it parks again or finishes
 * (see ./bridge).
 *
 * Nothing a task, a callback, a timer or a hook throws can stop the scheduler: a task's throw fails that
 * task, anything else goes to the exception handler, and the round goes on.
 */
export class Scheduler {
  // Hot fields first (XS looks properties up in order).
  /** @internal run queue (FIFO through `next`) while another scheduler is loaded (see load()) */ head: Runnable | null = null;
  /** @internal */ tail: Runnable | null = null;
  /** the last entry of the current round; null when the round is over */
  private roundEnd: Runnable | null = null;
  /** a round is running (or paused on an async task): wakes need no host turn */
  private roundActive = false;
  private turnScheduled = false;
  private stopped = false;
  /** steps still allowed before the batch returns to the host */
  private batchLeft = 0;
  /** Time budget of a batch in ms (see SchedulerOptions). */
  readonly batchMs: number;
  readonly host: Host;
  /** the clock reading at which the batch's time budget runs out */
  private batchEnd = 0;
  /** past minBatch, the clock is read when batchLeft has gone down to this */
  private clockAt = 0;
  private readonly timers: TimerWheel<Timed>;
  private readonly stepCost: number;
  /** Minimum steps per batch before control returns to the host event loop (see SchedulerOptions). */
  readonly minBatch: number;
  /** @internal tasks spawned so far (default names) */ spawned = 0;
  /** @internal */ readonly bridge: AsyncBridge;
  private readonly reports: Reports;
  private readonly turnCb = (): void => this.onTurn();
  private readonly timerCb = (): void => this.onHostTimer();

  constructor(host: Host, options: SchedulerOptions = {}) {
    this.host = host;
    this.stepCost = host.stepCost ?? 0;
    const b = options.minBatch ?? 1;
    if (!(b >= 1) || b !== Math.floor(b)) throw new RangeError(`minBatch must be a whole number >= 1, got ${b}`);
    this.minBatch = b;
    const ms = options.batchMs ?? host.batchMs ?? 0;
    if (!(ms >= 0) || ms === Infinity) throw new RangeError(`batchMs must be a finite number of milliseconds >= 0, got ${ms}`);
    this.batchMs = ms;
    this.reports = new Reports((line) => host.print(line));
    this.bridge = new AsyncBridge(this);
    this.timers = new TimerWheel<Timed>(host.now());
  }

  /** Milliseconds on this scheduler's clock. */
  now(): number {
    return this.host.now();
  }

  /** Entries in the timer queue: sleeping tasks, timeouts, callLater callbacks (for stats and leak checks). */
  get timerCount(): number {
    return this.timers.size;
  }

  /** Replace the handler for failures nobody awaits; returns the previous one. */
  setExceptionHandler(h: ExceptionHandler): ExceptionHandler {
    return this.reports.setHandler(h);
  }

  /** Report a failure nobody else will see through the exception handler (drivers and primitives use it for callbacks that threw). */
  report(error: unknown, context: { task?: Task; message: string }): void {
    this.reports.report(error, context);
  }

  /**
   * Run `fn(...args)` as the main task and resolve with its result (or reject with its error) once it
   * finishes, even if other tasks are still sleeping. When main finishes the scheduler stops: tasks
   * still alive are left frozen, as MicroPython's `asyncio.run` leaves them.
   */
  run<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Promise<R> {
    if (this.stopped) throw new InvalidStateError("this scheduler has stopped; create a new one");
    active = this;
    const main = this.spawnTask("main", fn as (...a: unknown[]) => unknown, args);
    return new Promise<R>((resolve, reject) => {
      const w: TaskWatcher = {
        childDone: (t: Task) => {
          this.stop();
          if (t.st === DONE_OK) resolve(t.value as R);
          else reject(t.value);
        },
      };
      main.x().watchers = [w];
    });
  }

  /** Stop driving tasks (they stay as they are) and disarm the host timer. */
  stop(): void {
    this.stopped = true;
    this.roundEnd = null;
    this.host.clearTimer();
    if (active === this) active = null;
  }

  /** Start `fn(...args)` as a new task; it first runs when the caller next yields. */
  spawnTask(name: string | undefined, fn: (...a: unknown[]) => unknown, args: unknown[]): Task {
    if (typeof fn !== "function") {
      throw new TypeError(`spawn needs a function and its arguments, got ${describe(fn)}` + (isThenable(fn) || isIterator(fn) ? " (pass the function, not its promise or generator)" : ""));
    }
    const t = new Task(this, name, fn, args);
    if (tracing) TRACE.spawn(t);
    this.pushReady(t);
    this.kick();
    return t;
  }

  /** Run `fn(...args)` on the next round. Safe from IO callbacks. */
  callSoon(fn: (...args: any[]) => void, ...args: unknown[]): CallbackHandle {
    const h = new CallbackHandle(this, fn, args);
    this.pushReady(h);
    this.kick();
    return h;
  }

  /** Run `fn(...args)` after `ms` milliseconds. Safe from IO callbacks. */
  callLater(ms: number, fn: (...args: any[]) => void, ...args: unknown[]): CallbackHandle {
    const h = new CallbackHandle(this, fn, args);
    this.addTimer(h, this.host.now() + checkMs(ms));
    return h;
  }

  // ---- parking and waking: the one way to block ----------------------------------------------

  /** Park `t` on `w` until someone calls wake/wakeThrow (or it is cancelled). Returns PARKED. */
  park(t: Task, w: Waitable): typeof PARKED {
    t.st = WAITING;
    t.waitOn = w;
    if (tracing) TRACE.park(t, w);
    return PARKED;
  }

  /** Park `t` until `deadline` (ms on this clock). */
  parkUntil(t: Task, deadline: number): typeof PARKED {
    this.addTimer(t, deadline);
    // park(t, SLEEP), inlined: every sleep comes here
    t.st = WAITING;
    t.waitOn = SLEEP;
    if (tracing) TRACE.park(t, SLEEP);
    return PARKED;
  }

  /** @internal Move the deadline of a task sleeping in sleepMs/sleepUntil; false if it is not sleeping. */
  moveSleep(t: Task, deadline: number): boolean {
    if (t.st !== WAITING || t.waitOn !== SLEEP) return false;
    this.dropTimer(t);
    this.addTimer(t, deadline);
    return true;
  }

  /** Make a parked task ready to resume with `value`. Returns false if it was not parked. */
  wake(t: Task, value?: unknown): boolean {
    if (t.st !== WAITING) return false;
    if (tracing) TRACE.wake(t, false);
    t.st = READY;
    t.value = value;
    // pushReady and kick, inlined: this is every primitive's hot path
    if (loaded === this) {
      t.next = null;
      if (runTail !== null) runTail.next = t;
      else runHead = t;
      runTail = t;
    } else {
      this.pushReady(t); // another scheduler's task: its queue is in its fields
    }
    if (!this.roundActive && !this.turnScheduled && !this.stopped) {
      this.turnScheduled = true;
      this.host.soon(this.turnCb);
    }
    return true;
  }

  /** Make a parked task ready to resume by throwing `error` at its wait point. */
  wakeThrow(t: Task, error: unknown): boolean {
    if (t.st !== WAITING) return false;
    this.throwSoon(t, error);
    return true;
  }

  /** @internal Checkpoint that raises `error` in `t` when it resumes (a pending cancel at an operation). */
  throwSoon(t: Task, error: unknown): typeof PARKED {
    if (tracing) TRACE.wake(t, true);
    t.st = READY_THROW;
    t.waitOn = null;
    t.value = error;
    this.pushReady(t);
    this.kick();
    return PARKED;
  }

  /**
   * @internal An operation was started while `pending` (a cancel) is pending: raise it there, after a
   * checkpoint. A task that swallowed its own cancel (caught it and went on to this operation) is ended
   * instead: a generator task with `gen.return()` (its finally blocks run; no catch can stop it), an async
   * task is abandoned once its cancel was raised {@link ASYNC_CANCEL_RAISES} times.
   */
  raiseCancel(t: Task, pending: unknown): typeof PARKED {
    const x = t.ext!;
    if (pending === x.cancelled && x.cancelRaised > 0) {
      const g = t.gen;
      if (g !== null && g !== DRIVEN) return this.throwSoon(t, HALT);
      if (x.cancelRaised >= ASYNC_CANCEL_RAISES) {
        this.abandon(t);
        return PARKED;
      }
    }
    return this.throwSoon(t, pending);
  }

  /** An async task that keeps swallowing its own cancel: ended as cancelled, never resumed (see raiseCancel). */
  private abandon(t: Task): void {
    const x = t.ext!;
    const raised = x.cancelRaised;
    const reason = x.cancelled;
    this.finish(t, false, reason);
    this.report(reason, {
      task: t,
      message: `abandoned after catching its cancel ${raised} times and going on; it is never resumed, so its finally blocks did not run`,
    });
  }

  /** Checkpoint: requeue `t` at the back of the run queue. */
  yieldNow(t: Task): typeof PARKED {
    t.st = READY;
    t.waitOn = null;
    t.value = undefined;
    this.pushReady(t);
    this.kick();
    return PARKED;
  }

  // ---- cancellation -------------------------------------------------------------------------

  /** Public cancel (Task.cancel): a task cannot cancel itself. */
  cancel(t: Task, reason?: unknown): boolean {
    if (t.st === RUNNING && CTX.current === t) throw new InvalidStateError(`task ${t.name} cannot cancel itself`);
    if (t.st >= DONE_OK) return false;
    return this.cancelTask(t, reason ?? new CancelledError(`task ${t.name} cancelled`));
  }

  /**
   * @internal Cancel the whole task (Task.cancel, and the composites that cancel their children: join,
   * gather, waitFor, task groups): the cancel is the task's own, which stays until it ends, and a task that
   * swallows it is ended (see raiseCancel). Scopes cancel only their block, with cancelInternal.
   */
  cancelTask(t: Task, reason: unknown): boolean {
    // Stryker disable next-line BooleanLiteral: the one caller that reads the answer (cancel) answers false for a finished task before calling
    if (t.st >= DONE_OK) return false;
    const x = t.x();
    if (x.cancelled === null) x.cancelled = reason;
    return this.cancelInternal(t, reason);
  }

  /**
   * @internal Deliver `reason` (a CancelledError) at the task's wait point now, and make it pending: every
   * later operation raises it too, until whoever cancelled clears it (a scope on exit) or the task ends.
   */
  cancelInternal(t: Task, reason: unknown, inner = false): boolean {
    if (t.st >= DONE_OK) return false;
    if (t.st === NEW) {
      t.st = NEW_CANCELLED;
      t.value = reason;
      return true;
    }
    const x = t.x();
    if (x.shield > 0 && !inner) {
      // inside shield(): kept for the end of the outermost shield
      if (x.deferred === null) x.deferred = reason;
      return true;
    }
    if (x.pendingCancel === null) x.pendingCancel = reason;
    switch (t.st) {
      case READY: {
        // a wake-up is pending: the cancel wins, and the waker takes back what it handed over
        const w = t.waitOn;
        if (w !== null && w.undoWake && !this.hook(() => w.undoWake!(t, t.value), t)) return true;
        t.waitOn = null;
        t.st = READY_THROW;
        t.value = reason;
        return true;
      }
      case WAITING: {
        const w = t.waitOn;
        if (w !== null && this.hook(() => w.abortWait(t, reason), t)) return true;
        this.throwSoon(t, reason);
        return true;
      }
      case READY_THROW:
        // a wake-up with an error (a child's failure, a timeout) is pending: a cancel from outside beats it
        // as it beats a wake-up with a value (a cancel already on its way, or a halt, stays)
        if (!inner && t.value !== HALT && !isCancelled(t.value)) t.value = reason;
        return true;
      default:
        // RUNNING: raised at its next operation; NEW_CANCELLED: never runs
        return true;
    }
  }

  /** Run a Waitable hook; a throw is reported and counts as false (unlinked, nothing to take back). */
  private hook(fn: () => boolean, t: Task): boolean {
    try {
      return fn();
    } catch (e) {
      this.report(e, { task: t, message: "a wait hook (abortWait/undoWake) failed" });
      return false;
    }
  }

  // ---- joining --------------------------------------------------------------------------------

  /** @internal */
  join<R>(child: Task<R>): Op<R> {
    return joinOp(child);
  }

  /** Call `w.childDone(child)` when `child` finishes (a watched task's failure counts as retrieved). */
  watch(child: Task, w: TaskWatcher): void {
    const x = child.x();
    if (x.watchers === null) x.watchers = [w];
    else x.watchers.push(w);
  }

  /** Stop watching `child`; returns whether `w` was watching it. */
  unwatch(child: Task, w: TaskWatcher): boolean {
    const ws = child.ext !== null ? child.ext.watchers : null;
    const i = ws !== null ? ws.indexOf(w) : -1;
    if (i < 0) return false;
    ws!.splice(i, 1);
    if (ws!.length === 0) child.ext!.watchers = null;
    return true;
  }

  // ---- run queue and timers -------------------------------------------------------------------

  /** @internal append to the run queue (the one place besides the hot paths here that writes it) */
  pushReady(r: Runnable): void {
    r.next = null;
    if (loaded === this) {
      if (runTail !== null) runTail.next = r;
      else runHead = r;
      runTail = r;
    } else {
      const tl = this.tail;
      if (tl !== null) tl.next = r;
      else this.head = r;
      this.tail = r;
    }
  }

  /** Nothing is in the run queue. */
  private idle(): boolean {
    return (loaded === this ? runHead : this.head) === null;
  }

  /** @internal */
  addTimer(n: Timed, deadline: number): void {
    const timers = this.timers;
    timers.push(n, deadline);
    // the new node is the earliest (or ties with it): the host timer must fire sooner
    if (!this.roundActive && !this.turnScheduled && timers.first() === deadline && this.idle()) this.arm();
  }

  /** @internal */
  dropTimer(n: Timed): void {
    this.timers.remove(n);
  }

  /** @internal make sure a round will run soon (something became ready outside a round) */
  kick(): void {
    if (!this.roundActive && !this.turnScheduled && !this.stopped) {
      this.turnScheduled = true;
      this.host.soon(this.turnCb);
    }
  }

  private arm(): void {
    const d = this.timers.first();
    if (d === Infinity || this.stopped) this.host.clearTimer();
    else this.host.setTimer(d, this.timerCb);
  }

  private onHostTimer(): void {
    if (this.roundActive || this.turnScheduled || this.stopped) return;
    this.runRound();
  }

  private onTurn(): void {
    this.turnScheduled = false;
    if (this.stopped || this.roundActive) return;
    this.runRound();
  }

  private runRound(): void {
    this.roundActive = true;
    this.batchLeft = this.minBatch;
    this.clockAt = 0;
    if (this.reports.pending) this.reports.roundStarts();
    const now = this.host.now();
    this.batchEnd = now + this.batchMs;
    this.expireTimers(now);
    this.roundEnd = loaded === this ? runTail : this.tail;
    this.continueRound();
  }

  private expireTimers(now: number): void {
    const timers = this.timers;
    for (let n = timers.popDue(now); n !== null; n = timers.popDue(now)) {
      if (tracing) TRACE.timer(n);
      try {
        n.onTimer(this);
      } catch (e) {
        this.report(e, { message: "a timer callback failed" });
      }
    }
  }

  /**
   * @internal Run the rest of the batch (until done, or until an async task holds the round). A batch is
   * one or more rounds run back to back until `minBatch` steps have run and its `batchMs` budget is spent
   * (or nothing is ready); then control returns to the host.
   */
  continueRound(): void {
    for (;;) {
      try {
        if (this.loop()) return; // an async task holds the round; the bridge continues it
      } catch (e) {
        // a task's code threw out of its step: it failed (the loop itself goes on)
        const t = CTX.current;
        CTX.current = null;
        CTX.opFn = null;
        CTX.opArg = undefined;
        if (t !== null) this.finish(t, false, e);
        else this.report(e, { message: "internal scheduler error" });
        continue;
      }
      break;
    }
    this.roundActive = false;
    if (tracing) TRACE.idle();
    if (this.stopped) return;
    if (!this.idle() || this.reports.pending) this.kick();
    else this.arm();
  }

  /**
   * Run rounds until the batch ends; returns true if an async task now holds the round. A round runs
   * every entry that was queued when it began; the next one starts here, without a host turn, while
   * `minBatch` steps have not run (the clock is then read every round, for the timers) or, past them,
   * while the `batchMs` budget lasts (the clock is then read every {@link CLOCK_STEPS} steps: a clock
   * read costs about two generator resumes on a device).
   */
  private loop(): boolean {
    if (loaded !== this) load(this);
    const cost = this.stepCost;
    // the state the hot path takes: none when every step is charged for (a VirtualHost with stepCost)
    const fast = cost > 0 ? -1 : READY;
    let end = this.roundEnd;
    let left = this.batchLeft;
    for (;;) {
      while (end !== null) {
        left--;
        const t = runHead as Task;
        runHead = t.next;
        if (t === end) {
          end = this.roundEnd = null;
          if (runHead === null) runTail = null; // only the round's last entry can be the queue's last
        }
        if (t.st === fast) {
          const g = t.gen;
          if (g !== null) {
            // hot path: resume a generator task (after a checkpoint or a wake-up). Its `waitOn` is left as
            // it is: park() overwrites it, and the other ways out of a step clear it.
            t.st = RUNNING;
            CTX.current = t;
            if (tracing) TRACE.run(t);
            const r = (g as Gen).next(RESUME);
            if (tracing) TRACE.out(t);
            // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: a shortcut: afterStep() does nothing more for a parked or queued task
            if (r === YIELDED) {
              // an operation parked it or queued it (every operation of a generator task ends this way)
              // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: YIELDED means parked or queued (not RUNNING) with no operation left unrun; afterStep() then does nothing
              if (t.st !== RUNNING && CTX.opFn === null) continue;
            } else if (r.value === undefined && !r.done && t.st === RUNNING && t.ext === null && CTX.opFn === null) {
              // a bare `yield`: the cheapest checkpoint, back of the run queue
              t.st = READY;
              t.waitOn = null;
              t.next = null;
              if (runTail !== null) runTail.next = t;
              else runHead = t;
              runTail = t;
              continue;
            }
            CTX.current = null;
            this.afterStep(t, r);
            end = this.roundEnd; // a step that ended main stopped the scheduler: the rest of the round stays frozen
            continue;
          }
        }
        CTX.current = null;
        this.batchLeft = left;
        if (cost > 0) this.host.charge!(cost);
        if (this.slowStep(t)) return true;
        left = this.batchLeft;
        end = this.roundEnd;
      }
      // the round is over: another one in this batch?
      if (runHead === null || this.stopped || (left <= 0 && this.batchMs === 0)) break;
      if (left > 0 || left <= this.clockAt) {
        const now = this.host.now();
        if (left <= 0) {
          if (now >= this.batchEnd) break;
          this.clockAt = left - CLOCK_STEPS;
        }
        if (this.timers.first() <= now) {
          CTX.current = null;
          this.batchLeft = left;
          this.expireTimers(now);
        }
      }
      end = this.roundEnd = runTail;
    }
    this.batchLeft = left;
    CTX.current = null;
    return false;
  }

  /** Callbacks, first steps, pending throws, async tasks. Returns true if an async task now holds the round. */
  private slowStep(r: Runnable): boolean {
    if (r.st === CALLBACK) {
      if (tracing) TRACE.callback();
      (r as CallbackHandle).run(this);
      return false;
    }
    const t = r as Task;
    if (tracing) TRACE.run(t);
    if (t.st === NEW || t.st === NEW_CANCELLED) {
      if (!this.start(t)) return false;
      if (t.gen === null) return this.bridge.started(t);
    }
    if (t.gen === null) return this.bridge.resume(t);
    const throwing = t.st === READY_THROW;
    t.st = RUNNING;
    t.waitOn = null;
    CTX.current = t;
    let res: IteratorResult<unknown, unknown>;
    if (throwing) {
      const e = t.value;
      t.value = undefined;
      const x = t.ext;
      if (e === HALT) {
        // it swallowed its own cancel: end it here (finally blocks run, catch blocks cannot stop it)
        x!.halted = true;
        res = (t.gen as Gen).return(undefined);
      } else {
        if (x !== null && e === x.cancelled && e !== null) x.cancelRaised++;
        res = (t.gen as Gen).throw(e);
      }
    } else {
      res = (t.gen as Gen).next(RESUME);
    }
    if (tracing) TRACE.out(t);
    CTX.current = null;
    this.afterStep(t, res);
    return false;
  }

  /** The unusual outcomes of a generator step: finished, a bad yield, an operation started but never run. */
  private afterStep(t: Task, r: IteratorResult<unknown, unknown>): void {
    const unrun = CTX.opFn !== null;
    CTX.opFn = null;
    CTX.opArg = undefined;
    if (r.done) {
      const x = t.ext;
      if (x !== null && x.halted) this.finish(t, false, x.cancelled);
      else this.finish(t, true, r.value);
      return;
    }
    if (r.value === undefined && t.st === RUNNING && !unrun) {
      // a bare `yield` checkpoint, with a cancel pending: it is raised there
      const x = t.ext;
      if (x !== null && x.pendingCancel !== null) this.raiseCancel(t, x.pendingCancel);
      else this.yieldNow(t);
      return;
    }
    if (r.value !== PARKED || t.st === RUNNING) {
      const hint = unrun ? ' (an operation was yielded with "yield"; use "yield*")' : "";
      t.st = WAITING;
      t.waitOn = null;
      this.wakeThrow(t, new InvalidStateError(`task ${t.name} yielded ${describe(r.value)}: a generator task suspends only with "yield* operation" (or a bare "yield" as a checkpoint)${hint}`));
    } else if (unrun) {
      this.cancelInternal(t, new InvalidStateError(`task ${t.name}: an operation was started but never run (missing yield*?)`));
    }
  }

  /**
   * First step of a task: creates its generator, or calls its (async or plain) function. Returns true if
   * the task goes on: a generator task to be stepped, or an async task whose function returned a promise.
   */
  private start(t: Task): boolean {
    const fn = t.gen as (...a: unknown[]) => unknown;
    const args = t.value as unknown[];
    t.gen = null;
    t.value = undefined;
    if (t.st === NEW_CANCELLED) {
      // cancelled before it started: it never runs
      this.finish(t, false, args);
      // Stryker disable next-line BooleanLiteral: start() answers false only for a task that ended; answering true, slowStep asks the bridge, which answers false for a task that is not running
      return false;
    }
    t.st = RUNNING;
    CTX.current = t;
    // Stryker disable next-line BlockStatement: without the block, a generator function is called as a plain one below, and its generator is run the same way
    if (isGeneratorFunction(fn)) {
      t.gen = fn(...args) as Gen;
      t.st = READY;
      CTX.current = null;
      return true;
    }
    const r = fn(...args);
    CTX.current = null;
    if (isIterator(r)) {
      t.gen = r;
      t.st = READY;
      return true;
    }
    if (!isThenable(r)) {
      this.finish(t, true, r);
      // Stryker disable next-line BooleanLiteral: start() answers false only for a task that ended; answering true, slowStep asks the bridge, which answers false for a task that is not running
      return false;
    }
    this.bridge.track(t, r);
    return true;
  }

  /** @internal an async task parked (called by the operation it awaits) */
  parkedAsync(t: Task): void {
    if (tracing) TRACE.out(t);
    this.bridge.parked(t);
  }

  /** @internal */
  finish(t: Task, ok: boolean, v: unknown): void {
    if (t.st >= DONE_OK) return;
    if (tracing) TRACE.done(t, ok);
    if (t.st === WAITING && t.waitOn !== null) {
      const w = t.waitOn;
      this.hook(() => w.abortWait(t, v), t);
    }
    t.st = ok ? DONE_OK : DONE_ERR;
    t.value = v;
    t.gen = null;
    t.waitOn = null;
    t.next = null; // the round loop leaves a popped task's link as it was
    t.res = null;
    const x = t.ext;
    let seen = false;
    if (x !== null) {
      x.pendingCancel = null;
      const watchers = x.watchers;
      seen = wakeJoiners(this, t, ok, v) || (watchers !== null && watchers.length > 0);
      if (watchers !== null) {
        for (const w of watchers) {
          try {
            w.childDone(t);
          } catch (e) {
            this.report(e, { task: t, message: "a watcher of the task failed" });
          }
        }
      }
      // Stryker disable next-line BooleanLiteral: the field is read only for failures finish() deferred, which have seen false
      if (seen) x.seen = true;
    }
    if (!ok && !seen && !isCancelled(v)) this.reports.defer(t);
  }
}

/**
 * @internal The checkpoint of a generator task, without the generic operation machinery: it is the hottest
 * path of every program (round-robin switch = gen.next + this iterator's two next() calls). It lives here
 * to queue the task through the module's run-queue variables.
 */
export const CHECKPOINT = {
  [Symbol.iterator]() {
    return this;
  },
  next(x?: unknown): IteratorResult<unknown, unknown> {
    const t = CTX.current!;
    if (x === RESUME) {
      FINISHED.value = undefined;
      return FINISHED;
    }
    const ext = t.ext;
    if (ext !== null && ext.pendingCancel !== null) {
      t.sched.raiseCancel(t, ext.pendingCancel);
      return YIELDED;
    }
    t.st = READY;
    t.waitOn = null;
    // Scheduler.pushReady, inline
    t.next = null;
    const s = t.sched;
    if (loaded === s) {
      if (runTail !== null) runTail.next = t;
      else runHead = t;
      runTail = t;
    } else {
      s.pushReady(t);
    }
    return YIELDED;
  },
  throw(e: unknown): never {
    throw e;
  },
  return(v: unknown): IteratorResult<unknown, unknown> {
    return { value: v, done: true };
  },
  then(_ok: unknown, fail?: (e: unknown) => void): void {
    if (typeof fail === "function") fail(new TypeError("a checkpoint of a generator task was awaited: use yield*"));
  },
};

/** @internal validate a delay in ms (a number, not NaN); negative counts as 0 */
export function checkMs(ms: number): number {
  if (typeof ms !== "number" || ms !== ms) throw new TypeError(`a delay must be a number of milliseconds, got ${describe(ms)}`);
  return ms < 0 ? 0 : ms;
}
