import type { SimPins } from "./digital";

/** Options of {@link SimEncoder.turn}. */
export interface TurnOptions {
  /** µs between edges (default 2000, as the device emulator). */
  stepUs?: number;
  /** Start time in ms (default: 1 ms from now, or when the previous turn ends). */
  atMs?: number;
}

/**
 * A mechanical quadrature encoder on two simulated pins (contacts to ground: both high at a detent, as
 * with pull-ups), like the device emulator's `--encoder A,B`: `turn(steps)` makes `steps` quadrature steps
 * (one edge each, 4 per full cycle), an edge every `stepUs`; positive is clockwise (A falls first from a
 * detent, A leads B), negative counter-clockwise (B first). Turns queue behind one another.
 * `bounce = N`: every A edge is followed by N glitches back to the old level, spread evenly over the next
 * 50 µs (or one step, if shorter).
 * Memory: nothing per turn beyond the pins' scheduled edges.
 */
export class SimEncoder {
  /** Glitches after each A edge (0-100). */
  bounce = 0;
  /** Quadrature steps driven so far (signed). */
  stepsSent = 0;
  private a: 0 | 1 = 1;
  private b: 0 | 1 = 1;
  private freeAt = -Infinity;

  constructor(
    readonly pins: SimPins,
    readonly pinA: number,
    readonly pinB: number,
  ) {
    pins.drive(pinA, 1);
    pins.drive(pinB, 1);
  }

  /** Schedule `steps` quadrature steps; returns the time (ms) the last edge comes. */
  turn(steps: number, options: TurnOptions = {}): number {
    if (!Number.isInteger(steps)) throw new RangeError(`SimEncoder: steps must be an integer, got ${String(steps)}`);
    const stepMs = (options.stepUs ?? 2000) / 1000;
    const now = this.pins.clock.nowMs();
    let t = Math.max(options.atMs ?? now + 1, this.freeAt);
    const dir = steps >= 0 ? 1 : -1;
    for (let i = 0; i < Math.abs(steps); i++) {
      // clockwise from a detent (A=1,B=1): A falls, B falls, A rises, B rises; counter-clockwise mirrors it
      const moveA = dir > 0 ? this.a === this.b : this.a !== this.b;
      if (moveA) {
        const old = this.a;
        this.a = (old ^ 1) as 0 | 1;
        this.pins.driveAt(this.pinA, t, this.a);
        const n = this.bounce;
        if (n > 0) {
          const span = Math.min(0.05, stepMs);
          const gap = span / (n + 1);
          for (let k = 1; k <= n; k++) {
            this.pins.driveAt(this.pinA, t + gap * k - gap / 2, old);
            this.pins.driveAt(this.pinA, t + gap * k, this.a);
          }
        }
      } else {
        this.b = (this.b ^ 1) as 0 | 1;
        this.pins.driveAt(this.pinB, t, this.b);
      }
      this.stepsSent += dir;
      t += stepMs;
    }
    this.freeAt = t;
    return t - stepMs;
  }
}
