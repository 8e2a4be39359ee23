import type { ByteBuffer, Serial, SerialOptions } from "../firmware/platform/io";
import type { CallbackHandle } from "../firmware/sched/scheduler";
import { SimClock, seededRandom } from "./time";
import { chargeCpu, cpuMs } from "./cpu";

/**
 * How bytes on a simulated line are grouped into deliveries: a list of chunk sizes (used in turn,
 * cycling), or "random" (sizes 1..64 from a seeded PRNG). The timing never depends on the chunking:
 * byte i of a transfer always completes at start + (i + 1) * 10 / baud s; a chunk is delivered when its
 * last byte completes.
 */
export type Chunking = number[] | "random";

/** Options for a paced transfer. */
export interface LineOptions {
  chunking?: Chunking;
  /** Seed for "random" chunking (default 1). */
  seed?: number;
}

/** Options of {@link SimSerialPort}: the ECMA-419 options plus the simulated hardware's. */
export interface SimSerialOptions extends SerialOptions {
  /** Receive FIFO size in bytes (default 256). Bytes arriving while it is full are dropped and counted in `overruns`. */
  receiveBufferSize?: number;
  /** Transmit buffer size in bytes (default 128): `write()` of more than the free space throws. */
  transmitBufferSize?: number;
  /** How transmitted bytes leave the port (default chunks of 16 bytes: one onWritable per 16 bytes sent). */
  transmitChunking?: LineOptions;
  /** The clock (default: the running scheduler's). */
  clock?: SimClock;
  /** Simulated CPU time per line written (per "\n" in the bytes written; see sim/cpu). Default 0. */
  cpuMsPerLine?: number;
}

/** Fault injection on the bytes the peer sends, by seed. Probabilities per byte. */
export interface FaultOptions {
  seed?: number;
  /** Probability that a byte is lost on the line (it still takes its line time). */
  drop?: number;
  /** Probability that a random garbage byte arrives before a byte (line noise). */
  garbage?: number;
}

/** Options of {@link SimSerialPeer.respond}. */
export interface RespondOptions {
  /** Time from receiving the matching line to sending the first reply string (default 0). */
  delayMs?: number;
  /** Time between the starts of successive reply strings (default 0: back to back). */
  gapMs?: number;
  /** Answer only this many times (default: always). */
  times?: number;
}

type Reply = string | string[] | ((line: string) => string | string[]);
type Matcher = string | RegExp | ((line: string) => boolean);

const DEFAULT_CHUNK = [16];
const RANDOM_MAX = 64;

/** Yields chunk sizes for a line. */
class Chunker {
  private i = 0;
  private readonly rand: (() => number) | null;
  private readonly sizes: number[];
  constructor(opts: LineOptions | undefined) {
    const c = opts?.chunking ?? DEFAULT_CHUNK;
    if (c === "random") {
      this.rand = seededRandom(opts?.seed ?? 1);
      this.sizes = DEFAULT_CHUNK;
    } else {
      if (c.length === 0 || c.some((n) => !(n >= 1) || n !== Math.floor(n))) throw new RangeError(`chunk sizes must be whole numbers >= 1, got [${c.join(", ")}]`);
      this.rand = null;
      this.sizes = c;
    }
  }
  next(): number {
    if (this.rand !== null) return 1 + Math.floor(this.rand() * RANDOM_MAX);
    const n = this.sizes[this.i]!;
    this.i = (this.i + 1) % this.sizes.length;
    return n;
  }
}

interface Segment {
  bytes: Uint8Array;
  off: number;
  chunker: Chunker;
}

/**
 * One direction of a wire: a transmitter sending queued bytes back to back at line rate, delivering
 * them to `sink` in chunks. Each delivery is an event-loop callback (SimClock), never synchronous.
 */
class Line {
  private readonly segs: Segment[] = [];
  /** Bytes queued and not yet delivered. */
  queued = 0;
  /** Time the last queued byte completes (or the last one did). */
  endsAt = 0;
  private timer: CallbackHandle | null = null;
  private pending = 0;
  private readonly fireCb = (): void => this.fire();
  constructor(
    private readonly clock: SimClock,
    private readonly byteMs: number,
    private readonly sink: (chunk: Uint8Array) => void,
  ) {}

  /** Queue `bytes` (owned by the line from now on); returns the time their last byte completes. */
  push(bytes: Uint8Array, chunker: Chunker): number {
    if (bytes.length === 0) return Math.max(this.clock.nowMs(), this.endsAt);
    const now = this.clock.nowMs();
    if (this.queued === 0 && this.endsAt < now) this.endsAt = now;
    this.segs.push({ bytes, off: 0, chunker });
    this.queued += bytes.length;
    this.endsAt += bytes.length * this.byteMs;
    if (this.timer === null) this.schedule(now);
    return this.endsAt;
  }

  /** Drop everything queued, stop delivering. */
  stop(): void {
    if (this.timer !== null) this.timer.cancel();
    this.timer = null;
    this.segs.length = 0;
    this.queued = 0;
  }

  private lineStart = 0;
  private schedule(now: number): void {
    const s = this.segs[0];
    if (s === undefined) return;
    const k = Math.min(s.chunker.next(), s.bytes.length - s.off);
    const start = Math.max(now, this.lineStart);
    const end = start + k * this.byteMs;
    this.lineStart = end;
    this.pending = k;
    this.timer = this.clock.at(end, this.fireCb);
  }

  private fire(): void {
    this.timer = null;
    const s = this.segs[0]!;
    const k = this.pending;
    const chunk = s.bytes.subarray(s.off, s.off + k);
    s.off += k;
    if (s.off >= s.bytes.length) this.segs.shift();
    this.queued -= k;
    if (this.queued > 0) this.schedule(this.clock.nowMs());
    this.sink(chunk);
  }
}

function toBytes(v: Uint8Array | ArrayBuffer | ArrayBufferView | string): Uint8Array {
  if (typeof v === "string") return new TextEncoder().encode(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v.slice(0));
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

function matches(m: Matcher, line: string): boolean {
  if (typeof m === "string") return line === m;
  if (m instanceof RegExp) return m.test(line);
  return m(line);
}

interface Responder {
  matcher: Matcher;
  reply: Reply;
  delayMs: number;
  gapMs: number;
  left: number;
}

/**
 * The far end of a {@link SimSerialPort}, scriptable from tests: what it sends arrives in the port's
 * receive FIFO at line rate; what the port transmits is recorded here (`received()`), passed to
 * `onData` listeners and to scripted responders.
 */
export class SimSerialPeer {
  /** @internal */ readonly rx: Line;
  private readonly chunks: Uint8Array[] = [];
  private receivedBytes = 0;
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly responders: Responder[] = [];
  private lineBytes: number[] = [];
  private fault: { rand: () => number; drop: number; garbage: number } | null = null;
  /** Bytes the fault injection dropped / added. */
  readonly faultStats = { dropped: 0, garbage: 0 };

  /** @internal */
  constructor(private readonly port: SimSerialPort, clock: SimClock, byteMs: number) {
    this.rx = new Line(clock, byteMs, (chunk) => this.port.arrive(this.applyFaults(chunk)));
  }

  /**
   * Most bytes waiting on the line to the port (default 65536: 5.7 s at 115200 baud). A send that would
   * queue more is refused whole (counted in `refusedSends`, `refusedBytes`): whatever sends faster than the
   * line carries (a flood of dashboard messages) cannot grow the queue without bound.
   */
  maxQueued = 65536;
  /** Sends refused by `maxQueued`, and their bytes. */
  refusedSends = 0;
  refusedBytes = 0;

  /** Bytes sent and not yet arrived at the port. */
  get queued(): number {
    return this.rx.queued;
  }

  /**
   * Send bytes (or a string, UTF-8) to the port: they arrive at line rate, back to back after anything
   * sent before, in chunks as chosen (default 16 bytes). Returns the time (ms) the last byte arrives,
   * or NaN if the send was refused (more than `maxQueued` bytes would wait).
   * Nothing is sent once the port is closed.
   */
  send(data: Uint8Array | ArrayBuffer | string, opts?: LineOptions): number {
    if (this.port.isClosed) return this.port.clock.nowMs();
    const bytes = toBytes(data);
    if (this.rx.queued + bytes.length > this.maxQueued) {
      this.refusedSends++;
      this.refusedBytes += bytes.length;
      return NaN;
    }
    return this.rx.push(bytes, new Chunker(opts));
  }

  /** Everything the port transmitted so far (bytes that left the wire). */
  received(): Uint8Array {
    const out = new Uint8Array(this.receivedBytes);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  /** {@link received} decoded as UTF-8. */
  receivedText(): string {
    return new TextDecoder().decode(this.received());
  }

  /** Forget what was received. */
  clearReceived(): void {
    this.chunks.length = 0;
    this.receivedBytes = 0;
  }

  /**
   * Keep at least this many of the most recent received bytes (default 1 MiB); older chunks are forgotten
   * (`received()` starts later) and `totalReceived` counts every byte, so a long soak runs in flat memory.
   */
  historyLimit = 1 << 20;
  /** Every byte the port transmitted, including those the history forgot. */
  totalReceived = 0;

  /** Call `cb` with each chunk the port transmits, when it leaves the wire (an event-loop callback). */
  onData(cb: (bytes: Uint8Array) => void): this {
    this.listeners.push(cb);
    return this;
  }

  /** Wire the port's TX to its own RX (the peer still records what passes). */
  loopback(opts?: LineOptions): this {
    this.port.wire(this.port, opts);
    return this;
  }

  /** Cross-wire the port with `other`: each one's TX feeds the other's RX. */
  connect(other: SimSerialPort, opts?: LineOptions): this {
    this.port.wire(other, opts);
    other.wire(this.port, opts);
    return this;
  }

  /**
   * A scripted device: when the port transmits a line (terminated by "\n"; compared without "\r\n")
   * that matches, send `reply` after `delayMs`: a string as is, an array as strings spaced `gapMs`
   * apart (include the "\r\n" yourself), or a function of the line. Responders are tried in order; the
   * first match answers.
   */
  respond(matcher: Matcher, reply: Reply, opts: RespondOptions = {}): this {
    this.responders.push({ matcher, reply, delayMs: opts.delayMs ?? 0, gapMs: opts.gapMs ?? 0, left: opts.times ?? Infinity });
    return this;
  }

  /** Inject faults into what the peer sends from now on (deterministic by seed). */
  faults(opts: FaultOptions): this {
    this.fault = { rand: seededRandom(opts.seed ?? 1), drop: opts.drop ?? 0, garbage: opts.garbage ?? 0 };
    return this;
  }

  /** @internal the port transmitted `chunk` (it left the wire) */
  tap(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.receivedBytes += chunk.length;
    this.totalReceived += chunk.length;
    if (this.receivedBytes >= 2 * this.historyLimit) {
      let drop = 0;
      while (this.receivedBytes > this.historyLimit) this.receivedBytes -= this.chunks[drop++]!.length;
      this.chunks.splice(0, drop);
    }
    for (const l of this.listeners) l(chunk);
    if (this.responders.length > 0) this.scan(chunk);
  }

  private scan(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b !== 10) {
        this.lineBytes.push(b);
        continue;
      }
      let line = new TextDecoder().decode(new Uint8Array(this.lineBytes));
      this.lineBytes = [];
      if (line.endsWith("\r")) line = line.slice(0, -1);
      this.answer(line);
    }
  }

  private answer(line: string): void {
    for (const r of this.responders) {
      if (r.left <= 0 || !matches(r.matcher, line)) continue;
      r.left--;
      const reply = typeof r.reply === "function" ? r.reply(line) : r.reply;
      const parts = typeof reply === "string" ? [reply] : reply;
      const clock = this.port.clock;
      parts.forEach((p, i) => clock.after(r.delayMs + i * r.gapMs, () => void this.send(p)));
      return;
    }
  }

  private applyFaults(chunk: Uint8Array): Uint8Array {
    const f = this.fault;
    if (f === null) return chunk;
    const out: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      if (f.garbage > 0 && f.rand() < f.garbage) {
        out.push(Math.floor(f.rand() * 256));
        this.faultStats.garbage++;
      }
      if (f.drop > 0 && f.rand() < f.drop) {
        this.faultStats.dropped++;
        continue;
      }
      out.push(chunk[i]!);
    }
    return new Uint8Array(out);
  }
}

/**
 * A simulated UART with the ECMA-419 `embedded:io/serial` interface (implements SerialConstructor), for
 * tests and `npm start`. Behaves like the hardware where drivers can go wrong:
 *
 * - transfers are paced at 10 bits per byte: a written byte leaves 10/baud s after the previous one;
 *   onWritable(free bytes) fires as room frees up (once per transmitted chunk, and once after
 *   construction with the whole buffer free); `write()` of more than the free space THROWS, as on
 *   Moddable;
 * - received bytes arrive paced too, in chunks; onReadable(bytes available) runs from the event loop
 *   (a SimClock callback, outside tasks), never synchronously inside a call;
 * - the receive FIFO is bounded: bytes arriving while it is full are dropped and counted in `overruns`;
 * - format "buffer": `read(n)` returns an ArrayBuffer of up to n bytes (all available without n) or
 *   undefined; format "number": `read()` returns one byte or undefined;
 * - after `close()` no callback fires and read/write throw.
 *
 * The far end is scripted through `port.peer` ({@link SimSerialPeer}).
 * Memory: the two buffers, plus what the peer records (`peer.clearReceived()`).
 * @example
 *   const uart = new Uart(SimSerialPort, { baud: 115200 });
 *   const port = uart.serial as SimSerialPort;
 *   port.peer.respond("AT", ["OK\r\n"], { delayMs: 5 });
 */
export class SimSerialPort implements Serial {
  format: "number" | "buffer";
  /** Bytes dropped because the receive FIFO was full. */
  overruns = 0;
  /** Bytes written by the firmware (accepted by write()). */
  written = 0;
  /** The last values given to set(). */
  readonly signals: { break?: boolean; requestToSend?: boolean; dataTerminalReady?: boolean } = {};
  readonly peer: SimSerialPeer;
  readonly baud: number;
  /** @internal */ readonly clock: SimClock;
  private readonly rxBuf: Uint8Array;
  private rxHead = 0;
  private rxCount = 0;
  private readonly txSize: number;
  private tx: Line;
  private txChunking: LineOptions | undefined;
  private target: SimSerialPort | null = null;
  private closed = false;
  private readonly onReadable: ((this: Serial, bytes: number) => void) | undefined;
  private readonly onWritable: ((this: Serial, bytes: number) => void) | undefined;
  private initial: CallbackHandle | null = null;
  private readonly byteMs: number;
  private readonly lineMs: number;

  constructor(options: SimSerialOptions) {
    const baud = options.baud;
    if (!(baud > 0)) throw new RangeError(`baud must be > 0, got ${baud}`);
    const rx = options.receiveBufferSize ?? 256;
    const tx = options.transmitBufferSize ?? 128;
    if (!(rx >= 1) || !(tx >= 1)) throw new RangeError("buffer sizes must be >= 1");
    this.baud = baud;
    this.byteMs = 10_000 / baud;
    this.lineMs = cpuMs(options.cpuMsPerLine, "SimSerialPort cpuMsPerLine");
    this.clock = options.clock ?? new SimClock();
    this.format = options.format ?? "buffer";
    this.rxBuf = new Uint8Array(rx);
    this.txSize = tx;
    this.txChunking = options.transmitChunking;
    this.onReadable = options.onReadable;
    this.onWritable = options.onWritable;
    this.tx = this.newTxLine();
    this.peer = new SimSerialPeer(this, this.clock, this.byteMs);
    if (this.onWritable !== undefined) {
      this.initial = this.clock.after(0, () => {
        this.initial = null;
        if (!this.closed) this.onWritable!.call(this, this.writable);
      });
    }
  }

  /** Bytes waiting in the receive FIFO. */
  get readable(): number {
    return this.rxCount;
  }

  /** Free bytes in the transmit buffer (what onWritable last announced, minus writes since). */
  get writable(): number {
    return this.txSize - this.tx.queued;
  }

  /** Time (ms) one byte takes on the wire: 10 bits at the baud rate. */
  get byteTimeMs(): number {
    return this.byteMs;
  }

  read(byteLength?: number): number | ArrayBuffer | undefined {
    if (this.closed) throw new Error("Serial: closed");
    if (this.rxCount === 0) return undefined;
    if (this.format === "number") return this.take(1)[0];
    // the strictest port (Moddable's Pico): asking for more than is buffered throws
    if (byteLength !== undefined && byteLength > this.rxCount) {
      throw new RangeError(`Serial: read(${byteLength}) with ${this.rxCount} bytes buffered (read at most what onReadable reported)`);
    }
    const n = byteLength ?? this.rxCount;
    if (n <= 0) return undefined;
    return this.take(n).buffer as ArrayBuffer;
  }

  write(value: number | ByteBuffer): void {
    if (this.closed) throw new Error("Serial: closed");
    const bytes = typeof value === "number" ? new Uint8Array([value & 0xff]) : toBytes(value);
    const free = this.writable;
    if (bytes.length > free) throw new Error(`Serial: write of ${bytes.length} bytes with ${free} free (wait for onWritable)`);
    this.written += bytes.length;
    this.tx.push(bytes, new Chunker(this.txChunking));
    if (this.lineMs > 0) {
      let lines = 0;
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
      chargeCpu(this.clock, lines * this.lineMs);
    }
  }

  /** Discards the unread received bytes and the bytes not yet transmitted. */
  flush(): void {
    if (this.closed) throw new Error("Serial: closed");
    this.rxHead = this.rxCount = 0;
    this.tx.stop();
    this.tx = this.newTxLine();
  }

  set(options: { break?: boolean; requestToSend?: boolean; dataTerminalReady?: boolean }): void {
    if (this.closed) throw new Error("Serial: closed");
    Object.assign(this.signals, options);
  }

  /** Stop: no callback fires afterwards; bytes in flight are lost. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tx.stop();
    this.peer.rx.stop();
    if (this.initial !== null) this.initial.cancel();
  }

  /** True after close(). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal wire this port's TX to `to`'s RX (loopback when `to` is this port) */
  wire(to: SimSerialPort, opts: LineOptions | undefined): void {
    this.target = to;
    if (opts !== undefined) this.txChunking = opts;
  }

  /** @internal bytes arrive in the receive FIFO (an event-loop callback) */
  arrive(chunk: Uint8Array): void {
    if (this.closed) return;
    const cap = this.rxBuf.length;
    for (let i = 0; i < chunk.length; i++) {
      if (this.rxCount === cap) {
        this.overruns += chunk.length - i;
        break;
      }
      this.rxBuf[(this.rxHead + this.rxCount) % cap] = chunk[i]!;
      this.rxCount++;
    }
    if (this.rxCount > 0 && this.onReadable !== undefined) this.onReadable.call(this, this.rxCount);
  }

  private newTxLine(): Line {
    return new Line(this.clock, this.byteMs, (chunk) => this.sent(chunk));
  }

  /** a chunk left the wire */
  private sent(chunk: Uint8Array): void {
    if (this.closed) return;
    this.peer.tap(chunk);
    if (this.target !== null) this.target.arrive(chunk);
    if (!this.closed && this.onWritable !== undefined) this.onWritable.call(this, this.writable);
  }

  private take(n: number): Uint8Array {
    const cap = this.rxBuf.length;
    const out = new Uint8Array(n);
    const first = Math.min(n, cap - this.rxHead);
    out.set(this.rxBuf.subarray(this.rxHead, this.rxHead + first), 0);
    if (first < n) out.set(this.rxBuf.subarray(0, n - first), first);
    this.rxHead = (this.rxHead + n) % cap;
    this.rxCount -= n;
    return out;
  }
}
