import type { Serial } from "../../firmware/platform/io";
import { ClosedError, composite, currentTask, op, type Op, type Gen, type Task, type Waitable, WaitQueue } from "../../firmware/sched/kernel";
import { Lock } from "../../firmware/sync/lock";
import { utf8Encode } from "../../firmware/text/utf8";

/** "try again": what a task waiting for room is woken with. */
const RETRY: unique symbol = Symbol("retry") as any;

/** One write in progress: the bytes and how many were handed to the port so far. */
class WriteReq {
  sent = 0;
  constructor(readonly w: UartWriter, readonly bytes: Uint8Array) {}
}

/** Op body: hand what fits now, or park until the port announces room (or closes). */
function handBody(t: Task, q: WriteReq): unknown {
  const w = q.w;
  if (w.isClosed) throw new ClosedError("uart closed");
  if (w.free > 0) return w.hand(q);
  w.waiters.push(t);
  return t.sched.park(t, w);
}

function* writeGen(q: WriteReq, some: boolean): Gen<number> {
  const w = q.w;
  let locked = false;
  try {
    yield* w.lock.acquire();
    locked = true;
    const len = q.bytes.length;
    while (q.sent < len) {
      const v = yield* op<unknown, WriteReq>(handBody, q);
      if (v !== RETRY && some) break;
    }
    return q.sent;
  } finally {
    if (locked) w.lock.release();
    w.lastSent = q.sent;
  }
}

function* drainGen(w: UartWriter): Gen<void> {
  yield* w.lock.acquire();
  w.lock.release();
}

function toBytes(data: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof data === "string") return utf8Encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError("write() takes a Uint8Array, an ArrayBuffer or a string");
}

/**
 * The transmit side of a UART as scheduler operations (asyncio's StreamWriter): `write(bytes | string)`
 * and `drain()`. Get one from {@link Uart} (drivers/uart/index), which builds the Serial with this
 * writer's onWritable.
 *
 * Back-pressure: the port's onWritable(bytes) only records the free space and wakes the writer; the
 * writing task hands the port at most that many bytes at a time, so `Serial.write` never throws for
 * lack of room. The writer waits for the port's first onWritable before writing (ECMA-419 ports
 * announce their free space after construction). Concurrent writes are serialised (a FIFO Lock): the
 * bytes of one write are never interleaved with another's.
 *
 * Cancel-safe: a cancelled (or timed-out) write stops at once; the bytes it already handed to the port
 * (always a prefix of the data) still go out, the rest never do, and `lastSent` tells how many were
 * handed. A write cancelled while waiting for its turn hands nothing. `writeSome()` returns the count
 * itself, for callers that must know exactly what went out.
 * Errors: ClosedError once the port is closed (pending and later writes); a TypeError for other data.
 * Memory: nothing is copied (the port gets views on your bytes; a string is encoded once); each write
 * allocates a small request and a generator (or promise).
 * @example
 *   yield* uart.writer.write("AT+CSQ\r\n");
 *   yield* uart.writer.drain();   // everything handed to the port
 */
export class UartWriter implements Waitable {
  /** Bytes handed to the port in total. */
  written = 0;
  /** Bytes the last write (or writeSome) to end handed to the port before it returned, failed or was cancelled. */
  lastSent = 0;
  /** @internal free space announced by the port, minus what was handed since */ free = 0;
  /** @internal */ readonly waiters = new WaitQueue();
  /** @internal serialises writes */ readonly lock = new Lock();
  private serial: Serial | null = null;
  private closed = false;

  /** True once the port was closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the port can take now without waiting. */
  get writable(): number {
    return this.free;
  }

  /**
   * Hand all of `data` to the port, waiting for room as needed; returns its length. Completes when the
   * last byte was handed to the port's transmit buffer (not when it left the wire).
   */
  write(data: Uint8Array | ArrayBuffer | string): Op<number> {
    return this.start(toBytes(data), false);
  }

  /** Wait for room (and for earlier writes), hand as many bytes as fit, return how many (>= 1 unless data is empty). */
  writeSome(data: Uint8Array | ArrayBuffer | string): Op<number> {
    return this.start(toBytes(data), true);
  }

  /**
   * Non-blocking twin: hand what fits now and return the count (0 if the port is full or another write
   * is in progress, so bytes are never interleaved). Throws ClosedError once closed.
   */
  writeNowait(data: Uint8Array | ArrayBuffer | string): number {
    if (this.closed) throw new ClosedError("uart closed");
    const bytes = toBytes(data);
    if (this.lock.locked || this.free === 0) return 0;
    return this.hand(new WriteReq(this, bytes));
  }

  /**
   * Wait until every write started before this call has handed all its bytes to the port. Cancel-safe
   * (it takes nothing). On a closed port it returns once earlier writes have failed.
   */
  drain(): Op<void> {
    return composite(currentTask(), () => drainGen(this));
  }

  /** Counters, for debugging. */
  stats(): { written: number; free: number; writing: boolean; queued: number; closed: boolean } {
    return { written: this.written, free: this.free, writing: this.lock.locked, queued: this.lock.waiting, closed: this.closed };
  }

  // ---- the edge: called from the port's callbacks (outside tasks) -------------------------------

  /** @internal */
  attach(serial: Serial): void {
    this.serial = serial;
  }

  /** @internal onWritable: record the free space, wake the writer. */
  room(bytes: number): void {
    if (this.closed) return;
    this.free = bytes;
    const q = this.waiters;
    for (let t = q.shift(); t !== null; t = q.shift()) t.sched.wake(t, RETRY);
  }

  /** @internal the port is closed: pending and later writes end with ClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.serial = null;
    this.free = 0;
    const err = new ClosedError("uart closed");
    for (let t = this.waiters.shift(); t !== null; t = this.waiters.shift()) t.sched.wakeThrow(t, err);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  /** @internal hand the port what fits (free > 0); returns the count */
  hand(q: WriteReq): number {
    const n = Math.min(this.free, q.bytes.length - q.sent);
    if (n <= 0) return 0;
    this.serial!.write(q.bytes.subarray(q.sent, q.sent + n));
    this.free -= n;
    this.written += n;
    q.sent += n;
    return n;
  }

  private start(bytes: Uint8Array, some: boolean): Op<number> {
    const q = new WriteReq(this, bytes);
    return composite(currentTask(), () => writeGen(q, some));
  }
}
