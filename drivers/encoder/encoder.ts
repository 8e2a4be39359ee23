import type { DigitalConstructor } from "../../firmware/platform/io";
import { composite, ClosedError, InvalidStateError, currentTask, currentTaskOrNull, type Op, activeScheduler, type Gen } from "../../firmware/sched/kernel";
import { ThreadSafeFlag } from "../../firmware/sync/flag";
import { PinEdges } from "../pin/edges";

/** Options of {@link Encoder}. */
export interface EncoderOptions {
  /** The Digital class (`device.io.Digital`, or the simulated pins' `Digital`). */
  Digital: DigitalConstructor;
  /** The A and B (quadrature) pins. Clockwise: A leads B (from a detent, A falls first). */
  pinA: number;
  pinB: number;
  /** Input mode (default InputPullUp: contacts to ground, both high at a detent). */
  mode?: number;
  /** Quadrature steps (edges) per position step (default 4: one step per full cycle, a detent on most encoders). */
  division?: number;
  /** Position limits (default none). Without `wrap`, the position stops at them; with it, it wraps around. */
  min?: number;
  max?: number;
  wrap?: boolean;
  /** Initial position (default 0, or min when 0 is outside the limits). */
  position?: number;
  /** Velocity is averaged over this window (default 200 ms). */
  velocityMs?: number;
  /** µs clock read in the pin callbacks (default: the scheduler clock). Pass `() => Time.microseconds` on a device. */
  nowUs?: () => number;
}

/** Gray-code transition table: index (old AB << 2 | new AB) -> quadrature step (+1, -1, 0; 2 = invalid, both changed). */
const TRANSITION = [0, -1, 1, 2, 1, 0, 2, -1, -1, 2, 0, 1, 2, 1, -1, 0];
const MOVES = 16;

function finite(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`Encoder: ${what} must be a finite number, got ${String(v)}`);
  return v;
}

function* nextGen(e: Encoder): Gen<number> {
  e.enterNext();
  try {
    while (!e.changed()) yield* e.flag.wait();
    return e.deliver();
  } finally {
    e.leaveNext();
  }
}

/**
 * An incremental (quadrature) encoder on two pins, through the pin-edge driver in callback mode: each edge
 * callback reads both pins and steps a Gray-code state machine (a table lookup: record and signal only),
 * so contact bounce cancels out (a glitch is a step forward and one back), and a position step is taken
 * only after `division` quadrature steps in one direction. A transition where both pins changed (an edge
 * was missed: callbacks merged or late) is counted in `invalid` and ignored.
 *
 * - `position`: the position now (limits: clamp, or wrap with `wrap: true`); `set(p)` moves it.
 * - `velocity()`: position steps per second over the last `velocityMs` (signed).
 * - `next()` / `for await`: the change stream, coalesced: it waits until the position differs from the last
 *   one it returned and gives the position now, so a slow consumer gets the latest value, not a backlog
 *   (`coalesced` counts the positions it skipped).
 *
 * Cancel-safe: a cancelled or timed-out `next()` consumes nothing (the next call sees the change).
 * Errors: bad options are TypeError/RangeError (before any pin is opened); the Digital constructor's errors
 * pass through (both pins are released); a second concurrent `next()` is an InvalidStateError; `next()`
 * after or during `close()` ends with ClosedError (async iteration ends).
 * Memory: two PinEdges in callback mode (no ring), a flag, 16 move timestamps (Float64Array, 128 B) and
 * directions; the callbacks allocate nothing; `next()` allocates its generator (or promise).
 * @example
 *   const knob = new Encoder({ Digital: device.io.Digital, pinA: 2, pinB: 3, min: 0, max: 100 });
 *   for (;;) { const p = yield* knob.next(); trace(`position ${p}\n`); }
 */
export class Encoder {
  /** Edge callbacks, quadrature steps taken, invalid transitions, position steps, steps stopped at a limit, changes delivered. */
  edges = 0;
  steps = 0;
  invalid = 0;
  moves = 0;
  clamped = 0;
  delivered = 0;
  coalesced = 0;
  readonly division: number;
  readonly min: number;
  readonly max: number;
  readonly wrap: boolean;
  readonly velocityMs: number;
  /** @internal */ readonly flag = new ThreadSafeFlag();
  private readonly a: PinEdges;
  private readonly b: PinEdges;
  private readonly clock: () => number;
  private readonly moveUs = new Float64Array(MOVES);
  private readonly moveDir = new Int8Array(MOVES);
  private moveHead = 0;
  private state: number;
  private sub = 0;
  private pos: number;
  private lastDelivered: number;
  private movesAtDelivery = 0;
  private consuming = false;
  private closed = false;

  /** Construct it in a task or while a scheduler runs (for the default clock). */
  constructor(options: EncoderOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("Encoder needs options { Digital, pinA, pinB }");
    const { Digital, pinA, pinB } = options;
    if (typeof Digital !== "function") throw new TypeError("Encoder: options.Digital must be the Digital class");
    if (pinA === pinB) throw new RangeError(`Encoder: pinA and pinB must differ, both are ${String(pinA)}`);
    const division = options.division ?? 4;
    if (!Number.isInteger(division) || division < 1) throw new RangeError(`Encoder: division must be an integer >= 1, got ${String(division)}`);
    this.division = division;
    this.min = options.min === undefined ? -Infinity : finite(options.min, "min");
    this.max = options.max === undefined ? Infinity : finite(options.max, "max");
    if (this.min > this.max) throw new RangeError(`Encoder: min (${this.min}) is above max (${this.max})`);
    this.wrap = options.wrap === true;
    if (this.wrap && (this.min === -Infinity || this.max === Infinity)) throw new RangeError("Encoder: wrap needs both min and max");
    const velocityMs = options.velocityMs ?? 200;
    if (!(velocityMs > 0) || velocityMs === Infinity) throw new RangeError(`Encoder: velocityMs must be a number > 0, got ${String(velocityMs)}`);
    this.velocityMs = velocityMs;
    const start = options.position ?? (0 >= this.min && 0 <= this.max ? 0 : this.min);
    this.pos = this.limit(finite(start, "position"));
    this.lastDelivered = this.pos;
    if (options.nowUs !== undefined) this.clock = options.nowUs;
    else {
      const t = currentTaskOrNull();
      const s = t !== null ? t.sched : activeScheduler();
      this.clock = () => Math.round(s.now() * 1000);
    }
    const mode = options.mode ?? Digital.InputPullUp;
    // captured edges carry the level each pin had at that edge, in order across both pins: the state machine
    // steps on those; on the JS callback path the callback reads both pins when it runs
    this.a = new PinEdges({ Digital, pin: pinA, mode, capacity: 1, onEdge: (level) => (this.a.captured ? this.edge((level << 1) | (this.state & 1)) : this.sample()) });
    try {
      this.b = new PinEdges({ Digital, pin: pinB, mode, capacity: 1, onEdge: (level) => (this.b.captured ? this.edge((this.state & 2) | level) : this.sample()) });
    } catch (e) {
      this.a.close();
      throw e;
    }
    if (options.nowUs === undefined && this.a.captured) this.clock = () => this.a.nowUs();
    this.state = (this.a.level() << 1) | this.b.level();
  }

  /** The position now. */
  get position(): number {
    return this.pos;
  }

  /** Set the position (limits apply); the change stream reports it like a turn. */
  set(position: number): void {
    this.pos = this.limit(finite(position, "position"));
    this.sub = 0;
    this.flag.set();
  }

  /** Position steps per second over the last `velocityMs` (negative: counter-clockwise). */
  velocity(): number {
    const now = this.clock();
    const from = now - this.velocityMs * 1000;
    let sum = 0;
    for (let i = 0; i < MOVES; i++) {
      const at = this.moveUs[i]!;
      if (this.moveDir[i] !== 0 && at > from && at <= now) sum += this.moveDir[i]!;
    }
    return (sum * 1000) / this.velocityMs;
  }

  /** Wait until the position differs from the one last returned; returns the position now. One consumer. */
  next(): Op<number> {
    if (this.closed) throw new ClosedError("Encoder closed");
    return composite(currentTask(), () => nextGen(this));
  }

  /** Positions as they change (coalesced); ends at close(). */
  [Symbol.asyncIterator](): AsyncIterator<number> {
    return {
      next: async (): Promise<IteratorResult<number>> => {
        if (this.closed) return { value: undefined, done: true };
        try {
          return { value: await this.next(), done: false };
        } catch (e) {
          if (e instanceof ClosedError) return { value: undefined, done: true };
          throw e;
        }
      },
    };
  }

  stats(): { position: number; edges: number; steps: number; invalid: number; moves: number; clamped: number; delivered: number; coalesced: number } {
    return { position: this.pos, edges: this.edges, steps: this.steps, invalid: this.invalid, moves: this.moves, clamped: this.clamped, delivered: this.delivered, coalesced: this.coalesced };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Release both pins; a pending next() ends with ClosedError. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.a.close();
    } finally {
      this.b.close();
      this.flag.set();
    }
  }

  // ---- the pin callbacks and the consumer ---------------------------------------------------

  /** @internal both pins' callbacks on the JS callback path: read the levels now, then as edge() */
  sample(): void {
    if (this.closed) return;
    this.edge((this.a.level() << 1) | this.b.level());
  }

  /** @internal one edge: the two pins' levels after it (A << 1 | B); step the state machine, signal */
  edge(s: number): void {
    if (this.closed) return;
    this.edges++;
    const step = TRANSITION[(this.state << 2) | s]!;
    this.state = s;
    if (step === 0) return;
    if (step === 2) {
      this.invalid++;
      this.sub = 0;
      return;
    }
    this.steps++;
    this.sub += step;
    if (this.sub >= this.division) this.move(1);
    else if (this.sub <= -this.division) this.move(-1);
  }

  /** @internal */
  changed(): boolean {
    if (this.closed) throw new ClosedError("Encoder closed");
    return this.pos !== this.lastDelivered;
  }

  /** @internal */
  deliver(): number {
    this.delivered++;
    const skipped = this.moves - this.movesAtDelivery - 1;
    if (skipped > 0) this.coalesced += skipped;
    this.movesAtDelivery = this.moves;
    this.lastDelivered = this.pos;
    return this.pos;
  }

  /** @internal */
  enterNext(): void {
    if (this.consuming) throw new InvalidStateError("Encoder: next() has one consumer, and one is already waiting");
    this.consuming = true;
  }

  /** @internal */
  leaveNext(): void {
    this.consuming = false;
  }

  private move(dir: number): void {
    this.sub = 0;
    const before = this.pos;
    this.pos = this.limit(this.pos + dir);
    if (this.pos === before) {
      this.clamped++;
      return;
    }
    this.moves++;
    const i = this.moveHead;
    this.moveUs[i] = this.clock();
    this.moveDir[i] = dir;
    this.moveHead = (i + 1) % MOVES;
    this.flag.set();
  }

  private limit(p: number): number {
    if (this.wrap) {
      const range = this.max - this.min + 1;
      return this.min + ((((p - this.min) % range) + range) % range);
    }
    return p < this.min ? this.min : p > this.max ? this.max : p;
  }
}
