import type { Serial } from "../../firmware/platform/io";
import { ClosedError, WouldBlock, nameErrorClass, composite, currentTask, op, type Op, type Gen, type Task, type Waitable, WaitQueue } from "../../firmware/sched/kernel";
import { utf8Decode } from "../../firmware/text/utf8";

/**
 * What a {@link UartReader} does with bytes that arrive while its buffer is full:
 * - "drop-newest": the arriving bytes are dropped (what a hardware FIFO does);
 * - "drop-oldest": the oldest buffered bytes make room (keeps the freshest data, e.g. a sensor stream);
 * - "error": the arriving bytes are dropped, and the read that reaches the gap (one that would join
 *   bytes from before and after it) throws {@link UartOverflowError} once, with the bytes lost there;
 *   reads of the bytes before the gap complete normally, and the bytes buffered stay for the next read.
 *   Each gap is reported on its own (up to 4 pending; past that the newest gap also swallows the bytes
 *   buffered after it), so no read ever joins bytes across any gap.
 * Every policy counts the lost bytes in `overflowed`.
 */
export type OverflowPolicy = "drop-newest" | "drop-oldest" | "error";

/** Options of the receive side (see {@link UartReader}). */
export interface ReaderOptions {
  /** Receive buffer size in bytes, allocated once (default 512). */
  bufferSize?: number;
  /** Default "drop-newest". */
  overflow?: OverflowPolicy;
  /** Longest line `readLine()` accepts, "\n" included (default and maximum: bufferSize). */
  maxLine?: number;
}

/** `readLine()` met a line longer than `maxLine`: the line was discarded (up to its "\n"). */
export class LineTooLongError extends Error {
  constructor(readonly maxLine: number) {
    super(`line longer than ${maxLine} bytes (discarded up to its end)`);
  }
}
nameErrorClass(LineTooLongError, "LineTooLongError");

/** Policy "error": bytes were lost because the receive buffer was full. `bytes` counts them. */
export class UartOverflowError extends Error {
  constructor(readonly bytes: number) {
    super(`receive buffer overflow: ${bytes} bytes lost`);
  }
}
nameErrorClass(UartOverflowError, "UartOverflowError");

const READ = 0;
const EXACTLY = 1;
const LINE = 2;
/** "try again": what a parked reader is woken with. */
const RETRY: unique symbol = Symbol("retry") as any;
const NOT_YET: unique symbol = Symbol("not yet") as any;

/** One read in progress: allocated per read (with its generator or promise). */
class ReadReq {
  constructor(readonly r: UartReader, readonly kind: number, readonly n: number) {}
}

/** Op body: complete the read now if the buffer allows it, else park until bytes (or close) arrive. */
function tryReadBody(t: Task, q: ReadReq): unknown {
  const v = q.r.attempt(q.kind, q.n);
  if (v !== NOT_YET) return v;
  q.r.waiters.push(t);
  return t.sched.park(t, q.r);
}

function* readGen(q: ReadReq): Gen<unknown> {
  for (;;) {
    const v = yield* op<unknown, ReadReq>(tryReadBody, q);
    if (v !== RETRY) return v;
  }
}

function checkCount(n: number, max: number, what: string): void {
  if (typeof n !== "number" || !(n >= 1) || n !== Math.floor(n) || n > max) throw new RangeError(`${what} must be a whole number from 1 to ${max}, got ${String(n)}`);
}

/**
 * The receive side of a UART as scheduler operations (asyncio's StreamReader): `read(n)`,
 * `readExactly(n)`, `readLine()`, and `for await (const line of reader)`. Get one from
 * {@link Uart} (drivers/uart/index), which builds the Serial with this reader's onReadable: ECMA-419
 * takes the callbacks at construction.
 *
 * The port's onReadable only records and signals: it moves the bytes from the port into this reader's
 * buffer (one bounded copy, no parsing) and wakes the waiting readers; reads run in tasks. The buffer is
 * allocated once; when it is full, the {@link OverflowPolicy} decides and `overflowed` counts every byte
 * lost, so nothing is lost silently. Bytes are consumed only when a read completes.
 *
 * Cancel-safe: a read cancelled or timed out (failAfter / moveOnAfter) consumes nothing, even if it was
 * woken before the cancel arrived: the next reader gets every byte.
 * Errors: ClosedError for pending and later reads once the port is closed (buffered bytes are dropped);
 * UartOverflowError (policy "error"); LineTooLongError from readLine; RangeError for bad counts.
 * Several tasks may read at once (they are woken in the order they waited and each takes what it asks
 * for), but one reader per stream is the normal use.
 * Memory: the buffer (bufferSize bytes) plus a scratch copy for lines that wrap around its end
 * (maxLine bytes, allocated on first need); each read allocates its result, a small request and a
 * generator (or promise); the port allocates an ArrayBuffer per onReadable.
 * @example
 *   const uart = new Uart(board().io.Serial!, { ...board().Serial?.default, baud: 115200 });
 *   const line = yield* failAfter(1000, function* () { return yield* uart.reader.readLine(); });
 *   for await (const line of uart.reader) trace(line);
 */
export class UartReader implements Waitable, AsyncIterable<string> {
  /** Bytes lost because the buffer was full (every policy). */
  overflowed = 0;
  /** Bytes discarded by readLine because their line was too long. */
  discardedLong = 0;
  /** @internal */ readonly waiters = new WaitQueue();
  /** Buffer size in bytes. */
  readonly capacity: number;
  readonly policy: OverflowPolicy;
  readonly maxLine: number;
  private readonly buf: Uint8Array;
  private head = 0;
  private count = 0;
  private scratch: Uint8Array | null = null;
  private skipping = false;
  /** policy "error": the gaps not yet reported: how many buffered bytes precede each, and its lost bytes */
  private readonly gapAt: number[] = [];
  private readonly gapLost: number[] = [];
  private closed = false;
  private serial: Serial | null = null;

  /** @internal use Uart */
  constructor(options: ReaderOptions = {}) {
    const size = options.bufferSize ?? 512;
    checkCount(size, 0x1000000, "bufferSize");
    const policy = options.overflow ?? "drop-newest";
    if (policy !== "drop-newest" && policy !== "drop-oldest" && policy !== "error") throw new RangeError(`unknown overflow policy ${String(policy)}`);
    const maxLine = options.maxLine ?? size;
    checkCount(maxLine, size, "maxLine");
    this.capacity = size;
    this.policy = policy;
    this.maxLine = maxLine;
    this.buf = new Uint8Array(size);
  }

  /** Bytes buffered now. */
  get available(): number {
    return this.count;
  }

  /** True once the port was closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Wait for at least one byte, then return up to `max` bytes (all that are buffered, up to max). */
  read(max: number): Op<Uint8Array> {
    checkCount(max, Infinity, "read count");
    return this.start(READ, max) as Op<Uint8Array>;
  }

  /** Wait until `n` bytes are buffered, then return exactly `n` (n <= capacity). */
  readExactly(n: number): Op<Uint8Array> {
    checkCount(n, this.capacity, "readExactly count");
    return this.start(EXACTLY, n) as Op<Uint8Array>;
  }

  /**
   * Wait for a whole line and return it, "\n" included (UTF-8 decoded; lines may arrive in any number of
   * chunks). A line longer than maxLine throws LineTooLongError and is discarded up to its "\n"; the
   * next readLine returns the line after it.
   */
  readLine(): Op<string> {
    return this.start(LINE, 0) as Op<string>;
  }

  /** Non-blocking twin of read: up to `max` buffered bytes, or WouldBlock when there are none. */
  readNowait(max: number): Uint8Array {
    checkCount(max, Infinity, "read count");
    return this.nowait(READ, max) as Uint8Array;
  }

  /** Non-blocking twin of readLine: a complete buffered line, or WouldBlock. */
  readLineNowait(): string {
    return this.nowait(LINE, 0) as string;
  }

  /** Drop every buffered byte (e.g. stale replies before a command); returns how many. */
  discard(): number {
    const n = this.count;
    this.drop(n);
    this.skipping = false;
    return n;
  }

  /** Buffer and waiter counts, for debugging. */
  stats(): { available: number; capacity: number; overflowed: number; discardedLong: number; waiting: number; closed: boolean } {
    return { available: this.count, capacity: this.capacity, overflowed: this.overflowed, discardedLong: this.discardedLong, waiting: this.waiters.length, closed: this.closed };
  }

  /** Lines, for async tasks; ends when the port is closed. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: async (): Promise<IteratorResult<string>> => {
        try {
          return { value: await this.readLine(), done: false };
        } catch (e) {
          if (e instanceof ClosedError) return { value: undefined, done: true };
          throw e;
        }
      },
    };
  }

  // ---- the edge: called from the port's callbacks (outside tasks) -------------------------------

  /** @internal */
  attach(serial: Serial): void {
    this.serial = serial;
  }

  /**
   * @internal onReadable(count): move the port's bytes into the buffer, apply the policy, wake readers.
   * Reads at most `count`, what the port reported: the Pico's Serial throws when asked for more than it
   * has buffered (ECMA-419 lets a port do that), the ESP32's clamps.
   */
  fill(count: number): void {
    const s = this.serial;
    if (s === null || this.closed) return;
    const cap = this.capacity;
    let changed = false;
    let left = count > 0 ? count : 0;
    while (left > 0) {
      const free = cap - this.count;
      const want = Math.min(left, free > 0 ? free : cap);
      const chunk = s.read(want) as ArrayBuffer | undefined;
      if (chunk === undefined || chunk.byteLength === 0) break;
      left -= chunk.byteLength;
      const src = new Uint8Array(chunk);
      const n = src.length;
      changed = true;
      if (n <= free) {
        this.push(src);
        continue;
      }
      // the buffer is full (read(cap) only happens then)
      this.overflowed += n;
      if (this.policy === "drop-oldest") {
        this.head = (this.head + n) % cap;
        this.count -= n;
        this.push(src);
      } else if (this.policy === "error") this.gap(n);
    }
    if (changed) this.wakeAll();
  }

  /** @internal the port is closed: pending and later reads end with ClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.serial = null;
    this.head = this.count = 0;
    const err = new ClosedError("uart closed");
    for (let t = this.waiters.shift(); t !== null; t = this.waiters.shift()) t.sched.wakeThrow(t, err);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  // ---- reads ------------------------------------------------------------------------------------

  private start(kind: number, n: number): Op<unknown> {
    const q = new ReadReq(this, kind, n);
    return composite(currentTask(), () => readGen(q));
  }

  private nowait(kind: number, n: number): unknown {
    const v = this.attempt(kind, n);
    if (v === NOT_YET) throw new WouldBlock(kind === LINE ? "no complete line buffered" : "no bytes buffered");
    return v;
  }

  /** @internal complete a read now (consuming its bytes) or return NOT_YET; runs in the reading task */
  attempt(kind: number, n: number): unknown {
    if (this.closed) throw new ClosedError("uart closed");
    if (this.gapAt.length > 0) {
      // a read must not join the bytes before the gap with those after it
      const g = this.gapAt[0]!;
      if (kind === READ && g > 0) return this.take(Math.min(n, g));
      if (kind === EXACTLY && g >= n) return this.take(n);
      if (kind === LINE && g > 0 && this.indexOfNewline(Math.min(g, this.maxLine)) >= 0) return this.line();
      const e = new UartOverflowError(this.gapLost.shift()!);
      this.gapAt.shift();
      throw e;
    }
    if (kind === READ) return this.count > 0 ? this.take(Math.min(n, this.count)) : NOT_YET;
    if (kind === EXACTLY) return this.count >= n ? this.take(n) : NOT_YET;
    return this.line();
  }

  private line(): unknown {
    if (this.skipping) {
      // the rest of a line that was too long
      const i = this.indexOfNewline(this.count);
      const drop = i < 0 ? this.count : i + 1;
      this.drop(drop);
      this.discardedLong += drop;
      if (i < 0) return NOT_YET;
      this.skipping = false;
    }
    const limit = Math.min(this.count, this.maxLine);
    const i = this.indexOfNewline(limit);
    if (i >= 0) return this.decodeLine(i + 1);
    if (this.count < this.maxLine) return NOT_YET;
    // too long: discard up to the line's end, or all of it and the rest as it arrives
    const j = this.indexOfNewline(this.count);
    const drop = j < 0 ? this.count : j + 1;
    this.drop(drop);
    this.discardedLong += drop;
    this.skipping = j < 0;
    throw new LineTooLongError(this.maxLine);
  }

  /** Index (from the oldest byte) of the first "\n" among the first `limit` bytes, or -1. */
  private indexOfNewline(limit: number): number {
    const cap = this.capacity;
    const h = this.head;
    const first = Math.min(limit, cap - h);
    const i = this.buf.subarray(h, h + first).indexOf(10);
    if (i >= 0) return i;
    if (first === limit) return -1;
    const j = this.buf.subarray(0, limit - first).indexOf(10);
    return j < 0 ? -1 : first + j;
  }

  private decodeLine(n: number): string {
    const h = this.head;
    let bytes: Uint8Array;
    if (h + n <= this.capacity) {
      bytes = this.buf.subarray(h, h + n);
    } else {
      const s = this.scratch ?? (this.scratch = new Uint8Array(this.maxLine));
      const first = this.capacity - h;
      s.set(this.buf.subarray(h), 0);
      s.set(this.buf.subarray(0, n - first), first);
      bytes = s.subarray(0, n);
    }
    const text = utf8Decode(bytes);
    this.drop(n);
    return text;
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const h = this.head;
    const first = Math.min(n, this.capacity - h);
    out.set(this.buf.subarray(h, h + first), 0);
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.drop(n);
    return out;
  }

  /** policy "error": `n` arriving bytes are lost after the buffered ones */
  private gap(n: number): void {
    const k = this.gapAt.length;
    if (k > 0 && this.gapAt[k - 1] === this.count) {
      this.gapLost[k - 1]! += n;
      return;
    }
    if (k >= 4) {
      // too many gaps pending: the newest one swallows the bytes buffered after it
      const after = this.count - this.gapAt[k - 1]!;
      this.count -= after;
      this.overflowed += after;
      this.gapLost[k - 1]! += after + n;
      return;
    }
    this.gapAt.push(this.count);
    this.gapLost.push(n);
  }

  private drop(n: number): void {
    this.count -= n;
    for (let i = 0; i < this.gapAt.length; i++) this.gapAt[i] = Math.max(0, this.gapAt[i]! - n);
    this.head = this.count === 0 ? 0 : (this.head + n) % this.capacity;
  }

  private push(src: Uint8Array): void {
    const cap = this.capacity;
    const n = src.length;
    const tail = (this.head + this.count) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(first === n ? src : src.subarray(0, first), tail);
    if (first < n) this.buf.set(src.subarray(first), 0);
    this.count += n;
  }

  private wakeAll(): void {
    const q = this.waiters;
    for (let t = q.shift(); t !== null; t = q.shift()) t.sched.wake(t, RETRY);
  }
}
