import type { Console } from "../console";
import type { Jobs } from "../jobs";

/** `jobs`, `jobs cancel ID`. */
export function installJobCommands(con: Console, jobs: Jobs): void {
  con.register("jobs", "jobs [cancel ID]: background jobs and their outcome", ({ args }) => {
    if (args.length === 0) {
      const l = jobs.lines();
      return l.length > 0 ? l : ["(no jobs)"];
    }
    if (args[0] !== "cancel" || args.length !== 2) throw new TypeError("usage: jobs [cancel ID]");
    const id = Number(args[1]!.replace(/^#/, ""));
    const j = jobs.get(id);
    if (j === undefined) throw new TypeError(`no job #${args[1]}`);
    return j.cancel() ? `#${id} cancelled` : `#${id} had already ended`;
  }, 2);
}
