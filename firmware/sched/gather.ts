import { isCancelled } from "./errors";
import { currentTask, op, type Op } from "./op";
import { DONE_OK, DONE_ERR, type Task, type TaskWatcher, type Waitable } from "./task";

/** An entry of {@link gather}: a task, or a function with no arguments to run as a child task. */
export type GatherItem = Task | ((...a: never[]) => unknown);

/** Options of {@link gather}. */
export interface GatherOptions {
  /** Put errors in the results instead of raising the first one (asyncio's return_exceptions). */
  returnExceptions?: boolean;
}

class Slot implements TaskWatcher {
  constructor(readonly g: Gathering, readonly i: number) {}
  childDone(c: Task): void {
    this.g.done(this.i, c);
  }
}

class Gathering implements Waitable {
  readonly results: unknown[];
  pending = 0;
  owner: Task | null = null;
  cancelling: unknown = null;
  failed = false;
  constructor(readonly tasks: Task[], readonly returnExceptions: boolean) {
    // Stryker disable next-line ArrayDeclaration: every index is written (done() or gatherBody) before the array is handed out
    this.results = new Array(tasks.length);
  }

  done(i: number, c: Task): void {
    this.results[i] = c.value;
    this.pending--;
    const owner = this.owner;
    if (owner === null) {
      // the gather already raised its first failure: a later one is reported, never dropped
      if (this.failed && c.st === DONE_ERR && !isCancelled(c.value)) {
        c.sched.report(c.value, { task: c, message: "failed after its gather had already failed" });
      }
      return;
    }
    if (this.cancelling === null && c.st === DONE_ERR && !this.returnExceptions && !this.failed) {
      // first failure: raised at once; the siblings keep running (MicroPython's gather)
      this.failed = true;
      this.owner = null;
      owner.sched.wakeThrow(owner, c.value);
      return;
    }
    if (this.pending === 0) this.finish(owner);
  }

  finish(owner: Task): void {
    this.owner = null;
    if (this.cancelling !== null) owner.sched.wakeThrow(owner, this.cancelling);
    else owner.sched.wake(owner, this.results);
  }

  abortWait(owner: Task, reason: unknown): boolean {
    // cancelling the gather cancels its children; the owner gets the cancel once they have all finished
    this.cancelling = reason;
    for (const c of this.tasks) owner.sched.cancelTask(c, reason); // (it skips finished tasks)
    // Stryker disable next-line BlockStatement: the owner is woken (no longer waiting) once pending reaches 0, and cancelling children finishes none synchronously, so abortWait never sees 0
    if (this.pending === 0) {
      this.owner = null;
      // Stryker disable next-line BooleanLiteral: the owner is woken (no longer waiting) once pending reaches 0, and cancelling children finishes none synchronously, so abortWait never sees 0
      return false;
    }
    return true;
  }
}

function gatherBody(t: Task, g: Gathering): unknown {
  for (let i = 0; i < g.tasks.length; i++) {
    const c = g.tasks[i]!;
    if (c.st >= DONE_OK) {
      if (c.st === DONE_ERR && !g.returnExceptions) throw c.value;
      g.results[i] = c.value;
    } else {
      g.pending++;
      t.sched.watch(c, new Slot(g, i));
    }
  }
  if (g.pending === 0) return g.results;
  g.owner = t;
  return t.sched.park(t, g);
}

/**
 * Wait for several tasks; results come in argument order (`gather()` of nothing gives []). Functions are
 * started as child tasks. Without `returnExceptions` the first error is raised at once and the others
 * keep running; with it, errors take their place in the results. Cancelling the caller cancels every
 * child and raises CancelledError once they have all finished.
 * @example const [a, b] = yield* gather([() => read(1), () => read(2)])
 */
export function gather(items: GatherItem[], opts: GatherOptions = {}): Op<unknown[]> {
  const t = currentTask();
  if (!Array.isArray(items)) throw new TypeError("gather takes an array of tasks or functions");
  const tasks = items.map((it, i) => {
    if (typeof it === "function") return t.sched.spawnTask(`${t.name}/gather${i}`, it as (...a: unknown[]) => unknown, []);
    if (it !== null && typeof it === "object" && (it as Task).sched === t.sched) return it as Task;
    throw new TypeError(`gather item ${i} is neither a task of this scheduler nor a function`);
  });
  return op<unknown[], Gathering>(gatherBody, new Gathering(tasks, opts.returnExceptions === true));
}

