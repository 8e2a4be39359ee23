/**
 * The runtime's error types, in one place (trio's `Cancelled`/`TooSlowError`, Embassy's small typed errors).
 *
 * Each class carries its `name` on its own prototype, defined once when the module loads. Assigning
 * `this.name = ...` in a constructor would throw on a Moddable device: its preloaded intrinsics are frozen,
 * so `Error.prototype.name` is read-only and an assignment on an instance hits the "override mistake".
 * `err.name` still identifies the class across bundles (see {@link isCancelled}).
 */

function named<C extends abstract new (...a: any[]) => Error>(cls: C, name: string): C {
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
  return cls;
}

/** Thrown into a task at its wait point when the task (or an enclosing scope) is cancelled. */
export class CancelledError extends Error {
  constructor(message = "cancelled") {
    super(message);
  }
}
named(CancelledError, "CancelledError");

/** A deadline passed: `failAfter`, `waitFor` and every wait given a timeout raise this. */
export class TimeoutError extends Error {
  constructor(message = "timed out") {
    super(message);
  }
}
named(TimeoutError, "TimeoutError");

/** A non-blocking operation could not proceed now (the `*Nowait` twins of blocking operations). */
export class WouldBlock extends Error {
  constructor(message = "operation would block") {
    super(message);
  }
}
named(WouldBlock, "WouldBlock");

/** The object was closed; pending and later waits end with this. */
export class ClosedError extends Error {
  constructor(message = "closed") {
    super(message);
  }
}
named(ClosedError, "ClosedError");

/** A resource is held by someone else and the caller asked not to wait. */
export class BusyError extends Error {
  constructor(message = "busy") {
    super(message);
  }
}
named(BusyError, "BusyError");

/** An operation was used in a state where it has no meaning (releasing an unheld lock, a second waiter...). */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
  }
}
named(InvalidStateError, "InvalidStateError");

/** Several children of a task group failed; `errors` lists them in the order they failed. */
export class TaskGroupError extends Error {
  readonly errors: unknown[];
  constructor(errors: unknown[]) {
    super(`${errors.length} tasks failed: ` + errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join("; "));
    this.errors = errors;
  }
}
named(TaskGroupError, "TaskGroupError");

/** Give an Error subclass of your own its `name` the device-safe way (on its prototype, once). */
export { named as nameErrorClass };

function hasName(e: unknown, name: string): boolean {
  return e !== null && typeof e === "object" && (e as { name?: unknown }).name === name;
}

/** True for a CancelledError (by class or by name, so errors crossing bundles still match). */
export function isCancelled(e: unknown): e is CancelledError {
  return e instanceof CancelledError || hasName(e, "CancelledError");
}

/** True for a TimeoutError (by class or by name, so errors crossing bundles still match). */
export function isTimeout(e: unknown): e is TimeoutError {
  return e instanceof TimeoutError || hasName(e, "TimeoutError");
}
