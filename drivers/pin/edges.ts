import { edgeCaptureFor, type EdgeCapture, type EdgeSource } from "../../firmware/platform/edges";
import type { Digital, DigitalConstructor } from "../../firmware/platform/io";
import { ClosedError, InvalidStateError, currentTaskOrNull, op, type Op, activeScheduler, type Task, type Waitable } from "../../firmware/sched/kernel";

/** One edge: the level the pin went to and when (µs on the `nowUs` clock). */
export interface Edge {
  readonly level: 0 | 1;
  readonly us: number;
}

/** Options for {@link PinEdges}. */
export interface PinEdgesOptions {
  /** The Digital class (`device.io.Digital` on a device, `pins.Digital` in the simulator). */
  Digital: DigitalConstructor;
  pin: number;
  /** Input mode (default `Digital.Input`). */
  mode?: number;
  /** Rising = 1, Falling = 2, both = 3 (default 3). */
  edge?: number;
  /**
   * µs clock read in the pin callback (default: the scheduler clock). Pass `() => Time.microseconds` on a device.
   * Not used where the edges are captured (see `capture`): their times and `nowUs()` are the capture's clock.
   */
  nowUs?: () => number;
  /**
   * Where edges are time-stamped: the platform's capture for this Digital class by default (the Pico's GPIO
   * IRQ ring, the simulator's model of it: firmware/platform/edges), null for the JS pin callback path.
   */
  capture?: EdgeCapture | null;
  /** Ring size in edges (default 64), allocated once. */
  capacity?: number;
  /**
   * Callback mode: called from the pin callback with each edge instead of buffering it (next() then
   * never returns). It runs outside tasks: record and signal only.
   */
  onEdge?: (level: 0 | 1, us: number) => void;
}

function nextBody(t: Task, p: PinEdges): unknown {
  return p.take(t, false);
}
function iterBody(t: Task, p: PinEdges): unknown {
  return p.take(t, true);
}

/**
 * The edges of a digital input, as a stream tasks wait on: the pin callback only reads the level and a
 * µs timestamp into a preallocated ring and wakes the waiting task (style rule 10). Use it for pulse
 * decoders (IR) and anything that needs every edge with its time; for buttons use Switch / Pushbutton.
 *
 * Two paths, one behaviour: where the platform captures edges (the Pico's GPIO interrupt handler, the
 * simulator's model of it), each edge arrives with the level and time it had when it happened, in batches
 * at the next JS turn; elsewhere (the ESP32, `capture: null`) the JS pin callback reads the level and the
 * clock when it runs, which is late by whatever the main loop was doing (docs/drivers.md, "Edge timing").
 * `captured` says which path a pin took.
 *
 * - `next()` waits for the oldest unread edge (returns at once if one is buffered).
 * - `for await (const e of edges)` in async tasks; the loop ends when the pin is closed.
 * - `onEdge` option: callback mode, nothing buffered.
 * - Overrun: when the ring is full, a new edge is dropped (the oldest are kept, so what is read is an
 *   unbroken run of edges) and `overruns` counts it; `level()` still reads the pin now.
 *
 * Cancel-safe: a cancelled `next()` loses no edge: an edge handed to a waiter that is cancelled before
 * it ran goes back to the front of the ring (if the ring filled meanwhile, its newest edge is dropped and
 * counted). Timeouts work the same way (`failAfter(ms, () => edges.next())`).
 * Errors: `next()` after `close()`, or pending at `close()`, ends with ClosedError; a second task
 * waiting while one already waits is an InvalidStateError (one consumer); bad options are a
 * TypeError/RangeError; the Digital constructor's own errors (pin in use, bad pin) pass through.
 * Memory: the ring (9 bytes an edge: a Uint8Array and a Float64Array) plus one small object per edge
 * read (the returned Edge); the callback allocates nothing unless a task is waiting.
 * @example
 *   const edges = new PinEdges({ Digital: device.io.Digital, pin: 5, mode: device.io.Digital.InputPullUp });
 *   for (;;) { const e = yield* edges.next(); trace(`${e.level} at ${e.us} us\n`); }
 */
export class PinEdges implements Waitable {
  private readonly io: Digital;
  private readonly levels: Uint8Array;
  private readonly times: Float64Array;
  private readonly cap: number;
  private readonly clock: () => number;
  private readonly sink: ((level: 0 | 1, us: number) => void) | null;
  private readonly source: EdgeSource | null;
  private head = 0;
  private count = 0;
  private lost = 0;
  private waiter: Task | null = null;
  private iterWaiter = false;
  private isClosed = false;

  constructor(options: PinEdgesOptions) {
    const { Digital, pin } = options;
    if (typeof Digital !== "function") throw new TypeError("PinEdges: options.Digital must be the Digital class");
    const cap = options.capacity ?? 64;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`PinEdges: capacity must be an integer >= 1, got ${String(cap)}`);
    if (options.onEdge !== undefined && typeof options.onEdge !== "function") throw new TypeError("PinEdges: onEdge must be a function");
    this.cap = cap;
    this.levels = new Uint8Array(cap);
    this.times = new Float64Array(cap);
    this.sink = options.onEdge ?? null;
    const edge = options.edge ?? 3;
    if (edge !== 1 && edge !== 2 && edge !== 3) throw new RangeError(`PinEdges: edge must be Rising (1), Falling (2) or both (3), got ${String(edge)}`);
    const capture = options.capture !== undefined ? options.capture : edgeCaptureFor(Digital);
    if (capture !== null && (typeof capture !== "object" || typeof capture.open !== "function")) throw new TypeError("PinEdges: capture must be an edge capture (firmware/platform/edges) or null");
    if (capture !== null) this.clock = () => capture.nowUs();
    else if (options.nowUs !== undefined) this.clock = options.nowUs;
    else {
      const t = currentTaskOrNull();
      const s = t !== null ? t.sched : activeScheduler();
      this.clock = () => Math.round(s.now() * 1000);
    }
    const mode = options.mode ?? Digital.Input;
    if (capture === null) {
      const onReadable = (): void => this.record();
      this.io = new Digital({ pin, mode, edge, onReadable });
      this.source = null;
      return;
    }
    // the Digital only sets the mode and reads the pin; the capture time-stamps the edges
    this.io = new Digital({ pin, mode });
    try {
      this.source = capture.open(pin, edge, (level, us) => this.push(level, us));
    } catch (e) {
      this.io.close();
      throw e;
    }
  }

  /** Are this pin's edges time-stamped by the platform's capture (true), or in the JS pin callback (false)? */
  get captured(): boolean {
    return this.source !== null;
  }

  /** The µs clock edge times are on (the capture's, or `nowUs`): how late is a task, compared with an edge? */
  nowUs(): number {
    return this.clock();
  }

  /** Hand over the edges the capture holds now (they also come by themselves at the next JS turn); no-op on the JS callback path. */
  drain(): void {
    if (this.source !== null && !this.isClosed) this.source.drain();
  }

  /** Wait for the next edge (the oldest buffered one, or the next to arrive). */
  next(): Op<Edge> {
    return op<Edge, PinEdges>(nextBody, this);
  }

  /** The oldest buffered edge, or null if none (the non-blocking twin of next()). ClosedError once closed. */
  tryNext(): Edge | null {
    if (this.isClosed) throw new ClosedError("PinEdges: closed");
    return this.count > 0 ? this.shift() : null;
  }

  /** Async iteration over edges; ends when the pin is closed. */
  [Symbol.asyncIterator](): AsyncIterator<Edge> {
    return { next: () => op<IteratorResult<Edge>, PinEdges>(iterBody, this) as unknown as Promise<IteratorResult<Edge>> };
  }

  /** What the pin reads now. */
  level(): 0 | 1 {
    if (this.isClosed) throw new ClosedError("PinEdges: closed");
    return this.io.read();
  }

  /** Edges buffered, not yet read. */
  get pending(): number {
    return this.count;
  }

  /** Edges dropped because a ring was full (this driver's, or the capture's). */
  get overruns(): number {
    return this.source === null || this.isClosed ? this.lost : this.lost + this.source.overruns;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Drop the buffered edges (the overrun count stays). */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  stats(): { pending: number; overruns: number; capacity: number; waiting: number } {
    return { pending: this.count, overruns: this.overruns, capacity: this.cap, waiting: this.waiter === null ? 0 : 1 };
  }

  /** Release the pin: no edge is recorded afterwards; a pending next() ends with ClosedError (an async iteration ends). Safe twice. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.count = 0;
    if (this.source !== null) {
      this.lost += this.source.overruns;
      this.source.close();
    }
    this.io.close();
    const t = this.waiter;
    if (t === null) return;
    this.waiter = null;
    if (this.iterWaiter) t.sched.wake(t, { value: undefined, done: true });
    else t.sched.wakeThrow(t, new ClosedError("PinEdges: closed"));
  }

  /** @internal the pin callback (JS callback path): read the level and the time now, then as push() */
  record(): void {
    if (this.isClosed) return;
    this.push(this.io.read(), this.clock());
  }

  /** @internal one edge (from the capture, or from record()): record and signal, nothing else */
  push(level: 0 | 1, us: number): void {
    if (this.isClosed) return;
    if (this.sink !== null) {
      this.sink(level, us);
      return;
    }
    const t = this.waiter;
    if (t !== null) {
      this.waiter = null;
      const e: Edge = { level, us };
      t.sched.wake(t, this.iterWaiter ? { value: e, done: false } : e);
      return;
    }
    if (this.count === this.cap) {
      this.lost++;
      return;
    }
    const i = (this.head + this.count) % this.cap;
    this.levels[i] = level;
    this.times[i] = us;
    this.count++;
  }

  /** @internal body of next() and of the async iterator */
  take(t: Task, iter: boolean): unknown {
    if (this.isClosed) {
      if (iter) return { value: undefined, done: true };
      throw new ClosedError("PinEdges: closed");
    }
    if (this.waiter !== null) throw new InvalidStateError(`task ${t.name}: PinEdges has one consumer, and task ${this.waiter.name} is already waiting`);
    if (this.count > 0) {
      const e = this.shift();
      return iter ? { value: e, done: false } : e;
    }
    this.waiter = t;
    this.iterWaiter = iter;
    return t.sched.park(t, this);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    if (this.waiter === t) this.waiter = null;
    return false;
  }

  /** @internal woken with an edge, cancelled before it ran: the edge goes back to the front */
  undoWake(_t: Task, value: unknown): boolean {
    if (this.isClosed) return true;
    const e = ("done" in (value as object) ? (value as IteratorResult<Edge>).value : value) as Edge;
    const w = this.waiter;
    if (w !== null) {
      // another task started waiting meanwhile (so the ring is empty): it gets the edge
      this.waiter = null;
      w.sched.wake(w, this.iterWaiter ? { value: e, done: false } : e);
      return true;
    }
    if (this.count === this.cap) {
      this.count--;
      this.lost++;
    }
    this.head = (this.head + this.cap - 1) % this.cap;
    this.levels[this.head] = e.level;
    this.times[this.head] = e.us;
    this.count++;
    return true;
  }

  private shift(): Edge {
    const i = this.head;
    this.head = (i + 1) % this.cap;
    this.count--;
    return { level: this.levels[i] as 0 | 1, us: this.times[i]! };
  }
}
