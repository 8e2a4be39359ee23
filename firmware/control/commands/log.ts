import { checkpoint, now, spawn, type Gen } from "../../sched/kernel";
import type { CommandContext, Console } from "../console";
import { LinearRegExp } from "../linear-regexp";
import type { RingLog } from "../ringlog";

const USAGE = "log cat | log grep REGEXP | log tail [N] | log follow | log stats";
/** Characters matched between clock reads (a few ms of work on a Pico for the worst patterns). */
const MATCH_CHARS = 4;

/** Options of {@link scanLog}. */
export interface ScanOptions {
  /** Yield to the scheduler after this long (ms) of work (default 5). */
  sliceMs?: number;
  /** Give up after this long (ms) in all (default 2000): the answer says how far it got. */
  budgetMs?: number;
  /** Clock (ms), default the scheduler's now(). */
  clock?: () => number;
}

/**
 * The kept log lines (the last `last` of them, or all), those for which `keep` says yes, formatted;
 * a checkpoint every `sliceMs` of work so that the LED, the sensors and `--for` keep their timing, and a
 * last line saying where it stopped if the whole scan took longer than `budgetMs`.
 */
export function* scanLog(log: RingLog, keep: ((line: string) => boolean) | LinearRegExp | null, last = Infinity, o: ScanOptions = {}): Gen<string[]> {
  const clock = o.clock ?? now;
  const sliceMs = o.sliceMs ?? 5;
  const budgetMs = o.budgetMs ?? 2000;
  const t0 = clock();
  let slice = t0;
  const first = Math.max(log.first, log.end - last);
  const out: string[] = [];
  for (let seq = first; seq < log.end; seq++) {
    const e = log.read(seq);
    if (e === null) break;
    if (e.seq !== seq) seq = e.seq; // records dropped meanwhile
    const line = log.format(e);
    let t: number;
    if (keep instanceof LinearRegExp) {
      // a few characters at a time: on a device one line can take longer than a step should
      keep.begin(line);
      let r = keep.run(MATCH_CHARS);
      for (t = clock(); r === null && t - t0 <= budgetMs; t = clock()) {
        if (t - slice >= sliceMs) {
          yield* checkpoint();
          slice = clock();
        }
        r = keep.run(MATCH_CHARS);
      }
      if (r === true) out.push(line);
      if (r === null) {
        out.push(`(stopped after ${budgetMs} ms: searched ${seq - first} of ${log.end - first} records and part of the next)`);
        break;
      }
    } else {
      if (keep === null || keep(line)) out.push(line);
      t = clock();
    }
    if (t - t0 > budgetMs) {
      out.push(`(stopped after ${budgetMs} ms: searched ${seq - first + 1} of ${log.end - first} records)`);
      break;
    }
    if (t - slice >= sliceMs) {
      yield* checkpoint();
      slice = clock();
    }
  }
  return out;
}

/**
 * `log cat|grep|tail|follow|stats`. `follow` prints new records until the next input line (which it
 * consumes). `grep` matches with {@link LinearRegExp} (linear time: no pattern can hang the firmware);
 * cat, grep and tail yield to the scheduler as they go.
 */
export function installLogCommands(con: Console, log: RingLog, logOnConsole = false): void {
  con.register("log", `${USAGE}: read the RAM log (follow: until the next input line)`, function* logCommand(ctx: CommandContext): Gen<unknown> {
    const sub = ctx.args[0];
    const orEmpty = (l: string[], what: string): string[] => (l.length > 0 ? l : [what]);
    // every form but grep takes a fixed number of words: more is refused, not ignored
    if (sub !== "grep" && ctx.args.length > (sub === "tail" ? 2 : 1)) throw new TypeError(`too many arguments; usage: ${USAGE}`);
    switch (sub) {
      case "cat":
        return orEmpty(yield* scanLog(log, null), "(log is empty)");
      case "grep": {
        const src = ctx.rest.slice(ctx.rest.indexOf("grep") + 4).trim();
        if (src === "") throw new TypeError("usage: log grep REGEXP");
        let re: LinearRegExp;
        try {
          re = new LinearRegExp(src);
        } catch (e) {
          throw new SyntaxError(`log grep: ${e instanceof Error ? e.message : String(e)}`);
        }
        return orEmpty(yield* scanLog(log, re), "(no match)");
      }
      case "tail": {
        const n = ctx.args[1] === undefined ? 10 : Number(ctx.args[1]);
        if (!(n >= 0) || n !== Math.floor(n)) throw new TypeError("usage: log tail [N] (N a whole number)");
        if (n === 0) return `(no lines asked for; the log keeps ${log.length} records)`;
        return orEmpty(yield* scanLog(log, null, n), "(log is empty)");
      }
      case "stats":
        return `${log.length} records, ${log.bytesUsed}/${log.budget} bytes, ${log.dropped} dropped, ${log.truncated} truncated`;
      case "follow":
        if (logOnConsole) return "the log already prints here as it is written (log follow is for a console on its own port)";
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
