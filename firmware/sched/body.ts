import { InvalidStateError } from "./errors";
import { PARKED, RESUME, pendingCancel, resumeOf, type Op } from "./op";
import { checkpoint } from "./sleep";
import { DRIVEN, type Gen, type Task } from "./task";
import { external } from "./external";
import { describe, isAsyncFunction, isGeneratorFunction, isIterator, isThenable } from "./util";

type Fn = (...args: any[]) => unknown;

/** Told about the child task a body runs in when it cannot run in the calling task (ManagedResource records it). */
export type OnChild = (child: Task) => void;

function child(t: Task, c: Task, onChild: OnChild | undefined): Op<unknown> {
  // (callers check the pending cancel before spawning, so a cancelled task starts no child)
  if (onChild !== undefined) onChild(c);
  return t.sched.join(c);
}


/** What a driven body yields to have the driver call `fn(...args)` as async code and await it in the task. */
class AwaitCall {
  constructor(readonly fn: Fn, readonly args: unknown[]) {}
}

/**
 * Composite operations (timeouts, task groups, locks held around a block) run the user's block in the
 * calling task: a `function*` inline, and in an async task an async or plain function too (awaited in the
 * task). Only an async block in a generator task runs in a joined child task (a generator cannot await);
 * a join passes cancellation on to the child, so both behave the same.
 */
export function* callGen(t: Task, fn: Fn, args: unknown[], onChild?: OnChild): Gen<unknown> {
  if (isGeneratorFunction(fn)) return yield* (fn(...args) as Gen);
  if (pendingCancel(t) !== null) yield* checkpoint(); // raises it: a cancelled task starts no child
  if ((t.gen as unknown) === DRIVEN) return yield new AwaitCall(fn, args);
  if (isAsyncFunction(fn)) return yield* child(t, t.sched.spawnTask(`${t.name}/block`, fn, args), onChild);
  // a plain function: call it here; a generator it returns runs in this task, a promise is awaited as external
  const r = fn(...args);
  if (isIterator(r)) return yield* r;
  if (isThenable(r)) return yield* external(r);
  return r;
}

/**
 * Run a composite operation's one generator body in an async task: step it with the task in generator
 * mode (its operations park the task and yield), await each resume as an async operation would, and await
 * the user's async blocks in the task. So every composite has one body, written as a generator, for both
 * kinds of task.
 */
export async function drive<R>(t: Task, g: Gen<R>): Promise<R> {
  let throwing = false;
  let arg: unknown = undefined;
  for (;;) {
    let r: IteratorResult<unknown, R>;
    t.sched.bridge.hops = 0; // progress: the composite's operations run in this step
    t.gen = DRIVEN;
    try {
      r = throwing ? g.throw(arg) : g.next(arg);
    } finally {
      t.gen = null;
    }
    if (r.done) return r.value;
    const v = r.value;
    try {
      if (v === PARKED) {
        t.value = await resumeOf(t); // the operation's result, read by its iterator on RESUME
        arg = RESUME;
      } else if (v instanceof AwaitCall) {
        const x = v.fn(...v.args);
        arg = isIterator(x) ? await drive(t, x) : await x;
      } else {
        throw new InvalidStateError(`task ${t.name}: a composite's body yielded ${describe(v)}`);
      }
      throwing = false;
    } catch (e) {
      arg = e;
      throwing = true;
    }
  }
}

/**
 * Pick the form of a composite for the calling task: its generator body, or the body driven by
 * {@link drive}. Like every operation, a composite raises a pending cancel before it does anything (a lock
 * is not taken, a group starts no child, a barrier round is not completed), unless it is `shielded` (shield()
 * itself, which holds the cancel back).
 */
export function composite<R>(t: Task, gen: () => Gen<R>, shielded = false): Op<R> {
  const g = !shielded && pendingCancel(t) !== null ? cancelFirst(gen) : gen();
  return (t.gen !== null ? g : drive(t, g)) as unknown as Op<R>;
}

function* cancelFirst<R>(gen: () => Gen<R>): Gen<R> {
  yield* checkpoint(); // raises the pending cancel
  return yield* gen();
}

/** Something acquired and released around a block (Lock, Semaphore). */
export interface Acquirable {
  acquire(): Op<void>;
  release(): void;
}

/**
 * Run `fn(...args)` in the calling task holding `r`, and release it however the block ends (return,
 * error, cancel). If the wait to acquire is cancelled, nothing is released.
 */
export function holding<R>(t: Task, r: Acquirable, fn: Fn, args: unknown[]): Op<R> {
  return composite(t, () => holdGen(t, r, fn, args) as Gen<R>);
}

function* holdGen(t: Task, r: Acquirable, fn: Fn, args: unknown[]): Gen<unknown> {
  yield* r.acquire();
  try {
    return yield* callGen(t, fn, args);
  } finally {
    r.release();
  }
}
