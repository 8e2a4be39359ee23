import type { EdgeCapture, EdgeSource } from "../firmware/platform/edges";
import type { Digital, DigitalConstructor, DigitalOptions } from "../firmware/platform/io";
import { SimClock, seededRandom } from "./time";

/** Mode numbers as in Moddable's embedded:io/digital. */
const INPUT = 0, PULL_UP = 1, PULL_DOWN = 2, PULL_UPDOWN = 3, OUTPUT = 8, OPEN_DRAIN = 9;
const MODES = [INPUT, PULL_UP, PULL_DOWN, PULL_UPDOWN, OUTPUT, OPEN_DRAIN];
const MODE_NAMES: { [m: number]: string } = { 0: "Input", 1: "InputPullUp", 2: "InputPullDown", 3: "InputPullUpDown", 8: "Output", 9: "OutputOpenDrain" };

/** One output write, stamped with the scheduler's clock. */
export interface OutputWrite {
  ms: number;
  level: 0 | 1;
}

/** The state of one pin of the bank. */
class PinRec {
  /** external stimulus: null = not driven (the pull, or the open-drain release, decides) */
  ext: 0 | 1 | null = null;
  /** a noise glitch in progress inverts what the pin reads */
  glitch = false;
  out: 0 | 1 = 0;
  owner: SimDigital | null = null;
  /** what read() returned after the last change: edges are changes of this */
  last: 0 | 1 = 0;
  lastEdgeUs = -1;
  /** the recent output writes (a bounded history: see SimPins.historyLimit) */
  readonly writes: OutputWrite[] = [];
  /** every output write so far */
  writeCount = 0;
  readonly watchers: ((level: 0 | 1, ms: number) => void)[] = [];
}

/** @internal one open pin; the class handed out as `pins.Digital` extends it. */
class SimDigital implements Digital {
  /** @internal */ bank: SimPins | null = null;
  /** @internal */ pin = -1;
  /** @internal */ mode = INPUT;
  /** @internal */ edge = 0;
  /** @internal */ cb: ((this: Digital) => void) | null = null;
  /** @internal a delivery is scheduled (coalescing banks only) */ pending = false;

  read(): 0 | 1 {
    return this.live().level(this.pin);
  }

  write(value: 0 | 1): void {
    const bank = this.live();
    if (this.mode !== OUTPUT && this.mode !== OPEN_DRAIN) throw new Error(`Digital pin ${this.pin}: write() on an input (mode ${MODE_NAMES[this.mode]})`);
    if (value !== 0 && value !== 1) throw new RangeError(`Digital pin ${this.pin}: write() needs 0 or 1, got ${String(value)}`);
    bank.written(this.pin, value);
  }

  /** Release the pin: no callback fires afterwards, even one already due. Safe twice. */
  close(): void {
    const bank = this.bank;
    if (bank === null) return;
    this.bank = null;
    this.cb = null;
    bank.release(this.pin, this);
  }

  private live(): SimPins {
    if (this.bank === null) throw new Error(`Digital pin ${this.pin}: closed`);
    return this.bank;
  }
}

function deliver(d: SimDigital): void {
  d.pending = false;
  const cb = d.cb;
  if (cb !== null && d.bank !== null) cb.call(d);
}

/** Options for {@link SimPins}. */
export interface SimPinsOptions {
  /** Valid pins are 0..pins-1 (default 48, an ESP32-S3). */
  pins?: number;
  /**
   * Merge edges that arrive while a delivery is pending into one onReadable call (what an interrupt
   * flag does on a device). Default false: one onReadable per edge.
   */
  coalesce?: boolean;
  /**
   * Model the Pico (Moddable 8.2.3): closing a pin that watched edges removes the GPIO interrupt handler
   * of every pin, so the next edge delivered to any pin halts the chip. Here that edge throws (default false).
   */
  closingEdgesHalts?: boolean;
  /**
   * Model the Pico's edge capture (firmware/platform/pico/edges): `Digital.edgeCapture` time-stamps edges
   * when they happen into a ring of `captureRing` edges, so PinEdges (and the drivers on it) take the same
   * path as on the Pico. Default true; false: `Digital.edgeCapture` is null (the JS pin callback path, as on
   * the ESP32).
   */
  capture?: boolean;
  /** Edges the capture's ring holds (default 256, as on the Pico). */
  captureRing?: number;
}

/** One pin watched by the capture. */
interface Watch {
  edge: number;
  onEdge: (level: 0 | 1, us: number) => void;
  overruns: number;
}

/**
 * The simulator's model of the Pico's edge capture (firmware/platform/pico/edges.c): each edge of a watched
 * pin is recorded as (pin, level, µs) in one ring shared by the watched pins at the instant the pin changes
 * (on an EdgeClock, the time the stimulus was due, even when a busy scheduler drives it late), and the
 * edges are handed to their pins' callbacks, in order, by one callback at the next turn of the loop (a
 * batch, as the Pico's one message per batch). A full ring drops the new edge and counts an overrun for
 * its pin. Memory: the ring (10 bytes an edge) and a record per watched pin.
 */
export class SimEdgeCapture implements EdgeCapture {
  readonly name = "simulated ring";
  /** Batches handed over so far (deliveries of the model's message). */
  batches = 0;
  private readonly pins: Uint8Array;
  private readonly levels: Uint8Array;
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  private posted = false;
  private readonly watches = new Map<number, Watch>();

  constructor(private readonly bank: SimPins, readonly capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SimEdgeCapture: the ring needs an integer capacity >= 1, got ${String(capacity)}`);
    this.pins = new Uint8Array(capacity);
    this.levels = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
  }

  nowUs(): number {
    return this.bank.clock.nowUs();
  }

  open(pin: number, edge: number, onEdge: (level: 0 | 1, us: number) => void): EdgeSource {
    if (edge !== 1 && edge !== 2 && edge !== 3) throw new RangeError(`edge capture: edge must be 1, 2 or 3, got ${String(edge)}`);
    if (typeof onEdge !== "function") throw new TypeError("edge capture: onEdge must be a function");
    if (!this.bank.inUse(pin)) throw new Error(`edge capture: pin ${pin} is not open (open it as an input Digital first)`);
    if (this.watches.has(pin)) throw new Error(`edge capture: pin ${pin} already watched`);
    const w: Watch = { edge, onEdge, overruns: 0 };
    this.watches.set(pin, w);
    let open = true;
    return {
      get overruns(): number {
        return w.overruns;
      },
      drain: (): void => this.drain(),
      close: (): void => {
        if (!open) return;
        open = false;
        if (this.watches.get(pin) === w) this.watches.delete(pin);
      },
    };
  }

  /** Edges recorded and not yet handed over. */
  get pending(): number {
    return this.count;
  }

  /** @internal the "interrupt handler": the pin changed to `level` at `us` */
  record(pin: number, level: 0 | 1, us: number): boolean {
    const w = this.watches.get(pin);
    if (w === undefined) return false;
    if ((w.edge & (level === 1 ? 1 : 2)) === 0) return true;
    if (this.count === this.capacity) {
      w.overruns++;
      return true;
    }
    const i = (this.head + this.count) % this.capacity;
    this.pins[i] = pin;
    this.levels[i] = level;
    this.times[i] = us;
    this.count++;
    if (!this.posted) {
      this.posted = true;
      this.bank.clock.after(0, () => {
        this.posted = false;
        this.batches++;
        this.drain();
      });
    }
    return true;
  }

  /** Hand every recorded edge to its pin's callback, oldest first. */
  drain(): void {
    while (this.count > 0) {
      const i = this.head;
      this.head = (i + 1) % this.capacity;
      this.count--;
      const w = this.watches.get(this.pins[i]!);
      if (w !== undefined) w.onEdge(this.levels[i] as 0 | 1, this.times[i]!);
    }
  }
}

/** Options of the stimulus helpers for a button wired to ground (activeLow, the default) or to Vcc. */
export interface PressOptions {
  activeLow?: boolean;
  /** Contact bounce at both the press and the release (seeds `seed` and `seed + 1`). */
  bounce?: BounceOptions;
}
export interface BounceOptions {
  /** Number of edges, made odd so the burst ends on the new level (default 5). */
  edges?: number;
  /** Time from the first to the last edge in ms (default 5). */
  spanMs?: number;
  seed?: number;
}
export interface NoiseOptions {
  fromMs: number;
  toMs: number;
  /** Mean glitches per second (exponential gaps). */
  ratePerS: number;
  seed?: number;
  /** Glitch width in µs, uniform in [min, max] (default [1, 20]). */
  widthUs?: [number, number];
}

/**
 * A simulated GPIO bank: `pins.Digital` is an ECMA-419 Digital class bound to this bank, so drivers
 * written against `DigitalConstructor` run on it unchanged; tests drive input levels on virtual time
 * and read back output writes.
 *
 * Semantics (as on a device): Input reads the driven level (0 when not driven), InputPullUp idles high,
 * InputPullDown idles low, InputPullUpDown idles low; Output reads back what was written
 * (`initialValue`, default 0); OutputOpenDrain reads low while writing 0, else the driven level or 1.
 * Writing an input, a second Digital on an open pin, a bad pin, mode or edge are errors. Edges
 * (Rising = 1, Falling = 2, both = 3) call `onReadable` from the event loop, outside tasks, at the
 * same virtual instant (`clock.after(0)`), never inside `drive()`; `clock.nowUs()` in the callback is the
 * edge time (pass it to drivers as their `nowUs`). After `close()` no callback fires. `activeLow` is
 * ignored (as by Moddable's Digital).
 *
 * Create it while a scheduler runs (inside a task) unless a clock is given. Memory: a small record per
 * used pin plus the recent output history (`historyLimit` to twice that writes per pin; `writeCount(pin)`
 * counts every write), so a week-long soak runs in flat memory.
 * @example
 *   const pins = new SimPins();
 *   const sw = new Switch({ Digital: pins.Digital, pin: 4 });
 *   pins.press(4, 100, 200);          // closed from 100 to 300 ms
 */
export class SimPins {
  readonly Digital: DigitalConstructor;
  private clk: SimClock | null;
  private readonly count: number;
  private readonly coalesce: boolean;
  private readonly closingEdgesHalts: boolean;
  /** an edge-watching pin was closed (see closingEdgesHalts) */
  private edgeClosed = false;
  private readonly recs = new Map<number, PinRec>();
  /** The model of the Pico's edge capture (null with `capture: false`): `Digital.edgeCapture`. */
  readonly capture: SimEdgeCapture | null;

  constructor(clock?: SimClock, options: SimPinsOptions = {}) {
    this.clk = clock ?? null;
    this.count = options.pins ?? 48;
    this.coalesce = options.coalesce ?? false;
    this.closingEdgesHalts = options.closingEdgesHalts ?? false;
    const capture = (options.capture ?? true) ? new SimEdgeCapture(this, options.captureRing ?? 256) : null;
    this.capture = capture;
    const bank = this;
    class BoundDigital extends SimDigital {
      static readonly Input = INPUT;
      static readonly InputPullUp = PULL_UP;
      static readonly InputPullDown = PULL_DOWN;
      static readonly InputPullUpDown = PULL_UPDOWN;
      static readonly Output = OUTPUT;
      static readonly OutputOpenDrain = OPEN_DRAIN;
      static readonly Rising = 1;
      static readonly Falling = 2;
      /** The platform's edge capture for these pins (PinEdges takes it): see SimEdgeCapture. */
      static readonly edgeCapture: EdgeCapture | null = capture;
      constructor(o: DigitalOptions) {
        super();
        bank.open(this, o);
      }
    }
    this.Digital = BoundDigital;
  }

  /** The clock used for stamps and deliveries (the active scheduler's, made on first use). */
  get clock(): SimClock {
    return (this.clk ??= new SimClock());
  }

  /** What the pin reads now. */
  level(pin: number): 0 | 1 {
    const r = this.rec(pin);
    const d = r.owner;
    let v: 0 | 1;
    if (d !== null && d.mode === OUTPUT) v = r.out;
    else if (d !== null && d.mode === OPEN_DRAIN && r.out === 0) v = 0;
    else if (r.ext !== null) v = r.ext;
    else v = d !== null && (d.mode === PULL_UP || d.mode === OPEN_DRAIN) ? 1 : 0;
    return r.glitch && (d === null || d.mode !== OUTPUT) ? ((v ^ 1) as 0 | 1) : v;
  }

  /** External stimulus: drive the pin to `level` now (null: stop driving, the pull decides). */
  drive(pin: number, level: 0 | 1 | null): void {
    if (level !== 0 && level !== 1 && level !== null) throw new RangeError(`drive(${pin}): level must be 0, 1 or null`);
    this.rec(pin).ext = level;
    this.changed(pin);
  }

  /** Time of the pin's last edge in µs on the clock (-1 before any). */
  lastEdgeUs(pin: number): number {
    return this.rec(pin).lastEdgeUs;
  }

  /** The recent writes to the pin while it was an output (at least the last `historyLimit`), oldest first. */
  outputs(pin: number): readonly OutputWrite[] {
    return this.rec(pin).writes;
  }

  /** Call `cb(level, ms)` after every output write to the pin. */
  onOutput(pin: number, cb: (level: 0 | 1, ms: number) => void): void {
    this.rec(pin).watchers.push(cb);
  }

  /** Is a Digital open on the pin? */
  inUse(pin: number): boolean {
    return this.rec(pin).owner !== null;
  }

  /** Drive `level` at absolute time `atMs` (µs resolution: fractional ms). */
  driveAt(pin: number, atMs: number, level: 0 | 1 | null): void {
    this.rec(pin);
    this.clock.at(atMs, () => this.drive(pin, level));
  }

  /** A button press from `atMs` for `durationMs`; active low by default (drives 0, then 1). */
  press(pin: number, atMs: number, durationMs: number, options: PressOptions = {}): void {
    const on: 0 | 1 = options.activeLow ?? true ? 0 : 1;
    const b = options.bounce;
    if (b === undefined) {
      this.driveAt(pin, atMs, on);
      this.driveAt(pin, atMs + durationMs, (on ^ 1) as 0 | 1);
    } else {
      const seed = b.seed ?? 1;
      this.bounce(pin, atMs, { ...b, seed }, on);
      this.bounce(pin, atMs + durationMs, { ...b, seed: seed + 1 }, (on ^ 1) as 0 | 1);
    }
  }

  /**
   * Contact bounce: a burst of alternating edges from `atMs` to `atMs + spanMs` at seeded random times,
   * the first going to `to` (default: the opposite of the level at `atMs`), the last settling on it.
   */
  bounce(pin: number, atMs: number, options: BounceOptions = {}, to?: 0 | 1): void {
    const n = Math.max(1, options.edges ?? 5) | 1;
    const span = options.spanMs ?? 5;
    const rnd = seededRandom(options.seed ?? 1);
    const times: number[] = [];
    for (let i = 1; i < n - 1; i++) times.push(atMs + rnd() * span);
    times.sort((a, b) => a - b);
    times.unshift(atMs);
    if (n > 1) times.push(atMs + span);
    this.clock.at(atMs, () => {
      let lv = to ?? ((this.level(pin) ^ 1) as 0 | 1);
      for (const t of times) {
        const v = lv;
        this.clock.at(t, () => this.drive(pin, v));
        lv = (lv ^ 1) as 0 | 1;
      }
    });
  }

  /**
   * An edge sequence for pulse decoders (IR): drive `startLevel` at `startMs`, then toggle after each
   * duration (µs until the next edge): durations.length + 1 edges.
   */
  pulseTrain(pin: number, startMs: number, durationsUs: readonly number[], startLevel: 0 | 1): void {
    let i = 0;
    let lv = startLevel;
    let t = startMs;
    const step = (): void => {
      this.drive(pin, lv);
      lv = (lv ^ 1) as 0 | 1;
      if (i < durationsUs.length) {
        t += durationsUs[i++]! / 1000;
        this.clock.at(t, step);
      }
    };
    this.clock.at(startMs, step);
  }

  /** Fault injection: short glitches (the pin reads inverted for a few µs) at seeded random times. */
  noise(pin: number, options: NoiseOptions): void {
    const rnd = seededRandom(options.seed ?? 1);
    const [wMin, wMax] = options.widthUs ?? [1, 20];
    const meanGapMs = 1000 / options.ratePerS;
    const r = this.rec(pin);
    const schedule = (from: number): void => {
      const at = from - Math.log(1 - rnd()) * meanGapMs;
      const width = (wMin + rnd() * (wMax - wMin)) / 1000;
      if (at + width > options.toMs) return;
      this.clock.at(at, () => {
        r.glitch = true;
        this.changed(pin);
        this.clock.at(at + width, () => {
          r.glitch = false;
          this.changed(pin);
          schedule(at + width);
        });
      });
    };
    schedule(options.fromMs);
  }

  // ---- internals --------------------------------------------------------------------------

  /** @internal */
  open(d: SimDigital, o: DigitalOptions): void {
    if (o === null || typeof o !== "object") throw new TypeError("Digital: options object required");
    const { pin, mode } = o;
    if (typeof pin !== "number" || !Number.isInteger(pin) || pin < 0 || pin >= this.count) throw new RangeError(`Digital: invalid pin ${String(pin)} (this bank has pins 0..${this.count - 1})`);
    if (MODES.indexOf(mode) < 0) throw new RangeError(`Digital pin ${pin}: invalid mode ${String(mode)} (use Digital.Input, InputPullUp, InputPullDown, InputPullUpDown, Output or OutputOpenDrain)`);
    const edge = o.edge ?? 0;
    if (edge !== 0 && edge !== 1 && edge !== 2 && edge !== 3) throw new RangeError(`Digital pin ${pin}: invalid edge ${String(edge)} (Rising = 1, Falling = 2, both = 3)`);
    const output = mode === OUTPUT || mode === OPEN_DRAIN;
    if (edge !== 0 && output) throw new Error(`Digital pin ${pin}: edge needs an input mode`);
    if (edge !== 0 && typeof o.onReadable !== "function") throw new TypeError(`Digital pin ${pin}: edge needs an onReadable callback`);
    const r = this.rec(pin);
    if (r.owner !== null) throw new Error(`Digital pin ${pin}: already in use`);
    d.bank = this;
    d.pin = pin;
    d.mode = mode;
    d.edge = edge;
    d.cb = edge !== 0 ? o.onReadable! : null;
    r.owner = d;
    if (output) {
      const init = o.initialValue ?? 0;
      r.out = init;
      this.record(r, this.clock.nowMs(), init);
    }
    r.last = this.level(pin);
  }

  /** Keep at least this many recent writes per pin (default 1000); older ones are forgotten, `writeCount` counts all. */
  historyLimit = 1000;

  private record(r: PinRec, ms: number, level: 0 | 1): void {
    r.writeCount++;
    r.writes.push({ ms, level });
    if (r.writes.length >= 2 * this.historyLimit) r.writes.splice(0, r.writes.length - this.historyLimit);
  }

  /** Output writes to `pin` so far, including those the history forgot. */
  writeCount(pin: number): number {
    return this.rec(pin).writeCount;
  }

  /** @internal */
  release(pin: number, d: SimDigital): void {
    const r = this.rec(pin);
    if (r.owner === d) r.owner = null;
    if (d.edge !== 0) this.edgeClosed = true;
    r.last = this.level(pin);
  }

  /** @internal */
  written(pin: number, v: 0 | 1): void {
    const r = this.rec(pin);
    const ms = this.clock.nowMs();
    r.out = v;
    this.record(r, ms, v);
    for (const w of r.watchers) w(v, ms);
    r.last = this.level(pin);
  }

  private changed(pin: number): void {
    const r = this.rec(pin);
    const v = this.level(pin);
    if (v === r.last) return;
    r.last = v;
    r.lastEdgeUs = this.clock.nowUs();
    if (this.capture !== null && this.capture.record(pin, v, r.lastEdgeUs)) return;
    const d = r.owner;
    if (d === null || d.cb === null || (d.edge & (v === 1 ? 1 : 2)) === 0) return;
    if (this.closingEdgesHalts && this.edgeClosed) {
      throw new Error(`simulated Pico halted: an edge on pin ${pin} after a pin that watched edges was closed (Moddable 8.2.3 removes the GPIO interrupt handler; see drivers/pin/keep-open)`);
    }
    if (this.coalesce) {
      if (d.pending) return;
      d.pending = true;
    }
    this.clock.after(0, () => deliver(d));
  }

  private rec(pin: number): PinRec {
    let r = this.recs.get(pin);
    if (r === undefined) {
      if (typeof pin !== "number" || !Number.isInteger(pin) || pin < 0 || pin >= this.count) throw new RangeError(`invalid pin ${String(pin)} (this bank has pins 0..${this.count - 1})`);
      r = new PinRec();
      this.recs.set(pin, r);
    }
    return r;
  }
}
