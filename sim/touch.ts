import type { TouchReader, TouchReaderConstructor } from "../drivers/touch/touch";
import { SimClock, seededRandom } from "./time";

interface Pad {
  value: number;
  noise: number;
  rand: () => number;
  reads: number;
  open: boolean;
}

/**
 * Simulated capacitive touch pads: `bank.Touch` is a touch reader class (drivers/touch's TouchReader) whose
 * `read()` gives the pad's capacitance in counts (400 untouched by default, a finger adds `finger`, 200). Tests
 * and the sim board set it: `set(pin, counts)`, `touch(pin, atMs, heldMs)` (the finger on the pad for `heldMs`
 * from `atMs`), `noise(pin, amplitude, seed)` (a seeded uniform integer in ±amplitude on each reading).
 * A second reader on an open pad, or a read after close, throw.
 * Memory: a small record per used pad.
 */
export class SimTouch {
  readonly Touch: TouchReaderConstructor;
  /** Counts a finger adds. */
  finger = 200;
  private readonly pads = new Map<number, Pad>();

  constructor(readonly clock: SimClock = new SimClock(), readonly untouched = 400) {
    const bank = this;
    this.Touch = class implements TouchReader {
      private pad: Pad | null;
      constructor(o: { pin: number }) {
        if (o === null || typeof o !== "object" || !Number.isInteger(o.pin) || o.pin < 0) throw new RangeError(`Touch: invalid pin ${String(o?.pin)}`);
        const pad = bank.pad(o.pin);
        if (pad.open) throw new Error(`Touch: pad ${o.pin} in use`);
        pad.open = true;
        this.pad = pad;
      }
      read(): number {
        const pad = this.pad;
        if (pad === null) throw new Error("Touch: closed");
        pad.reads++;
        const n = pad.noise > 0 ? Math.floor(pad.rand() * (2 * pad.noise + 1)) - pad.noise : 0;
        return Math.max(0, pad.value + n);
      }
      close(): void {
        if (this.pad !== null) this.pad.open = false;
        this.pad = null;
      }
    };
  }

  /** The pad's capacitance (counts) from now. */
  set(pin: number, counts: number): void {
    if (!(counts >= 0) || counts === Infinity) throw new RangeError(`SimTouch: counts are a number >= 0, got ${String(counts)}`);
    this.pad(pin).value = counts;
  }

  /** A finger on the pad from `atMs` for `heldMs`. */
  touch(pin: number, atMs: number, heldMs: number): void {
    const pad = this.pad(pin);
    this.clock.at(atMs, () => {
      pad.value += this.finger;
    });
    this.clock.at(atMs + heldMs, () => {
      pad.value -= this.finger;
    });
  }

  /** A seeded uniform integer in ±amplitude added to each reading (0 turns it off). */
  noise(pin: number, amplitude: number, seed = 1): void {
    const pad = this.pad(pin);
    pad.noise = amplitude;
    pad.rand = seededRandom(seed);
  }

  /** The capacitance now (without noise), and the readings taken. */
  level(pin: number): number {
    return this.pad(pin).value;
  }

  reads(pin: number): number {
    return this.pad(pin).reads;
  }

  private pad(pin: number): Pad {
    let pad = this.pads.get(pin);
    if (pad === undefined) {
      pad = { value: this.untouched, noise: 0, rand: seededRandom(1), reads: 0, open: false };
      this.pads.set(pin, pad);
    }
    return pad;
  }
}
