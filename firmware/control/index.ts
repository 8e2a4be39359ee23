/**
 * The control plane: named tasks you can stop and restart, schedules, a RAM ring log, services, background
 * jobs, a console and a profiler. Read docs/control.md. (`./prefs-moddable` is imported on its own: it
 * needs Moddable's "preference" module.)
 */
export { TaskRegistry, Controlled, type RegistryOptions, type StopCallback, type ErrorCallback, type ControlledOwner } from "./registry";
export { statusLines, type TaskInfo, type StatusOptions } from "./status";
export { Periodic, every, everyWith, atFrequency, after, type OverrunPolicy, type PeriodicOptions } from "./schedule";
export { CronJob, cron, cronWith, cronNext, compileCron, atTime, type CronSpec, type CronField, type CompiledCron, type CronOptions } from "./cron";
export { systemWallClock, schedNow, type WallClock } from "./clock";
export { RingLog, LEVELS, formatEntry, type Level, type LogEntry, type RingLogOptions } from "./ringlog";
export { ServiceManager, Service, type ServiceDef, type ServicePhase, type RestartPolicy, type BootReport, type ServiceManagerOptions } from "./services";
export { MemoryPrefs, getJSON, setJSON, type Prefs, type PrefValue } from "./prefs";
export { Jobs, Job } from "./jobs";
// LineTooLongError is also the name drivers/uart exports: this one is ConsoleLineTooLongError here (its
// name at run time stays LineTooLongError, which is what the console matches)
export { Console, LineTooLongError as ConsoleLineTooLongError, type LineIO, type CommandFn, type CommandContext, type ConsoleOptions } from "./console";
export { parseJsonArgs, jsonProblem } from "./json-args";
export { createConsole, type ControlParts } from "./commands/index";
export { instrumentationMemory, type MemoryProvider, type InstrumentationLike } from "./commands/mem";
export { MemoryLineIO } from "./lineio-memory";
export { LineSplitter } from "./linesplit";
export { Profiler, type TaskProfile, type ProfilerOptions } from "./profiler";
export { invoke } from "./invoke";
export { StatsBoard, type StatsSource } from "./stats";
export { formatDate, formatDuration, traceback } from "./time";
