/**
 * The runtime's error types, in one place (trio's `Cancelled`/`TooSlowError`, Embassy's small typed errors).
 * Every class sets `name`, so `err.name` identifies it across bundles and on XS.
 */

/** Thrown into a task at its wait point when the task (or an enclosing scope) is cancelled. */
export class CancelledError extends Error {
  constructor(message = "cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}

/** A deadline passed: `failAfter`, `waitFor` and every wait given a timeout raise this. */
export class TimeoutError extends Error {
  constructor(message = "timed out") {
    super(message);
    this.name = "TimeoutError";
  }
}

/** A non-blocking operation could not proceed now (the `*Nowait` twins of blocking operations). */
export class WouldBlock extends Error {
  constructor(message = "operation would block") {
    super(message);
    this.name = "WouldBlock";
  }
}

/** The object was closed; pending and later waits end with this. */
export class ClosedError extends Error {
  constructor(message = "closed") {
    super(message);
    this.name = "ClosedError";
  }
}

/** A resource is held by someone else and the caller asked not to wait. */
export class BusyError extends Error {
  constructor(message = "busy") {
    super(message);
    this.name = "BusyError";
  }
}

/** An operation was used in a state where it has no meaning (releasing an unheld lock, a second waiter...). */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidStateError";
  }
}

/** Several children of a task group failed; `errors` lists them in the order they failed. */
export class TaskGroupError extends Error {
  readonly errors: unknown[];
  constructor(errors: unknown[]) {
    super(`${errors.length} tasks failed: ` + errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join("; "));
    this.name = "TaskGroupError";
    this.errors = errors;
  }
}

/** True for a CancelledError (by class or by name, so errors crossing bundles still match). */
export function isCancelled(e: unknown): e is CancelledError {
  return e instanceof CancelledError || (e instanceof Error && e.name === "CancelledError");
}
