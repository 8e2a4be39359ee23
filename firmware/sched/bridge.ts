import { InvalidStateError } from "./errors";
import { CTX } from "./op";
import type { Scheduler } from "./scheduler";
import { RUNNING, READY_THROW, type Task } from "./task";

/**
 * Promise-job generations a resumed async task may take between two scheduler operations (or before its
 * end) before it counts as waiting for something else. Entering an operation is progress and starts the
 * count again, so any number of operations that complete at once (a Queue with room, a set Event) may
 * follow each other. Each `await` of an async helper that returns costs one generation (three if it
 * returns a promise), so this allows helpers nested ~30 deep between two operations. Only a task that
 * waits for a promise the scheduler does not settle (a timer, IO, a network reply) gets here.
 */
export const PROBE_GENERATIONS = 100;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The async-task bridge. An async task runs between two scheduler operations as promise jobs; while it
 * does, it holds the round: `CTX.current` names it, and no other task runs. The hold ends when the task
 * parks in its next operation or its function settles. Then the round goes on from a fresh promise job
 * (not from inside the task's call, which keeps the JS stack shallow).
 *
 * Nothing here depends on how the host orders promise jobs against its timer and IO callbacks
 * (Moddable's main loop runs timers between promise-job generations; Node drains every job first). The
 * one question, "is the task still on its way to its next operation?", is answered by a probe: a promise
 * job queued right after the task's continuation, which re-queues itself once per generation. In any
 * FIFO job queue the probe of generation k runs after the task's job of generation k, so a task that
 * parks or ends within {@link PROBE_GENERATIONS} generations is always seen doing so. A task that is
 * still running after that awaits a foreign promise: it fails with an error naming it, and the round
 * goes on. Foreign promises go through `external()`, which is an operation.
 *
 * A task resumes in the promise job that follows the one its settle queued, and other jobs may be queued
 * before both (the continuation of a task that was failed or abandoned, woken by its foreign promise).
 * So `CTX.current` names the resumed task only from an arming job queued right before its continuation:
 * code that runs earlier sees no task, and a dead task's next operation raises instead of running as
 * the task that holds the round.
 */
export class AsyncBridge {
  /** The async task holding the round, or null. */
  holder: Task | null = null;
  /** @internal promise-job generations since the holder last entered an operation (see PROBE_GENERATIONS) */
  hops = 0;
  /** the resumed holder whose arming job has not run yet: it is not current until then */
  private arming: Task | null = null;
  /** the next probe job arms the holder (it was queued right before the holder's continuation) */
  private probeArms = false;
  /** a probe job is queued (one chain serves every hold: nothing is allocated per resume) */
  private probing = false;
  /** the holder parked: the next probe job continues the round */
  private continuing = false;
  private readonly probeCb = (): void => this.probe();
  private readonly armCb = (): void => this.arm();
  /** resolves an async task's pending promise so that its `await` throws (see resume) */
  private readonly rejectWith = (e: unknown): PromiseLike<never> => {
    const bridge = this;
    return {
      then(_ok: unknown, fail?: (e: unknown) => void): void {
        // runs in its own job; the task's continuation is queued by fail(): arm right before it
        void RESOLVED.then(bridge.armCb);
        if (typeof fail === "function") fail(e);
      },
    } as PromiseLike<never>;
  };

  constructor(private readonly s: Scheduler) {}

  /** The first call of an async task's function returned `r`: its settlement ends the task. */
  track(t: Task, r: PromiseLike<unknown>): void {
    r.then(
      (v) => this.done(t, true, v),
      (e) => this.done(t, false, e),
    );
  }

  /** After the first call: hold the round if the task did not park in its first slice. */
  started(t: Task): boolean {
    if (t.st !== RUNNING) return false;
    this.hold(t);
    return true;
  }

  /** Resume a parked async task by settling the promise of the operation it awaits; hold the round. */
  resume(t: Task): boolean {
    const res = t.res;
    t.res = null;
    const throwing = t.st === READY_THROW;
    const v = t.value;
    const x = t.ext;
    if (throwing && x !== null && v === x.cancelled && v !== null) x.cancelRaised++;
    t.st = RUNNING;
    t.waitOn = null;
    t.value = undefined;
    // Stryker disable next-line BlockStatement: unreachable guard: every park of an async task goes through resumeOf(), which stores the resolve function
    if (res === null) {
      // Stryker disable next-line BooleanLiteral,StringLiteral: unreachable guard: every park of an async task goes through resumeOf(), which stores the resolve function
      this.s.finish(t, false, new InvalidStateError(`task ${t.name} was resumed with no pending operation`));
      // Stryker disable next-line BooleanLiteral: unreachable guard: every park of an async task goes through resumeOf(), which stores the resolve function
      return false;
    }
    this.holder = t;
    this.hops = 0;
    this.arming = t;
    CTX.current = null; // until the arming job: see the class comment
    if (throwing) {
      res(this.rejectWith(v));
    } else if (!this.probing) {
      // the probe, queued right before the continuation, arms it (no job of its own)
      this.probeArms = true;
      this.probing = true;
      void RESOLVED.then(this.probeCb);
      res(v);
      return true;
    } else {
      void RESOLVED.then(this.armCb);
      res(v);
    }
    if (!this.probing) {
      this.probing = true;
      void RESOLVED.then(this.probeCb);
    }
    return true;
  }

  /** The job right before a resumed holder's continuation: from now on it is the current task. */
  private arm(): void {
    const t = this.arming;
    this.arming = null;
    if (t !== null && this.holder === t) CTX.current = t;
  }

  /** The task called an operation that parked it. */
  parked(t: Task): void {
    if (this.holder !== t) return; // its first slice: start() sees it
    this.release();
    // the probe job queued behind the task's continuation goes on with the round (no job of its own)
    this.continuing = true;
  }

  private hold(t: Task): void {
    this.holder = t;
    CTX.current = t;
    this.hops = 0;
    if (!this.probing) {
      this.probing = true;
      void RESOLVED.then(this.probeCb);
    }
  }

  /**
   * One generation of the probe: when the holder has parked, continues the round (from this fresh job,
   * which keeps the JS stack shallow); re-queues itself while the holder is within PROBE_GENERATIONS, and
   * fails the holder after that. A chain still queued from an earlier
   * hold serves the next one (it may count one generation early: the limit is one shorter, no more).
   */
  private probe(): void {
    if (this.probeArms) {
      this.probeArms = false;
      this.arm();
    }
    const t = this.holder;
    if (t === null) {
      this.probing = false;
      if (this.continuing) {
        this.continuing = false;
        this.s.continueRound();
      }
      return;
    }
    if (++this.hops < PROBE_GENERATIONS) {
      void RESOLVED.then(this.probeCb);
      return;
    }
    this.probing = false;
    this.release();
    this.s.finish(t, false, new InvalidStateError(
      `task ${t.name} awaited something that is not a scheduler operation: wrap foreign promises with external(promise)`,
    ));
    this.s.continueRound();
  }

  private release(): void {
    this.holder = null;
    this.arming = null;
    this.probeArms = false;
    CTX.current = null;
  }

  private done(t: Task, ok: boolean, v: unknown): void {
    this.s.finish(t, ok, v);
    if (this.holder === t) {
      this.release();
      this.s.continueRound();
    }
  }
}
