import { checkpoint, type Gen } from "../../sched/kernel";
import type { Console } from "../console";
import type { Profiler } from "../profiler";
import type { TaskRegistry } from "../registry";
import { jsonProblem, parseJsonArgs } from "../json-args";
import { show } from "../time";

function needName(args: string[], usage: string): string {
  if (args.length === 0) throw new TypeError(`usage: ${usage}`);
  return args[0]!;
}

/** `ps`/`tasks`, `stop`, `start`, `restart` (and `top` with a profiler). */
export function installTaskCommands(con: Console, reg: TaskRegistry, profiler?: Profiler): void {
  const ps = ({ args }: { args: string[] }): string[] => {
    const verbose = args[0] === "-v";
    const names = args.filter((a) => a !== "-v");
    const lines = reg.status({ verbose: verbose || names.length > 0, ...(names.length > 0 ? { names } : {}) });
    return lines.length > 0 ? lines : ["(no tasks)"];
  };
  con.register("ps", "ps [-v] [NAME...]: the tasks and their state (-v or names: details)", ps);
  con.register("tasks", "tasks [-v] [NAME...]: same as ps", ps);
  con.register("stop", "stop NAME: cancel a task", ({ args, console }) => {
    const n = needName(args, "stop NAME");
    const c = reg.get(n);
    if (c !== undefined && c.task !== null && c.task === console.task && c.state === "running") {
      throw new Error("refused: this is the console you are typing in; restart console starts a fresh one");
    }
    return reg.stop(n) ? `${n} stopped` : `${n} was not running`;
  }, 1);
  con.register("start", "start NAME: start a stopped or finished task with its stored arguments", function* start({ args }): Gen<string> {
    const c = reg.start(needName(args, "start NAME"));
    yield* checkpoint();
    if (c.state === "failed") throw new Error(`${c.name} failed at start: ${show(c.error)}`);
    return `${c.name} started`;
  }, 1);
  con.register("restart", "restart NAME [ARGS as a JSON array]: stop and start again, with new arguments if given", function* restart({ args, rest }): Gen<string> {
    const n = needName(args, "restart NAME [ARGS as a JSON array]");
    const json = rest.slice(rest.indexOf(n) + n.length).trim();
    let a: unknown[] | undefined;
    if (json !== "") {
      const c = reg.get(n);
      // a task given objects JSON cannot express (a ring log, a function) would lose them: refuse
      if (c !== undefined && jsonProblem(c.args) !== null) throw new TypeError(`${n}'s arguments cannot be set from the console (they are not JSON data); restart ${n} without arguments`);
      a = parseJsonArgs(json);
    }
    const c = reg.restart(n, a);
    // let it take its first step: a task that fails at once (bad arguments, a missing part) is reported here
    yield* checkpoint();
    if (c.state === "failed") throw new Error(`${n} failed at start: ${show(c.error)}`);
    return `${n} restarted`;
  });
  if (profiler !== undefined) {
    con.register("top", "top: resumes, run time and stalls per profiled task", () => [...profiler.lines(), `stalls: ${profiler.stalls} (threshold ${profiler.stallMs} ms)`], 0);
  }
}
