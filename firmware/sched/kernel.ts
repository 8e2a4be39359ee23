/**
 * The kernel interface: the one module through which code that builds on the scheduler reaches it. The
 * primitives (firmware/sync), the drivers, the control plane, and a primitive or driver of your own import
 * from here, never from the scheduler's other files.
 *
 * It is the public API (./index: tasks, sleeps, timeouts, errors, `op`, `PARKED`, `WaitQueue`, `Task`,
 * `Waitable`, `composite`) plus the few internals that building blocks need:
 * - `CTX` and `GEN_OP`: a hot primitive may take `op()`'s generator branch inline (one call less per wait);
 *   `Event.wait()` and `sleepMs` show how, and `op()` must still handle every other case;
 * - `pendingCancel(task)`: the cancel a task's next operation will raise (for loops that must stop early);
 * - `holding(waitable, body)` and `callGen`: the building blocks of composites that hold a primitive;
 * - `DONE_OK`: the first of the finished states (`task.st >= DONE_OK` is "done" without a getter call);
 * - the type tests the scheduler itself uses to tell task functions apart (`isGeneratorFunction`, ...).
 *
 * How a primitive blocks: an operation body `(task, arg) => value | PARKED` decides at once or parks the
 * task on a Waitable (`task.sched.park(task, waitable)`) after linking it somewhere (a `WaitQueue`); the
 * primitive later calls `task.sched.wake(task, value)` or `wakeThrow(task, error)`. The Waitable's
 * `abortWait(task, reason)` unlinks a cancelled waiter, and its optional `undoWake(task)` takes back a
 * wake-up the cancel overtook. docs/primitives.md, "Writing your own primitive", walks through one.
 */
export {
  run, runOn, spawn, callSoon, callLater, now, current, setDefaultHost,
  sleep, sleepMs, sleepUntil, checkpoint,
  failAfter, moveOnAfter, waitFor, shield, type MoveOnResult,
  gather, type GatherItem, type GatherOptions,
  taskGroup, TaskGroup, type TaskStatus,
  external,
  op, ready, currentTaskOrNull, currentTask, outsideTask, PARKED, type Op, type OpFn,
  Scheduler, CallbackHandle, activeScheduler, type ExceptionHandler,
  Task, type Gen, type TaskFn, type Waitable, type TaskWatcher,
  WaitQueue,
  TRACE, TaskTrace, traceLabel, waitLabel, dumpLines, RECORD_BYTES, TYPE_NAMES, type TraceRecord, type TraceStartOptions,
  VirtualHost, type VirtualHostOptions,
  type Host,
  CancelledError, TimeoutError, WouldBlock, ClosedError, BusyError, InvalidStateError, TaskGroupError, nameErrorClass, isCancelled, isTimeout,
  composite,
} from "./index";
export { CTX, GEN_OP, pendingCancel } from "./op";
export { DONE_OK } from "./task";
export { callGen, holding } from "./body";
export { describe, isAsyncFunction, isGeneratorFunction, isTaskFunction, isThenable } from "./util";
