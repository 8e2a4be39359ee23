import { InvalidStateError } from "./errors";
import type { Host } from "./host";
import { currentTask, currentTaskOrNull } from "./op";
import { Scheduler, activeScheduler, type CallbackHandle } from "./scheduler";
import type { Gen, Task } from "./task";

let defaultHost: Host | null = null;

/** Install the host `run()` uses when none is given (the platform module does this on import). */
export function setDefaultHost(h: Host): void {
  defaultHost = h;
}

/**
 * Start a scheduler on the platform's host, run `fn(...args)` as its main task, and resolve with its
 * result. Pass the function and its arguments, never a promise or generator object.
 * @example run(main, config).catch((e) => trace(`${e}\n`));
 */
export function run<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Promise<R> {
  if (defaultHost === null) {
    throw new InvalidStateError("no host installed: import the platform module first (firmware/platform/moddable on a device, host/node-host on Node) or use runOn(host, fn, ...args)");
  }
  return new Scheduler(defaultHost).run(fn, ...args);
}

/** Like {@link run} with an explicit host (a VirtualHost in tests). */
export function runOn<A extends unknown[], R>(host: Host, fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Promise<R> {
  return new Scheduler(host).run(fn, ...args);
}

function scheduler(): Scheduler {
  const t = currentTaskOrNull();
  return t !== null ? t.sched : activeScheduler();
}

/**
 * Start `fn(...args)` as a new task, optionally named: `spawn("blink", blink, led)`. The task starts
 * running once the caller yields. Returns its handle (cancel(), join(), done, result).
 */
export function spawn<A extends unknown[], R>(fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Task<R>;
export function spawn<A extends unknown[], R>(name: string, fn: (...args: A) => Gen<R> | PromiseLike<R> | R, ...args: A): Task<R>;
export function spawn(a: unknown, ...rest: unknown[]): Task {
  const named = typeof a === "string";
  const fn = (named ? rest.shift() : a) as (...x: unknown[]) => unknown;
  return scheduler().spawnTask(named ? (a as string) : undefined, fn, rest);
}

/** Run `fn(...args)` on the scheduler's next round (safe from IO callbacks). */
export function callSoon(fn: (...args: any[]) => void, ...args: unknown[]): CallbackHandle {
  return scheduler().callSoon(fn, ...args);
}

/** Run `fn(...args)` after `ms` ms (safe from IO callbacks). */
export function callLater(ms: number, fn: (...args: any[]) => void, ...args: unknown[]): CallbackHandle {
  return scheduler().callLater(ms, fn, ...args);
}

/** The scheduler's clock in ms. */
export function now(): number {
  return scheduler().now();
}

/** The running task (throws outside tasks). */
export function current(): Task {
  return currentTask();
}
