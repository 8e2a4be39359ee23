import type { Analog, AnalogConstructor } from "../../firmware/platform/io";
import { now, spawn, composite, ClosedError, currentTask, type Op, type Gen, type Task, moveOnAfter } from "../../firmware/sched/kernel";
import { Event } from "../../firmware/sync/event";
import { ThreadSafeFlag } from "../../firmware/sync/flag";

/** Options of {@link Adc}. */
export interface AdcOptions {
  /** The Analog class (`device.io.Analog`, or the simulated bank's `Analog`). */
  Analog: AnalogConstructor;
  pin: number;
  /** Conversions averaged into one sample (default 4). */
  samples?: number;
  /** Sampling period of the task in ms (default 100); change it live with `periodMs = ...`. */
  periodMs?: number;
  /** Band margin in raw units for waitOutside / waitInside (default 0); see {@link Adc.waitOutside}. */
  hysteresis?: number;
}

function whole(v: unknown, what: string, min: number): number {
  if (typeof v !== "number" || v !== Math.floor(v) || v < min) throw new RangeError(`Adc: ${what} must be a whole number >= ${min}, got ${String(v)}`);
  return v;
}

function checkPeriod(ms: unknown): number {
  if (typeof ms !== "number" || !(ms > 0) || ms === Infinity) throw new RangeError(`Adc: periodMs must be a number > 0, got ${String(ms)}`);
  return ms;
}

function checkBand(lo: unknown, hi: unknown): void {
  if (typeof lo !== "number" || typeof hi !== "number" || lo !== lo || hi !== hi) throw new RangeError(`Adc: the band needs two numbers, got ${String(lo)}, ${String(hi)}`);
  if (lo > hi) throw new RangeError(`Adc: band low (${lo}) is above high (${hi})`);
}

const OUTSIDE = 0;
const INSIDE = 1;

function* bandGen(a: Adc, kind: number, lo: number, hi: number): Gen<number> {
  const h = a.hysteresis;
  for (;;) {
    const v = a.value;
    if (kind === OUTSIDE ? v < lo - h || v > hi + h : v >= lo + h && v <= hi - h) return v;
    yield* a.sampled.wait();
  }
}

function* sampleGen(a: Adc): Gen<number> {
  yield* a.sampled.wait();
  return a.value;
}

function* waitFlag(f: ThreadSafeFlag): Gen<void> {
  yield* f.wait();
}

function* samplerGen(a: Adc): Gen<void> {
  for (;;) {
    a.sample();
    // sleep a period; a new period wakes the task, and the deadline is recomputed from the last sample
    for (;;) {
      const left = a.lastAt + a.periodMs - now();
      if (left <= 0) break;
      const r = yield* moveOnAfter(left, waitFlag, a.rateChanged);
      if (r.timedOut) break;
    }
  }
}

/**
 * A sampled analog input (the seed's AADC): a task converts `samples` times every `periodMs` and keeps
 * the average in `value` (raw units, 0 .. 2^resolution - 1); `periodMs` can change while it runs (the
 * next sample comes a new period after the last one, at once if that is past).
 *
 * - `waitOutside(lo, hi)`: until a sample is below `lo - hysteresis` or above `hi + hysteresis`;
 *   `waitInside(lo, hi)`: until one is within `lo + hysteresis .. hi - hysteresis`. Both return that
 *   sample (at once if the latest one qualifies). Alternating them around one band, noise smaller than
 *   the hysteresis never makes an extra crossing.
 * - `waitSample()`: the next sample. `read()`: an averaged reading now (no wait).
 *
 * Cancel-safe: the waits only watch samples; cancelling one takes nothing from other waiters.
 * Errors: RangeError/TypeError for bad options and bands (before anything is opened or waited for);
 * the Analog constructor's errors pass through; waits after or pending at `close()` end with ClosedError.
 * Memory: one object, an Event, a flag, one task; each period allocates a timeout scope (`moveOnAfter`);
 * a wait allocates its generator. On the Pico the ECMA-419 Analog converts the channel last selected by
 * any instance: keep one Adc per pin and do not mix it with other analog reads.
 * @example
 *   const pot = new Adc({ Analog: device.io.Analog, pin: 26, periodMs: 50, hysteresis: 40 });
 *   for (;;) { yield* pot.waitOutside(1000, 3000); trace("out\n"); yield* pot.waitInside(1000, 3000); }
 */
export class Adc {
  readonly samples: number;
  readonly hysteresis: number;
  /** Full scale + 1: 2^resolution. */
  readonly range: number;
  /** The latest sample (average of `samples` conversions), and when it was taken (scheduler ms). */
  value = NaN;
  lastAt = -Infinity;
  /** Samples taken, conversions made. */
  sampleCount = 0;
  conversions = 0;
  /** @internal */ readonly sampled = new Event<void>();
  /** @internal */ readonly rateChanged = new ThreadSafeFlag();
  private readonly io: Analog;
  private period: number;
  private readonly task: Task;
  private closed = false;

  /** Construct it in a task (it starts its own; the first sample is taken at once). */
  constructor(options: AdcOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("Adc needs options { Analog, pin }");
    if (typeof options.Analog !== "function") throw new TypeError("Adc: options.Analog must be the Analog class");
    this.samples = whole(options.samples ?? 4, "samples", 1);
    this.period = checkPeriod(options.periodMs ?? 100);
    const h = options.hysteresis ?? 0;
    if (typeof h !== "number" || !(h >= 0) || h === Infinity) throw new RangeError(`Adc: hysteresis must be a number >= 0, got ${String(h)}`);
    this.hysteresis = h;
    this.io = new options.Analog({ pin: options.pin });
    this.range = 2 ** (this.io.resolution || 12);
    this.task = spawn("adc", samplerGen, this);
  }

  /** The sampling period (ms). Setting it reschedules the next sample at once. */
  get periodMs(): number {
    return this.period;
  }

  set periodMs(ms: number) {
    this.period = checkPeriod(ms);
    this.rateChanged.set();
  }

  /** An averaged reading now, outside the task's schedule (does not update `value`). */
  read(): number {
    if (this.closed) throw new ClosedError("Adc closed");
    let sum = 0;
    for (let i = 0; i < this.samples; i++) sum += this.io.read();
    this.conversions += this.samples;
    return sum / this.samples;
  }

  /** Wait until a sample is outside lo..hi by more than the hysteresis; returns it. */
  waitOutside(lo: number, hi: number): Op<number> {
    return this.band(OUTSIDE, lo, hi);
  }

  /** Wait until a sample is inside lo..hi by at least the hysteresis; returns it. */
  waitInside(lo: number, hi: number): Op<number> {
    checkBand(lo, hi);
    if (hi - lo < 2 * this.hysteresis) throw new RangeError(`Adc: band ${lo}..${hi} is narrower than twice the hysteresis (${this.hysteresis}): no sample is ever inside`);
    return this.band(INSIDE, lo, hi);
  }

  /** Wait for the next sample; returns it. */
  waitSample(): Op<number> {
    if (this.closed) throw new ClosedError("Adc closed");
    return composite(currentTask(), () => sampleGen(this));
  }

  stats(): { value: number; samples: number; conversions: number; periodMs: number; waiting: number } {
    return { value: this.value, samples: this.sampleCount, conversions: this.conversions, periodMs: this.period, waiting: this.sampled.waiting };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop sampling and release the pin; pending waits end with ClosedError. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.task.cancel();
    this.io.close();
    const err = new ClosedError("Adc closed");
    const q = this.sampled.waiters;
    for (let t = q.shift(); t !== null; t = q.shift()) t.sched.wakeThrow(t, err);
  }

  /** @internal one sample: average, keep, wake the waiters */
  sample(): void {
    this.value = this.read();
    this.lastAt = now();
    this.sampleCount++;
    this.sampled.set();
    this.sampled.clear();
  }

  private band(kind: number, lo: number, hi: number): Op<number> {
    checkBand(lo, hi);
    if (this.closed) throw new ClosedError("Adc closed");
    return composite(currentTask(), () => bandGen(this, kind, lo, hi));
  }
}
