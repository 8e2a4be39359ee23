import { external, spawn, type Gen, type TaskFn, isAsyncFunction, isGeneratorFunction, isThenable } from "../sched/kernel";

/**
 * Run `fn(...args)` to completion from a generator task and return its result: a generator function runs
 * inline (`yield*`), a plain function is called, an async function (or any function returning a promise)
 * runs as a child task that is joined (cancelling the caller cancels it). `name` names that child.
 */
export function* invoke<R>(name: string, fn: TaskFn<any[], R>, args: unknown[]): Gen<R> {
  if (isGeneratorFunction(fn)) return yield* (fn(...args) as Gen<R>);
  if (isAsyncFunction(fn)) return yield* spawn(name, fn, ...args).join();
  const r = fn(...args);
  if (isThenable(r)) return yield* external(r as PromiseLike<R>); // a plain function returning a foreign promise
  return r as R;
}
