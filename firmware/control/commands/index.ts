import { Console, type ConsoleOptions, type LineIO } from "../console";
import type { Jobs } from "../jobs";
import type { Profiler } from "../profiler";
import type { TaskRegistry } from "../registry";
import type { RingLog } from "../ringlog";
import type { ServiceManager } from "../services";
import type { StatsBoard } from "../stats";
import { installEvalCommand } from "./eval";
import { installJobCommands } from "./jobs";
import { installLogCommands } from "./log";
import { installMemCommand, type MemoryProvider } from "./mem";
import { installServiceCommands } from "./services";
import { installTaskCommands } from "./tasks";
import { installTraceCommands } from "./trace";

/** What the built-in commands work on (each part is optional: its commands are left out without it). */
export interface ControlParts extends ConsoleOptions {
  registry?: TaskRegistry;
  log?: RingLog;
  services?: ServiceManager;
  jobs?: Jobs;
  profiler?: Profiler;
  /** Driver counters for `stats`. */
  stats?: StatsBoard;
  /** Memory figures for `mem` (default: an `Instrumentation` global if there is one, else "not available"). */
  memory?: MemoryProvider;
  /**
   * The log is already printed where this console is (npm start's terminal): `log follow` says so
   * instead of printing every record a second time.
   */
  logOnConsole?: boolean;
}

/**
 * A {@link Console} with the built-in commands for the parts given: help, ps/tasks, stop, start, restart,
 * top, log, services, service, jobs, stats, mem, eval, trace.
 * @example spawn("console", createConsole(io, { registry, log, services, jobs }).run)
 */
export function createConsole(io: LineIO, parts: ControlParts = {}): Console {
  const con = new Console(io, parts);
  if (parts.registry !== undefined) installTaskCommands(con, parts.registry, parts.profiler);
  if (parts.log !== undefined) installLogCommands(con, parts.log, parts.logOnConsole === true);
  if (parts.services !== undefined) installServiceCommands(con, parts.services);
  if (parts.jobs !== undefined) installJobCommands(con, parts.jobs);
  const board = parts.stats;
  if (board !== undefined) con.register("stats", "stats: every driver's counters, and the timer-queue size", () => board.lines(), 0);
  installMemCommand(con, parts.memory);
  installEvalCommand(con);
  installTraceCommands(con);
  return con;
}
