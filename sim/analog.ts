import type { Analog, AnalogConstructor, AnalogOptions } from "../firmware/platform/io";
import { SimClock, seededRandom } from "./time";

interface Channel {
  value: number;
  ramp: { fromMs: number; toMs: number; from: number; to: number } | null;
  noise: number;
  rand: () => number;
  reads: number;
  open: boolean;
}

/**
 * Simulated analog inputs: `bank.Analog` is an ECMA-419 Analog class (12-bit, as the ESP32 and the Pico)
 * bound to the bank. Tests set what a pin converts to: `set(pin, value)` (raw 0-4095, or "1.65V" against
 * 3.3 V, as the device emulator), `ramp(pin, from, to, durationMs)` (linear, a new value every 1 ms,
 * ending exactly on `to`, like the emulator's `adc-ramp`), `noise(pin, amplitude, seed)` (a seeded uniform
 * integer in ±amplitude added to each conversion; the emulator has none). `reads(pin)` counts conversions.
 * A second Analog on an open pin, a pin out of range, or a read after close throw.
 * Memory: a small record per used pin.
 */
export class SimAnalog {
  readonly Analog: AnalogConstructor;
  private readonly channels = new Map<number, Channel>();

  constructor(readonly clock: SimClock = new SimClock(), readonly pins = 48) {
    const bank = this;
    this.Analog = class implements Analog {
      readonly resolution = 12;
      private readonly pin: number;
      private ch: Channel | null;
      constructor(o: AnalogOptions) {
        if (o === null || typeof o !== "object" || !Number.isInteger(o.pin) || o.pin < 0 || o.pin >= bank.pins) throw new RangeError(`Analog: invalid pin ${String(o?.pin)}`);
        const ch = bank.channel(o.pin);
        if (ch.open) throw new Error(`Analog: pin ${o.pin} in use`);
        ch.open = true;
        this.pin = o.pin;
        this.ch = ch;
      }
      read(): number {
        if (this.ch === null) throw new Error(`Analog pin ${this.pin}: closed`);
        return bank.convert(this.ch);
      }
      close(): void {
        if (this.ch !== null) this.ch.open = false;
        this.ch = null;
      }
    };
  }

  /** What `pin` converts to from now: raw 0-4095, or volts as "1.65V" (against 3.3 V). Ends a ramp. */
  set(pin: number, value: number | string): void {
    const ch = this.channel(pin);
    ch.ramp = null;
    ch.value = raw(value);
  }

  /** A linear ramp from now: a new value every 1 ms, exactly `to` after `durationMs`. */
  ramp(pin: number, from: number | string, to: number | string, durationMs: number): void {
    const ch = this.channel(pin);
    const t = this.clock.nowMs();
    ch.ramp = { fromMs: t, toMs: t + durationMs, from: raw(from), to: raw(to) };
  }

  /** Add a seeded uniform integer in ±amplitude to every conversion of `pin` (0 turns it off). */
  noise(pin: number, amplitude: number, seed = 1): void {
    const ch = this.channel(pin);
    ch.noise = amplitude;
    ch.rand = seededRandom(seed);
  }

  /** The value `pin` converts to now, without noise. */
  level(pin: number): number {
    return this.base(this.channel(pin));
  }

  /** Conversions made on `pin`. */
  reads(pin: number): number {
    return this.channel(pin).reads;
  }

  /** @internal */
  channel(pin: number): Channel {
    let ch = this.channels.get(pin);
    if (ch === undefined) {
      ch = { value: 0, ramp: null, noise: 0, rand: seededRandom(1), reads: 0, open: false };
      this.channels.set(pin, ch);
    }
    return ch;
  }

  /** @internal */
  convert(ch: Channel): number {
    ch.reads++;
    let v = this.base(ch);
    if (ch.noise > 0) v += Math.floor(ch.rand() * (2 * ch.noise + 1)) - ch.noise;
    return v < 0 ? 0 : v > 4095 ? 4095 : v;
  }

  private base(ch: Channel): number {
    const r = ch.ramp;
    if (r === null) return ch.value;
    const t = this.clock.nowMs();
    if (t >= r.toMs) return r.to;
    const step = Math.floor(t - r.fromMs); // a new value every whole ms
    return Math.round(r.from + ((r.to - r.from) * step) / (r.toMs - r.fromMs));
  }
}

function raw(v: number | string): number {
  if (typeof v === "string") {
    const m = /^([0-9.]+)V$/.exec(v);
    if (m === null) throw new RangeError(`SimAnalog: a value is raw 0-4095 or volts like "1.65V", got ${JSON.stringify(v)}`);
    return Math.min(4095, Math.round((Number(m[1]) / 3.3) * 4096));
  }
  if (!(v >= 0 && v <= 4095)) throw new RangeError(`SimAnalog: raw values are 0-4095, got ${v}`);
  return Math.round(v);
}
