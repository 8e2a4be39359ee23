import { currentTaskOrNull, activeScheduler, op, type Op, type Task, type Waitable, WaitQueue } from "../sched/kernel";
import { formatDate } from "./time";
import { utf8Fit, utf8Read, utf8ReadWritten, utf8Write } from "../text/utf8";

/** Log levels, lowest first. */
export const LEVELS = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];

/** One record read back from the log. */
export interface LogEntry {
  /** Sequence number: 0 for the first record ever written, +1 per record (dropped ones included). */
  readonly seq: number;
  readonly level: Level;
  /** Timestamp from the log's clock (ms). */
  readonly time: number;
  /** Usually the name of the task that wrote it. */
  readonly tag: string;
  readonly msg: string;
}

/** Options of {@link RingLog}. */
export interface RingLogOptions {
  /** Timestamps (ms). Default: the scheduler's now() inside a running scheduler, else Date.now(). */
  clock?: () => number;
  /** Records below this level are not stored (default "debug": everything). */
  level?: Level;
  /** Render a record as a line (default: `<time> [LEVEL] [tag] msg`). */
  format?: (e: LogEntry) => string;
}

/** Bytes of a record header: length u16, level u8 (+ {@link HAS_NUL}), tag length u8, time f64 (native byte order). */
export const HEADER = 12;
const MAX_RECORD = 0xffff;
/** Set in the level byte when the tag or message holds a NUL character: XS's native decoder is not used for it. */
const HAS_NUL = 0x80;
/** The platform's byte order, in which the header's time is stored. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function defaultClock(): number {
  const t = currentTaskOrNull();
  if (t !== null) return t.sched.now();
  try {
    return activeScheduler().now();
  } catch {
    return Date.now();
  }
}

/** `2015-01-01 00:00:19 [INFO] [blink] LED on` (dates for epoch times, seconds since boot otherwise). */
export function formatEntry(e: LogEntry): string {
  const t = e.time >= 1e11 ? formatDate(e.time) : (e.time / 1000).toFixed(3);
  return `${t} [${e.level.toUpperCase()}] [${e.tag}] ${e.msg}`;
}

function nextBody(t: Task, a: { log: RingLog; cursor: number }): unknown {
  const e = a.log.read(a.cursor);
  if (e !== null) return e;
  a.log.waiters.push(t);
  return t.sched.park(t, a.log);
}

/**
 * A RAM log with a fixed byte budget, allocated once (one Uint8Array): records (level, timestamp, tag,
 * UTF-8 message) are appended in a ring; when a record does not fit, the oldest records are dropped whole
 * and counted in `dropped`. A message longer than the budget allows is cut (counted in `truncated`), so
 * the log never grows past `budget` bytes, whatever is written (asyncmd's aiolog, journalctl's ring).
 *
 * Reading: `cat()`, `grep(re)`, `tail(n)` return formatted lines of what is kept; `next(cursor)` is an
 * operation that waits for the record at `cursor` (tail -F); `follow()` is the same as an async iterator.
 *
 * Memory: `budget` bytes + a 12-byte header per record inside it; about 20 small fields outside.
 * Writing allocates nothing unless a follower waits (then one decoded entry, shared by all followers).
 * @example
 *   const log = new RingLog(4096);
 *   log.info("LED on");                   // tag = the running task's name
 *   for (const line of log.tail(10)) trace(line + "\n");
 */
export class RingLog implements Waitable {
  /** The budget in bytes (the size of the one buffer). */
  readonly budget: number;
  /** Records dropped to make room. */
  dropped = 0;
  /** Messages cut to fit. */
  truncated = 0;
  /** Minimum level stored. */
  level: Level;
  /** @internal followers waiting for the next record */ readonly waiters = new WaitQueue();
  private readonly buf: Uint8Array;
  private readonly scratch = new Float64Array(1);
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);
  private readonly view: DataView;
  private readonly clock: () => number;
  private readonly fmt: (e: LogEntry) => string;
  private head = 0;
  private wr = 0;
  private used = 0;
  private count = 0;
  private firstSeq = 0;
  private cacheSeq = -1;
  private cacheOff = 0;

  /** `budget`: bytes for the records (at least 64). */
  constructor(budget: number, opts: RingLogOptions = {}) {
    if (!(budget >= 64) || budget !== Math.floor(budget)) throw new RangeError(`a log budget is an integer of at least 64 bytes, got ${budget}`);
    this.budget = budget;
    this.buf = new Uint8Array(budget);
    this.view = new DataView(this.buf.buffer);
    this.clock = opts.clock ?? defaultClock;
    this.level = opts.level ?? "debug";
    this.fmt = opts.format ?? formatEntry;
  }

  /** Bytes in use by kept records (never above `budget`). */
  get bytesUsed(): number {
    return this.used;
  }
  /** Records kept. */
  get length(): number {
    return this.count;
  }
  /** Sequence number of the oldest kept record. */
  get first(): number {
    return this.firstSeq;
  }
  /** Sequence number the next record will get: a cursor that follows only new records. */
  get end(): number {
    return this.firstSeq + this.count;
  }

  /** Bytes a record takes (header + UTF-8 tag + message, before any cut). */
  static recordSize(tag: string, msg: string): number {
    return HEADER + utf8Fit(tag, 255).bytes + utf8Fit(msg, Infinity).bytes;
  }

  debug(msg: string, tag?: string): void {
    this.write("debug", msg, tag);
  }
  info(msg: string, tag?: string): void {
    this.write("info", msg, tag);
  }
  warn(msg: string, tag?: string): void {
    this.write("warn", msg, tag);
  }
  error(msg: string, tag?: string): void {
    this.write("error", msg, tag);
  }

  /** Append a record; `tag` defaults to the running task's name ("-" outside tasks). Never throws for size. */
  write(level: Level, msg: string, tag?: string): void {
    const lv = LEVELS.indexOf(level);
    if (lv < 0) throw new TypeError(`unknown log level ${String(level)}`);
    if (lv < LEVELS.indexOf(this.level)) return;
    msg = String(msg);
    if (tag === undefined) {
      const t = currentTaskOrNull();
      tag = t !== null ? t.name : "-";
    }
    const tf = utf8Fit(tag, Math.min(255, this.budget - HEADER));
    const room = Math.min(MAX_RECORD, this.budget) - HEADER - tf.bytes;
    const mf = utf8Fit(msg, room);
    if (mf.units < msg.length) this.truncated++;
    const size = HEADER + tf.bytes + mf.bytes;
    while (this.budget - this.used < size) this.dropOldest();
    const b = this.buf;
    const start = this.wr;
    let p = start;
    p = this.put(p, size & 0xff);
    p = this.put(p, size >> 8);
    p = this.put(p, msg.indexOf("\0") >= 0 || tag.indexOf("\0") >= 0 ? lv | HAS_NUL : lv);
    p = this.put(p, tf.bytes);
    this.scratch[0] = this.clock();
    for (let i = 0; i < 8; i++) p = this.put(p, this.scratchBytes[i]!);
    p = utf8Write(tag, tf.units, b, p);
    p = utf8Write(msg, mf.units, b, p);
    this.wr = p;
    this.used += size;
    this.count++;
    if (this.waiters.length > 0) {
      const e = this.decode(start, this.end - 1);
      const q = this.waiters;
      for (let t = q.shift(); t !== null; t = q.shift()) t.sched.wake(t, e);
    }
  }

  /** The kept record with the lowest seq >= `cursor`, or null if there is none yet. */
  read(cursor: number): LogEntry | null {
    if (cursor < this.firstSeq) cursor = this.firstSeq;
    if (cursor >= this.end) return null;
    return this.decode(this.offsetOf(cursor), cursor);
  }

  /** Every kept record, oldest first. */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    let off = this.head;
    for (let i = 0; i < this.count; i++) {
      out.push(this.decode(off, this.firstSeq + i));
      off = (off + this.sizeAt(off)) % this.budget;
    }
    return out;
  }

  /** Every kept record as a line, oldest first. */
  cat(): string[] {
    return this.entries().map(this.fmt);
  }

  /** Kept lines matching `re` (tested on the formatted line). */
  grep(re: RegExp): string[] {
    return this.cat().filter((l) => {
      re.lastIndex = 0;
      return re.test(l);
    });
  }

  /** The last `n` kept lines. */
  tail(n: number): string[] {
    const all = this.cat();
    return n <= 0 ? [] : all.slice(Math.max(0, all.length - n));
  }

  /** Format one entry the way cat() does. */
  format(e: LogEntry): string {
    return this.fmt(e);
  }

  /**
   * Wait for the first kept record with seq >= `cursor` (tail -F): returns at once if there is one,
   * else when the next record is written. Records dropped before they were read are skipped: compare
   * the returned `seq` with the cursor to see the gap. Continue with `cursor = entry.seq + 1`.
   * Cancel-safe: a cancelled follower leaves the wait queue; nothing is consumed.
   * @example for (let c = log.end; ; ) { const e = yield* log.next(c); c = e.seq + 1; show(e); }
   */
  next(cursor: number): Op<LogEntry> {
    return op<LogEntry, { log: RingLog; cursor: number }>(nextBody, { log: this, cursor });
  }

  /** `for await (const e of log.follow())` in an async task: every record from `from` (default: new ones only). */
  follow(from?: number): AsyncIterableIterator<LogEntry> {
    let cursor = from ?? this.end;
    const it: AsyncIterableIterator<LogEntry> = {
      next: async (): Promise<IteratorResult<LogEntry>> => {
        const e = await this.next(cursor);
        cursor = e.seq + 1;
        return { value: e, done: false };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  /** Forget every record (counters stay). */
  clear(): void {
    this.firstSeq = this.end;
    this.head = this.wr = this.used = this.count = 0;
    this.cacheSeq = -1;
  }

  /** @internal Waitable: a cancelled follower leaves the queue. */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  private put(p: number, v: number): number {
    this.buf[p] = v;
    return p + 1 === this.budget ? 0 : p + 1;
  }

  private byteAt(off: number): number {
    return this.buf[off % this.budget]!;
  }

  private sizeAt(off: number): number {
    return this.byteAt(off) | (this.byteAt(off + 1) << 8);
  }

  private dropOldest(): void {
    const size = this.sizeAt(this.head);
    this.head = (this.head + size) % this.budget;
    this.used -= size;
    this.count--;
    this.firstSeq++;
    this.dropped++;
  }

  private offsetOf(seq: number): number {
    let s = this.firstSeq;
    let off = this.head;
    if (this.cacheSeq >= this.firstSeq && this.cacheSeq <= seq) {
      s = this.cacheSeq;
      off = this.cacheOff;
    }
    for (; s < seq; s++) off = (off + this.sizeAt(off)) % this.budget;
    this.cacheSeq = seq;
    this.cacheOff = off;
    return off;
  }

  private decode(off: number, seq: number): LogEntry {
    // (a few native calls where the record does not wrap around the end of the buffer: `log grep` reads
    // every record, and each JS step costs some 20 µs on a Pico)
    const size = this.sizeAt(off);
    const lv = this.byteAt(off + 2);
    const level = LEVELS[lv & ~HAS_NUL] ?? "info";
    const tagLen = this.byteAt(off + 3);
    let time: number;
    if (off + HEADER <= this.budget) time = this.view.getFloat64(off + 4, LITTLE_ENDIAN);
    else {
      for (let i = 0; i < 8; i++) this.scratchBytes[i] = this.byteAt(off + 4 + i);
      time = this.scratch[0]!;
    }
    const read = (lv & HAS_NUL) !== 0 ? utf8Read : utf8ReadWritten;
    const tag = read(this.buf, (off + HEADER) % this.budget, tagLen);
    const msg = read(this.buf, (off + HEADER + tagLen) % this.budget, size - HEADER - tagLen);
    return { seq, level, time, tag, msg };
  }
}
