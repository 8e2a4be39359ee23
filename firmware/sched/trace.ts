import { Task } from "./task";

/**
 * The task trace: a fixed-size ring of binary records of what the scheduler does (a task switched in and
 * out, parked on something, woken, spawned, finished; a timer fired; an IO callback woke a task; a step
 * stalled the loop). Compiled in and off by default: the scheduler calls it from one guarded line per
 * event (`if (tracing) TRACE.x(...)`), so when it is off an event costs one read of a module binding.
 *
 * A record is 16 bytes, in two typed arrays allocated by `start` (never per record): a float64 time (ms on
 * the scheduler's clock) and two 32-bit words, `type << 16 | lane` and `arg`. A lane is a task name (tasks
 * of the same name, restarts included, share it), numbered on first sight (at most `maxLanes`, then 0:
 * "(other)"). What a task parks on is recorded as a label number (`sleep`, `join NAME`, `event`, ...; see
 * {@link traceLabel}). Recording allocates nothing once a lane and a label are known.
 *
 * `trace start|stop|dump` on the console drive it (firmware/control/commands/trace.ts); `dump` prints
 * {@link dumpLines} and scripts/trace.ts turns that text into Chrome trace-event JSON (Perfetto,
 * chrome://tracing).
 */

/** Record types. */
export const T_SPAWN = 1; // arg: lane of the spawning task (0: none)
export const T_IN = 2; // the task's step begins
export const T_OUT = 3; // the step ended; arg: the task's state (see task.ts) after it
export const T_PARK = 4; // arg: label of what it waits on
export const T_WAKE = 5; // arg: lane of the waker (0: none); 0x10000 set: woken with an error (cancel)
export const T_DONE = 6; // finished; arg 1: ok, 0: failed
export const T_TIMER = 7; // a timer fired; lane: the sleeping task's (0: a callback or a scope deadline)
export const T_IO = 8; // a task was woken from outside the scheduler (an IO callback)
export const T_STALL = 9; // the step that just ended took longer than stallMs; arg: its length in µs
export const T_CALLBACK = 10; // a callSoon/callLater callback ran
export const TYPE_NAMES = ["", "spawn", "in", "out", "park", "wake", "done", "timer", "io", "stall", "callback"];

/** Bytes of one record. */
export const RECORD_BYTES = 16;

const OTHER = "(other)";
const NONE = 0;
const IN_TASK = 1;
const IN_TIMER = 2;
const IN_CALLBACK = 3;

/** Options of {@link TaskTrace.start}. */
export interface TraceStartOptions {
  /** Ring size in records (default: the last size, first 256: 4 KB). Changing it reallocates the ring. */
  records?: number;
  /** A step longer than this (ms) adds a stall record (default 50). */
  stallMs?: number;
  /** The clock in ms (default: the clock passed to start's caller, usually the scheduler's now). */
  clock?: () => number;
}

/** One decoded record. */
export interface TraceRecord {
  seq: number;
  /** ms */
  t: number;
  type: number;
  lane: number;
  arg: number;
}

// Maps are made at run time, never at module load: the device preloads this module into flash, where a
// Map made at load is read-only ("TypeError: this: read-only Map instance", seen in the Pico emulator).
let protoLabels: Map<object, number> | null = null;
const labelNames: string[] = ["wait", "sleep"];

/**
 * Name what a task parks on in the trace: an object (a module's private waitable) or a prototype (every
 * instance of a class). Unknown waitables record as "wait"; a task's own timer as "sleep"; a task as
 * "join NAME".
 * @example traceLabel(Event.prototype, "event")
 */
export function traceLabel(target: object, label: string): void {
  let i = labelNames.indexOf(label);
  if (i < 0) i = labelNames.push(label) - 1;
  if (protoLabels === null) protoLabels = new Map();
  protoLabels.set(target, i);
}

/** The label of waitable `w` a task `t` parks on (also for listings: "sleep", "join led", "event"). */
export function waitLabel(w: unknown, t?: Task): string {
  if (w === null || w === undefined) return "";
  if (w instanceof Task) return `join ${w.name}`;
  const i = labelOf(w as object, t);
  return labelNames[i]!;
}

function labelOf(w: object, t: Task | undefined): number {
  // the object itself, then its class and up to two base classes (Message is an Event)
  let p: object | null = protoLabels !== null ? w : null;
  for (let i = 0; i < 4 && p !== null; i++) {
    const l = protoLabels!.get(p);
    if (l !== undefined) return l;
    p = Object.getPrototypeOf(p) as object | null;
  }
  // a sleeping task sits in the timers itself (scopes and callbacks are timer nodes of their own)
  return t !== undefined && t.hi >= 0 ? 1 : 0;
}

/**
 * Recording: the one thing the scheduler reads per event (`if (tracing) TRACE.x(...)`). A module binding,
 * not a property: on XS that is the cheapest read there is. Changed only by TRACE.start / stop / pause.
 */
// a var, not a let: V8 checks a module-level let's TDZ at every read
export var tracing = false;

/** The trace; use the one instance, {@link TRACE}. */
export class TaskTrace {
  /** Recording. */
  get on(): boolean {
    return tracing;
  }
  // Hot fields first (XS looks properties up in order).
  /** Records written since the last start (the next record's sequence number). */
  seq = 0;
  /** Ring capacity in records (0 until the first start). */
  size = 0;
  private times: Float64Array | null = null;
  private words: Uint32Array | null = null;
  private clock: () => number = () => 0;
  private lastTask: Task | null = null;
  private lastName = "";
  private lastLane = 0;
  private where = NONE;
  private whereLane = 0;
  private stepAt = 0;
  stallMs = 50;
  /** made by start (see protoLabels) */
  private laneIds: Map<string, number> | null = null;
  /** Lane names by number (0: "(other)"). */
  readonly lanes: string[] = [OTHER];
  maxLanes = 255;
  /** Time of the first record since start (ms). */
  t0 = 0;

  /**
   * Start recording (from the beginning: the ring and the lanes are cleared). `clock` is the time source
   * in ms, the scheduler's `now` unless options give another.
   */
  start(clock: () => number, opts: TraceStartOptions = {}): void {
    const n = opts.records ?? (this.size > 0 ? this.size : 256);
    if (typeof n !== "number" || !(n >= 16 && n <= 65536) || n !== Math.floor(n)) throw new RangeError(`trace records: a whole number from 16 to 65536, got ${String(n)}`);
    const stall = opts.stallMs ?? 50;
    if (typeof stall !== "number" || !(stall > 0 && stall < Infinity)) throw new RangeError(`trace stallMs: a finite number > 0, got ${String(stall)}`);
    if (n !== this.size || this.times === null) {
      this.times = null;
      this.words = null;
      this.times = new Float64Array(n);
      this.words = new Uint32Array(n * 2);
      this.size = n;
    }
    this.stallMs = stall;
    this.clock = opts.clock ?? clock;
    if (this.laneIds === null) this.laneIds = new Map();
    else this.laneIds.clear();
    this.lanes.length = 1;
    this.lastTask = null;
    this.seq = 0;
    this.where = NONE;
    this.t0 = this.stepAt = this.clock();
    tracing = true;
  }

  /** Stop recording; what is recorded stays readable. */
  stop(): void {
    tracing = false;
  }

  /** Pause (false) or resume (true) recording without clearing it (a resume needs an earlier start). */
  pause(paused: boolean): void {
    tracing = !paused && this.times !== null;
  }

  /** Records still in the ring: from `first` to `seq` - 1. */
  get first(): number {
    return this.seq > this.size ? this.seq - this.size : 0;
  }

  /** Record `seq` (still in the ring), into `out`; false if it was overwritten or is not written yet. */
  read(seq: number, out: TraceRecord): boolean {
    if (seq < this.first || seq >= this.seq || this.times === null) return false;
    const i = seq % this.size;
    const w = this.words!;
    const a = w[i * 2]!;
    out.seq = seq;
    out.t = this.times[i]!;
    out.type = a >>> 16;
    out.lane = a & 0xffff;
    out.arg = w[i * 2 + 1]!;
    return true;
  }

  /** The lane number of a task (its name), numbered on first sight. */
  lane(t: Task): number {
    // most events come in runs for one task (in, park, out): skip the lookup by name then
    if (t === this.lastTask && t.name === this.lastName) return this.lastLane;
    const id = this.laneOf(t.name);
    this.lastTask = t;
    this.lastName = t.name;
    this.lastLane = id;
    return id;
  }

  private laneOf(name: string): number {
    const ids = this.laneIds!;
    const id = ids.get(name);
    if (id !== undefined) return id;
    if (this.lanes.length > this.maxLanes) return 0;
    this.lanes.push(name);
    ids.set(name, this.lanes.length - 1);
    return this.lanes.length - 1;
  }

  /** Label names by number. */
  get labels(): readonly string[] {
    return labelNames;
  }

  private put(type: number, lane: number, arg: number, t: number): void {
    const seq = this.seq;
    const i = seq % this.size;
    this.times![i] = t;
    const w = this.words!;
    w[i * 2] = (type << 16) | lane;
    w[i * 2 + 1] = arg >>> 0;
    this.seq = seq + 1;
  }

  private current(): number {
    return this.where === IN_TASK ? this.whereLane : 0;
  }

  // ---- hooks the scheduler calls (only while `on`) ------------------------------------------

  /** @internal */
  spawn(t: Task): void {
    this.put(T_SPAWN, this.lane(t), this.current(), this.clock());
  }

  /** @internal a task's step begins */
  run(t: Task): void {
    const now = this.clock();
    this.where = IN_TASK;
    this.whereLane = this.lane(t);
    this.stepAt = now;
    this.put(T_IN, this.whereLane, 0, now);
  }

  /** @internal the step ended (wakes until the next step are still its own: a finishing task wakes its joiners) */
  out(t: Task): void {
    const now = this.clock();
    const lane = this.lane(t);
    this.put(T_OUT, lane, t.st, now);
    // only a step whose start was seen (the task that ran `trace start` ends a step that began untraced)
    if (now - this.stepAt > this.stallMs && this.where === IN_TASK && this.whereLane === lane) this.put(T_STALL, lane, Math.round((now - this.stepAt) * 1000), now);
  }

  /** @internal the batch of rounds is over: wakes from now on come from IO callbacks */
  idle(): void {
    this.where = NONE;
  }

  /** @internal */
  park(t: Task, w: object): void {
    const lane = this.lane(t);
    this.put(T_PARK, lane, w instanceof Task ? 0x10000 | this.lane(w) : labelOf(w, t), this.clock());
  }

  /** @internal `t` was made ready (`error`: with an error to raise, a cancel) */
  wake(t: Task, error: boolean): void {
    const lane = this.lane(t);
    if (this.where === NONE) this.put(T_IO, lane, 0, this.clock());
    else this.put(T_WAKE, lane, (error ? 0x10000 : 0) | this.current(), this.clock());
  }

  /** @internal a timer fired */
  timer(n: object): void {
    this.where = IN_TIMER;
    this.put(T_TIMER, n instanceof Task ? this.lane(n) : 0, 0, this.clock());
  }

  /** @internal a callback is about to run */
  callback(): void {
    this.where = IN_CALLBACK;
    this.put(T_CALLBACK, 0, 0, this.clock());
  }

  /** @internal */
  done(t: Task, ok: boolean): void {
    const lane = this.lane(t);
    this.put(T_DONE, lane, ok ? 1 : 0, this.clock());
  }
}

/** The trace. */
export const TRACE = new TaskTrace();

function hex(n: number): string {
  return n.toString(16);
}

/**
 * The dump, a line at a time (call `emit` for each; nothing is built in one piece): a header, the lane
 * and label names, then one line per record, `r DT TYPE LANE ARG` in hex (DT: µs since the previous
 * record, the first one since t0), then `end N`. scripts/trace.ts reads it back (lines may carry a
 * prompt or other text before them; anything else is ignored).
 *
 *   trace v1 records 1234 first 722 size 512 t0 1520.125 bytes 16
 *   lane 1 led
 *   label 1 sleep
 *   r 1f4 2 1 0
 *   end 512
 */
export function* dumpLines(tr: TaskTrace = TRACE): Generator<string, number, unknown> {
  const first = tr.first;
  const last = tr.seq;
  yield `trace v1 records ${last} first ${first} size ${tr.size} t0 ${tr.t0} bytes ${RECORD_BYTES}`;
  for (let i = 1; i < tr.lanes.length; i++) yield `lane ${i} ${tr.lanes[i]}`;
  const labels = tr.labels;
  for (let i = 0; i < labels.length; i++) yield `label ${i} ${labels[i]}`;
  const rec: TraceRecord = { seq: 0, t: 0, type: 0, lane: 0, arg: 0 };
  let prev = tr.t0;
  let n = 0;
  for (let s = first; s < last; s++) {
    if (!tr.read(s, rec)) continue; // overwritten meanwhile (tracing went on during the dump)
    const dt = Math.max(0, Math.round((rec.t - prev) * 1000));
    prev += dt / 1000;
    yield `r ${hex(dt)} ${hex(rec.type)} ${hex(rec.lane)} ${hex(rec.arg)}`;
    n++;
  }
  yield `end ${n}`;
  return n;
}
