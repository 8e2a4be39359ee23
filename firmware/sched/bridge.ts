import { InvalidStateError } from "./errors";
import { CTX, rejecting } from "./op";
import type { Scheduler } from "./scheduler";
import { RUNNING, READY_THROW, type Task } from "./task";

/**
 * Promise-job generations a resumed async task may take to reach its next scheduler operation (or its
 * end) before it counts as waiting for something else. Each `await` of an async helper that returns
 * costs one generation (three if it returns a promise), so this allows helpers nested ~30 deep. Only a
 * task that waits for a promise the scheduler does not settle (a timer, IO, a network reply) gets here.
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
 */
export class AsyncBridge {
  /** The async task holding the round, or null. */
  holder: Task | null = null;
  /** promise-job generations the current hold has lasted */
  private hops = 0;
  /** a probe job is queued (one chain serves every hold: nothing is allocated per resume) */
  private probing = false;
  /** the holder parked: the next probe job continues the round */
  private continuing = false;
  private readonly probeCb = (): void => this.probe();

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
    t.st = RUNNING;
    t.waitOn = null;
    t.value = undefined;
    if (res === null) {
      this.s.finish(t, false, new InvalidStateError(`task ${t.name} was resumed with no pending operation`));
      return false;
    }
    // settle first, so the task's continuation is queued before the probe
    res(throwing ? rejecting(v) : v);
    this.hold(t);
    return true;
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
