// Host side of the task trace (firmware/sched/trace.ts): read a `trace dump` (text, as printed on a
// console, with whatever else the console printed around it) and turn records into Chrome trace-event
// JSON (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU), which Perfetto
// and chrome://tracing open. Used by scripts/trace.ts (`npm run trace`) and the dashboard (host/web).
import {
  T_CALLBACK, T_DONE, T_IN, T_IO, T_OUT, T_PARK, T_SPAWN, T_STALL, T_TIMER, T_WAKE, TYPE_NAMES, type TraceRecord,
} from "../firmware/sched/trace";

/** A trace event (the fields this converter writes). */
export interface TraceEvent {
  name: string;
  ph: "X" | "i" | "M";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: "t" | "p" | "g";
  args?: Record<string, unknown>;
}

/** A parsed dump. */
export interface TraceDump {
  /** ms of the clock when tracing started */
  t0: number;
  lanes: string[];
  labels: string[];
  records: TraceRecord[];
  /** records the header announced as written since start */
  written: number;
}

// the task state after a step: 1 a checkpoint, 2 a cancel pending, 3 returned, failed or a bare yield, 4 parked
const STATE_AFTER = ["new", "ready (checkpoint)", "ready (cancel pending)", "ended or yielded", "waiting", "new", "done", "failed"];
const PID = 1;

/**
 * Parse the text of a `trace dump`. Lines may carry a prompt, terminal escape sequences or other console
 * output before the dump's words; lines that are not part of a dump are ignored. The last dump in the text wins.
 * Throws an Error naming the problem when there is no dump or a record line is malformed.
 */
export function parseDump(text: string): TraceDump {
  let d: TraceDump | null = null;
  let prev = 0;
  let lineNo = 0;
  let ended = false;
  // a terminal log (`npm run console ... | tee`) carries escape sequences and carriage returns: drop them
  const clean = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  for (const raw of clean.split(/\r\n|\r|\n/)) {
    lineNo++;
    const line = raw.trimEnd();
    const h = /trace v1 records (\d+) first (\d+) size (\d+) t0 (-?[\d.e+-]+) bytes (\d+)$/.exec(line);
    if (h !== null) {
      d = { t0: Number(h[4]), lanes: ["(other)"], labels: [], records: [], written: Number(h[1]) };
      prev = d.t0;
      ended = false;
      continue;
    }
    if (d === null || ended) continue;
    const r = /(?:^|[\s>])r ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)$/.exec(line);
    if (r !== null) {
      const dt = parseInt(r[1]!, 16) / 1000;
      prev += dt;
      const type = parseInt(r[2]!, 16);
      if (type < 1 || type >= TYPE_NAMES.length) throw new Error(`line ${lineNo}: unknown trace record type ${type}`);
      d.records.push({ seq: d.records.length, t: prev, type, lane: parseInt(r[3]!, 16), arg: parseInt(r[4]!, 16) });
      continue;
    }
    const m = /(?:^|[\s>])(lane|label) (\d+) (.*)$/.exec(line);
    if (m !== null) {
      const list = m[1] === "lane" ? d.lanes : d.labels;
      list[Number(m[2])] = m[3]!;
      continue;
    }
    if (/(?:^|[\s>])end \d+$/.test(line)) ended = true;
    else if (/(?:^|[\s>])r [0-9a-f]/.test(line)) throw new Error(`line ${lineNo}: malformed trace record ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (d === null) throw new Error("no trace dump found (a line `trace v1 records ...`: run `trace dump` on the console and save what it prints)");
  return d;
}

/**
 * Records to trace events, incrementally (the dashboard feeds it as records arrive). Lanes become
 * threads (tid = lane number) of one process: a slice per step ("X": from switch in to switch out, with
 * what the task then waited on), instants for spawn, wake, timer, IO, stall, done.
 */
export class TraceConverter {
  private readonly open = new Map<number, number>();
  private readonly parkedOn = new Map<number, string>();
  private readonly named = new Set<number>();
  lanes: string[];
  labels: string[];

  constructor(lanes: string[] = ["(other)"], labels: string[] = []) {
    this.lanes = lanes;
    this.labels = labels;
  }

  private lane(n: number): string {
    return this.lanes[n] ?? `lane ${n}`;
  }

  /** Metadata events naming the process and every lane seen (call after push, for a complete file). */
  metadata(): TraceEvent[] {
    const out: TraceEvent[] = [{ name: "process_name", ph: "M", pid: PID, tid: 0, args: { name: "xs-async tasks" } }];
    for (const n of [...this.named].sort((a, b) => a - b)) {
      out.push({ name: "thread_name", ph: "M", pid: PID, tid: n, args: { name: n === 0 ? "(callbacks, timers, other)" : this.lane(n) } });
      out.push({ name: "thread_sort_index", ph: "M", pid: PID, tid: n, args: { sort_index: n } });
    }
    return out;
  }

  /** Convert one record (times in ms) to zero or more events (ts in µs). */
  push(r: TraceRecord, out: TraceEvent[]): void {
    const ts = Math.round(r.t * 1000);
    const lane = r.lane;
    this.named.add(lane);
    const name = this.lane(lane);
    const instant = (what: string, args?: Record<string, unknown>): void => {
      out.push({ name: what, cat: "sched", ph: "i", s: "t", ts, pid: PID, tid: lane, ...(args !== undefined ? { args } : {}) });
    };
    switch (r.type) {
      case T_IN:
        this.open.set(lane, ts);
        this.parkedOn.delete(lane);
        break;
      case T_PARK:
        this.parkedOn.set(lane, r.arg & 0x10000 ? `join ${this.lane(r.arg & 0xffff)}` : (this.labels[r.arg] ?? `label ${r.arg}`));
        break;
      case T_OUT:
      case T_DONE: {
        const start = this.open.get(lane);
        if (start !== undefined) {
          this.open.delete(lane);
          const then = r.type === T_DONE ? (r.arg === 1 ? "returned" : "failed") : r.arg === 4 ? `waits on ${this.parkedOn.get(lane) ?? "?"}` : (STATE_AFTER[r.arg] ?? String(r.arg));
          out.push({ name, cat: "run", ph: "X", ts: start, dur: Math.max(0, ts - start), pid: PID, tid: lane, args: { then } });
        }
        if (r.type === T_DONE) instant(r.arg === 1 ? "done" : "failed");
        break;
      }
      case T_SPAWN:
        instant("spawn", r.arg !== 0 ? { by: this.lane(r.arg) } : undefined);
        break;
      case T_WAKE:
        instant(r.arg & 0x10000 ? "wake (error)" : "wake", (r.arg & 0xffff) !== 0 ? { by: this.lane(r.arg & 0xffff) } : undefined);
        break;
      case T_IO:
        instant("io wake");
        break;
      case T_TIMER:
        instant("timer");
        break;
      case T_CALLBACK:
        instant("callback");
        break;
      case T_STALL:
        out.push({ name: `stall ${(r.arg / 1000).toFixed(1)} ms`, cat: "stall", ph: "i", s: "g", ts, pid: PID, tid: lane, args: { task: name, ms: r.arg / 1000 } });
        break;
      default:
        break;
    }
  }
}

/** A whole dump as a trace-event JSON object ({ traceEvents, displayTimeUnit }). */
export function dumpToTraceEvents(d: TraceDump): { traceEvents: TraceEvent[]; displayTimeUnit: "ms"; otherData: Record<string, unknown> } {
  const c = new TraceConverter(d.lanes, d.labels);
  const events: TraceEvent[] = [];
  for (const r of d.records) c.push(r, events);
  return { traceEvents: [...c.metadata(), ...events], displayTimeUnit: "ms", otherData: { source: "xs-async trace dump", records: d.records.length, written: d.written } };
}
