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

/** Most lanes a dump may name (the firmware's ring has at most 255) and labels. */
const MAX_LANE = 255;
const MAX_LABEL = 65535;
/** Most records one dump may hold (the firmware's ring has at most 65536). */
const MAX_RECORDS = 65536;
const HEX32 = "[0-9a-f]{1,8}";
const RECORD = new RegExp(`(?:^|[\\s>])r (${HEX32}) (${HEX32}) (${HEX32}) (${HEX32})$`);

/**
 * A `trace dump` parser fed a line at a time (so a large file is read in bounded memory: one dump's
 * records, at most 65536). Lines may carry a prompt, terminal escape sequences or other console output
 * before the dump's words; lines that are not part of a dump are ignored. The last dump in the text wins.
 * `line` and `finish` throw an Error naming the line and the problem: a malformed or out-of-range record
 * (fields are 32-bit hex, lanes at most 255), a number that is not finite, more records than the header
 * announced, or a dump cut short (its `end N` line missing or disagreeing with the records read).
 */
export class DumpParser {
  private d: TraceDump | null = null;
  private prev = 0;
  private lineNo = 0;
  private ended = false;
  /** records the header says the dump holds */
  private expected = 0;

  line(raw: string): void {
    this.lineNo++;
    const lineNo = this.lineNo;
    // a terminal log (`npm run console ... | tee`) carries escape sequences and carriage returns: drop them
    const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "").trimEnd();
    const h = /trace v1 records (\d+) first (\d+) size (\d+) t0 (-?[\d.e+-]+) bytes (\d+)$/.exec(line);
    if (h !== null) {
      if (this.d !== null && !this.ended) throw new Error(`line ${lineNo}: a new dump starts before the previous one ended (it was cut short)`);
      const written = Number(h[1]);
      const first = Number(h[2]);
      const size = Number(h[3]);
      const t0 = Number(h[4]);
      if (!Number.isFinite(t0) || Math.abs(t0) > 1e15) throw new Error(`line ${lineNo}: t0 ${h[4]} is not a finite time in ms`);
      if (!Number.isSafeInteger(written) || !Number.isSafeInteger(first) || first > written) throw new Error(`line ${lineNo}: the header's record counts are out of range (records ${h[1]} first ${h[2]})`);
      if (!(size >= 1 && size <= MAX_RECORDS)) throw new Error(`line ${lineNo}: the header's ring size ${h[3]} is out of range (1..${MAX_RECORDS})`);
      this.d = { t0, lanes: ["(other)"], labels: [], records: [], written };
      this.expected = Math.min(written - first, size);
      this.prev = t0;
      this.ended = false;
      return;
    }
    const d = this.d;
    if (d === null || this.ended) return;
    const r = RECORD.exec(line);
    if (r !== null) {
      this.prev += parseInt(r[1]!, 16) / 1000;
      const type = parseInt(r[2]!, 16);
      if (type < 1 || type >= TYPE_NAMES.length) throw new Error(`line ${lineNo}: unknown trace record type ${type}`);
      const lane = parseInt(r[3]!, 16);
      if (lane > MAX_LANE) throw new Error(`line ${lineNo}: lane ${lane} is out of range (at most ${MAX_LANE})`);
      if (d.records.length >= this.expected) throw new Error(`line ${lineNo}: more records than the header announced (${this.expected})`);
      d.records.push({ seq: d.records.length, t: this.prev, type, lane, arg: parseInt(r[4]!, 16) });
      return;
    }
    const m = /(?:^|[\s>])(lane|label) (\d+) (.*)$/.exec(line);
    if (m !== null) {
      const n = Number(m[2]);
      const most = m[1] === "lane" ? MAX_LANE : MAX_LABEL;
      if (!(n <= most)) throw new Error(`line ${lineNo}: ${m[1]} ${m[2]} is out of range (at most ${most})`);
      (m[1] === "lane" ? d.lanes : d.labels)[n] = m[3]!;
      return;
    }
    const e = /(?:^|[\s>])end (\d+)$/.exec(line);
    if (e !== null) {
      if (Number(e[1]) !== d.records.length || d.records.length !== this.expected) {
        throw new Error(`line ${lineNo}: the dump ends with ${e[1]} records, the header announced ${this.expected}, and ${d.records.length} were read (a truncated or damaged dump)`);
      }
      this.ended = true;
    } else if (/(?:^|[\s>])r [0-9a-f]/.test(line)) throw new Error(`line ${lineNo}: malformed trace record ${JSON.stringify(line.slice(0, 80))}`);
  }

  /** The last complete dump; throws if there is none or the last one was cut short. */
  finish(): TraceDump {
    const d = this.d;
    if (d === null) throw new Error("no trace dump found (a line `trace v1 records ...`: run `trace dump` on the console and save what it prints)");
    if (!this.ended) throw new Error(`the dump is truncated: ${d.records.length} of ${this.expected} records, and no \`end\` line`);
    return d;
  }
}

/**
 * Parse the text of a `trace dump` (see {@link DumpParser}: the last dump wins; defects throw an Error
 * naming the line and the problem).
 */
export function parseDump(text: string): TraceDump {
  const p = new DumpParser();
  for (const line of text.split(/\r\n|\r|\n/)) p.line(line);
  return p.finish();
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
