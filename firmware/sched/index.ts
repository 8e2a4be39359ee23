/**
 * The scheduler: tasks, sleeps, checkpoints, timeouts, gather, task groups.
 * Read docs/scheduler.md for the model and docs/design.md for why it is built on generators.
 */
export { run, runOn, spawn, callSoon, callLater, now, current, setDefaultHost } from "./api";
export { sleep, sleepMs, sleepUntil, checkpoint } from "./sleep";
export { failAfter, moveOnAfter, waitFor, shield, type MoveOnResult } from "./timeout";
export { gather, type GatherItem, type GatherOptions } from "./gather";
export { taskGroup, TaskGroup, type TaskStatus } from "./group";
export { external } from "./external";
export { op, ready, currentTaskOrNull, currentTask, outsideTask, PARKED, type Op, type OpFn } from "./op";
export { Scheduler, CallbackHandle, activeScheduler, type ExceptionHandler } from "./scheduler";
export { Task, type Gen, type TaskFn, type Waitable, type TaskWatcher } from "./task";
export { WaitQueue } from "./waitqueue";
export { TRACE, TaskTrace, traceLabel, waitLabel, dumpLines, RECORD_BYTES, TYPE_NAMES, type TraceRecord, type TraceStartOptions } from "./trace";
export { VirtualHost, type VirtualHostOptions } from "./virtual";
export type { Host } from "./host";
// Named, not `export *`: Node ESM code importing this CommonJS-scope module sees only the names that
// cjs-module-lexer finds, and it cannot follow a re-export star.
export { CancelledError, TimeoutError, WouldBlock, ClosedError, BusyError, InvalidStateError, TaskGroupError, nameErrorClass, isCancelled, isTimeout } from "./errors";
/** An operation from one generator body, for both kinds of task (how timeouts and task groups are built; apps use it for their own composite operations, e.g. a LineIO's readLine). */
export { composite } from "./body";
