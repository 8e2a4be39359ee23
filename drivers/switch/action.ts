import { type Scheduler, isTaskFunction } from "../../firmware/sched/kernel";

/**
 * What a driver does when something happens (a switch closes, a button is double-clicked): a plain
 * function is called (in the driver's task; an error goes to the scheduler's exception handler and the
 * driver goes on), a generator or async function is started as a new task (independent of the driver:
 * closing the driver does not cancel it), an object with `set()` (an Event, a ThreadSafeFlag) is set
 * (the user clears an Event), and null or undefined does nothing.
 */
export type Action = ((...args: any[]) => unknown) | { set(): void } | null | undefined;

/** @internal a TypeError now rather than a surprise later */
export function checkAction(a: unknown, what: string): Action {
  if (a === null || a === undefined || typeof a === "function") return a as Action;
  if (typeof a === "object" && typeof (a as { set?: unknown }).set === "function") return a as Action;
  throw new TypeError(`${what} must be a function, a task function, an Event (anything with set()) or null`);
}


/** @internal run an action (see {@link Action}) */
export function launch(sched: Scheduler, a: Action, args: readonly unknown[], what: string): void {
  if (a === null || a === undefined) return;
  if (typeof a !== "function") {
    a.set();
    return;
  }
  if (isTaskFunction(a)) {
    sched.spawnTask(what, a, args.slice());
    return;
  }
  try {
    a(...args);
  } catch (e) {
    sched.report(e, { message: `${what} action failed` });
  }
}
