import { seededRandom } from "./time";

/**
 * A simulated NEC IR transmitter as seen through an active-low receiver module: turns (address, command)
 * into the durations (µs) between successive edges, starting with the leading mark (low). Feed them to the
 * simulated pins' pulse train. Options add jitter, truncation and noise for tests.
 */
export interface NecTxOptions {
  /** Use a 16-bit address (extended NEC): the second byte is the address' high byte, not its inverse. */
  extended?: boolean;
  /** Uniform jitter (± µs) added to every duration. */
  jitterUs?: number;
  /** Seed for the jitter and noise. */
  seed?: number;
  /** Keep only the first N durations (a truncated frame). */
  truncate?: number;
  /** Flip one bit of the 32 (to make BADDATA / BADADDR frames). */
  flipBit?: number;
}

const MARK = 562.5;
const ZERO = 562.5;
const ONE = 1687.5;

function jitter(ds: number[], o: NecTxOptions): number[] {
  const j = o.jitterUs ?? 0;
  if (j === 0) return ds;
  const rnd = seededRandom(o.seed ?? 1);
  return ds.map((d) => Math.max(50, d + (rnd() * 2 - 1) * j));
}

/** Durations of a data frame: 67 durations, 68 edges. */
export function necFrame(address: number, command: number, o: NecTxOptions = {}): number[] {
  const lo = address & 0xff;
  const hi = o.extended ? (address >> 8) & 0xff : ~address & 0xff;
  let bits = (lo | (hi << 8) | ((command & 0xff) << 16) | ((~command & 0xff) << 24)) >>> 0;
  if (o.flipBit !== undefined) bits = (bits ^ (1 << o.flipBit)) >>> 0;
  const ds = [9000, 4500];
  for (let i = 0; i < 32; i++) ds.push(MARK, (bits >>> i) & 1 ? ONE : ZERO);
  ds.push(MARK);
  const out = jitter(ds, o);
  return o.truncate !== undefined ? out.slice(0, o.truncate) : out;
}

/** Durations of a repeat code: 3 durations, 4 edges. */
export function necRepeat(o: NecTxOptions = {}): number[] {
  return jitter([9000, 2250, MARK], o);
}

/** Gap from the start of one burst to the start of the next while a key is held. */
export const NEC_REPEAT_PERIOD_MS = 108;

/** Total duration of a burst in ms. */
export function burstMs(ds: number[]): number {
  return ds.reduce((a, b) => a + b, 0) / 1000;
}
