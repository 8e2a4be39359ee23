import { Condition } from "../../sync/condition";
import { Event } from "../../sync/event";
import { ThreadSafeFlag } from "../../sync/flag";
import { Lock } from "../../sync/lock";
import { Message } from "../../sync/message";
import { Queue } from "../../sync/queue";
import { Semaphore } from "../../sync/semaphore";
import { now, type Gen, RECORD_BYTES, TRACE, dumpLines, traceLabel } from "../../sched/kernel";
import type { CommandContext, Console } from "../console";
import { RingLog } from "../ringlog";

const USAGE = "trace start [RECORDS] [STALL_MS] | trace stop | trace dump | trace stats";

let labelled = false;

/** Name the project's primitives in the trace (what a task parks on). */
export function labelTraceWaits(): void {
  if (labelled) return;
  labelled = true;
  traceLabel(Event.prototype, "event");
  traceLabel(Lock.prototype, "lock");
  traceLabel(Semaphore.prototype, "semaphore");
  traceLabel(Condition.prototype, "condition");
  traceLabel(ThreadSafeFlag.prototype, "flag");
  traceLabel(Message.prototype, "message");
  const q = new Queue<unknown>(1) as unknown as { getters: object; putters: object };
  traceLabel(Object.getPrototypeOf(q.getters) as object, "queue get");
  traceLabel(Object.getPrototypeOf(q.putters) as object, "queue put");
  traceLabel(RingLog.prototype, "log");
}

function stats(): string {
  const kept = TRACE.seq - TRACE.first;
  return `trace ${TRACE.on ? "on" : "off"}: ${TRACE.seq} records written, ${kept} kept (ring of ${TRACE.size} x ${RECORD_BYTES} bytes), ${TRACE.lanes.length - 1} lanes, stall ${TRACE.stallMs} ms`;
}

/**
 * `trace start [RECORDS] [STALL_MS]`, `trace stop`, `trace dump`, `trace stats`: the scheduler's task trace
 * (firmware/sched/trace.ts). `dump` writes the ring a line at a time (text and hex, for a serial console;
 * `npm run trace -- dump.txt out.json` makes Chrome trace-event JSON of it) and pauses recording meanwhile.
 */
export function installTraceCommands(con: Console): void {
  labelTraceWaits();
  con.register("trace", `${USAGE}: the task trace (dump: text for npm run trace)`, function* traceCommand(ctx: CommandContext): Gen<unknown> {
    const sub = ctx.args[0];
    if (sub !== "start" && ctx.args.length > 1) throw new TypeError(`too many arguments; usage: ${USAGE}`);
    switch (sub) {
      case "start": {
        const records = ctx.args[1] === undefined ? undefined : Number(ctx.args[1]);
        const stallMs = ctx.args[2] === undefined ? undefined : Number(ctx.args[2]);
        TRACE.start(now, { ...(records !== undefined ? { records } : {}), ...(stallMs !== undefined ? { stallMs } : {}) });
        return stats();
      }
      case "stop":
        TRACE.stop();
        return stats();
      case "stats":
      case undefined:
        return stats();
      case "dump": {
        if (TRACE.size === 0) return "trace: nothing recorded (trace start first)";
        const was = TRACE.on;
        TRACE.pause(true); // the dump's own writes would push out what it is printing
        try {
          const it = dumpLines();
          for (let r = it.next(); r.done !== true; r = it.next()) yield* ctx.io.write(r.value + "\n");
        } finally {
          if (was) TRACE.pause(false);
        }
        return `trace dumped${was ? " (recording goes on)" : ""}`;
      }
      default:
        throw new TypeError(`usage: ${USAGE}`);
    }
  }, 3);
}
