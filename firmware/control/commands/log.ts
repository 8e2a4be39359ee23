import { spawn, type Gen } from "../../sched/index";
import type { CommandContext, Console } from "../console";
import type { RingLog } from "../ringlog";

const USAGE = "log cat | log grep REGEXP | log tail [N] | log follow | log stats";

/** `log cat|grep|tail|follow|stats`. `follow` prints new records until the next input line (which it consumes). */
export function installLogCommands(con: Console, log: RingLog): void {
  con.register("log", `${USAGE}: read the RAM log (follow: until the next input line)`, function* logCommand(ctx: CommandContext): Gen<unknown> {
    const sub = ctx.args[0];
    const orEmpty = (l: string[], what: string): string[] => (l.length > 0 ? l : [what]);
    switch (sub) {
      case "cat":
        return orEmpty(log.cat(), "(log is empty)");
      case "grep": {
        const src = ctx.rest.slice(ctx.rest.indexOf("grep") + 4).trim();
        if (src === "") throw new TypeError("usage: log grep REGEXP");
        return orEmpty(log.grep(new RegExp(src)), "(no match)");
      }
      case "tail": {
        const n = ctx.args[1] === undefined ? 10 : Number(ctx.args[1]);
        if (!(n >= 0) || n !== Math.floor(n)) throw new TypeError("usage: log tail [N] (N a whole number)");
        return orEmpty(log.tail(n), "(log is empty)");
      }
      case "stats":
        return `${log.length} records, ${log.bytesUsed}/${log.budget} bytes, ${log.dropped} dropped, ${log.truncated} truncated`;
      case "follow":
        return yield* follow(ctx, log);
      default:
        throw new TypeError(`usage: ${USAGE}`);
    }
  });
}

function* follow(ctx: CommandContext, log: RingLog): Gen<string> {
  const io = ctx.io;
  yield* io.write("following the log; press Enter to stop\n");
  const printer = spawn("log-follow", function* (): Gen<void> {
    for (let c = log.end; ; ) {
      const e = yield* log.next(c);
      c = e.seq + 1;
      yield* io.write(log.format(e) + "\n");
    }
  });
  try {
    yield* io.readLine();
  } finally {
    printer.cancel();
  }
  return "(follow stopped)";
}
