import { pendingCancel, type Op } from "./op";
import { checkpoint } from "./sleep";
import type { Gen, Task } from "./task";
import { external } from "./external";
import { isAsyncFunction, isGeneratorFunction, isIterator, isThenable } from "./util";

type Fn = (...args: any[]) => unknown;

/** Told about the child task a body runs in when it cannot run in the calling task (ManagedResource records it). */
export type OnChild = (child: Task) => void;

function child(t: Task, c: Task, onChild: OnChild | undefined): Op<unknown> {
  // (callers check the pending cancel before spawning, so a cancelled task starts no child)
  if (onChild !== undefined) onChild(c);
  return t.sched.join(c);
}

function label(t: Task, _fn: Fn): string {
  return `${t.name}/block`;
}

/**
 * Composite operations (timeouts, task groups) run the user's block in the calling task when its kind
 * matches the task's (a `function*` in a generator task, an async function in an async task) and in a
 * joined child task otherwise. A join passes cancellation on to the child, so both behave the same.
 */
export function* callGen(t: Task, fn: Fn, args: unknown[], onChild?: OnChild): Gen<unknown> {
  if (isGeneratorFunction(fn)) return yield* (fn(...args) as Gen);
  if (pendingCancel(t) !== null) yield* checkpoint(); // raises it: a cancelled task starts no child
  if (isAsyncFunction(fn)) return yield* child(t, t.sched.spawnTask(label(t, fn), fn, args), onChild);
  // a plain function: call it here; a generator it returns runs in this task, a promise is awaited as external
  const r = fn(...args);
  if (isIterator(r)) return yield* r;
  if (isThenable(r)) return yield* external(r);
  return r;
}

/** The async twin of {@link callGen}. */
export async function callAsync(t: Task, fn: Fn, args: unknown[], onChild?: OnChild): Promise<unknown> {
  if (pendingCancel(t) !== null) await checkpoint();
  if (isGeneratorFunction(fn)) return await child(t, t.sched.spawnTask(label(t, fn), fn, args), onChild);
  const r = fn(...args);
  if (isIterator(r)) return await child(t, t.sched.spawnGen(label(t, fn), r), onChild);
  return await r;
}

/** Pick the generator or async form of a composite for the calling task. */
export function composite<R>(t: Task, gen: () => Gen<R>, async: () => Promise<R>): Op<R> {
  return (t.gen !== null ? gen() : async()) as unknown as Op<R>;
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
  return composite(t, () => holdGen(t, r, fn, args) as Gen<R>, () => holdAsync(t, r, fn, args) as Promise<R>);
}

function* holdGen(t: Task, r: Acquirable, fn: Fn, args: unknown[]): Gen<unknown> {
  yield* r.acquire();
  try {
    return yield* callGen(t, fn, args);
  } finally {
    r.release();
  }
}

async function holdAsync(t: Task, r: Acquirable, fn: Fn, args: unknown[]): Promise<unknown> {
  await r.acquire();
  try {
    return await callAsync(t, fn, args);
  } finally {
    r.release();
  }
}
