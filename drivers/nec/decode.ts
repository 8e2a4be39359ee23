/**
 * NEC IR frame decoding from edge timestamps (µs), independent of when any task runs.
 *
 * A receiver module outputs active-low bursts. A data frame is a 9 ms mark, a 4.5 ms space, 32 bits (a
 * 562.5 µs mark, then a 562.5 µs space for 0 or a 1687.5 µs space for 1, LSB first: address, ~address,
 * command, ~command) and a final 562.5 µs mark: 68 edges counting the first. A repeat code (key held)
 * is a 9 ms mark, a 2.25 ms space and a 562.5 µs mark: 4 edges, every 108 ms.
 * Facts: ../../../shared/reference/devices.md (NEC IR protocol).
 */

/** Result codes: a command is 0..255; these are the errors (micropython-async's values). */
export const NEC = Object.freeze({
  /** The key is held: the last valid address and command repeat. */
  REPEAT: -1,
  /** The leading mark or space has the wrong length. */
  BADSTART: -2,
  /** A data frame with the wrong number of edges. */
  BADBLOCK: -3,
  /** A repeat code with the wrong number of edges. */
  BADREP: -4,
  /** More edges than a frame can have (noise, or two frames run together). */
  OVERRUN: -5,
  /** command and ~command do not match. */
  BADDATA: -6,
  /** address and ~address do not match (and extended addresses are not enabled). */
  BADADDR: -7,
});

/** Edges in a data frame, counting the first. */
export const FRAME_EDGES = 68;
/** Edges in a repeat code. */
export const REPEAT_EDGES = 4;

// Tolerance windows (µs), wide enough for cheap receivers and jittery transmitters.
const LEAD_MARK_MIN = 4000; // nominal 9000
const DATA_SPACE_MIN = 3000; // nominal 4500
const REPEAT_SPACE_MIN = 1700; // nominal 2250
const ONE_SPACE_MIN = 1120; // between 562.5 (0) and 1687.5 (1)

/** What one decoded burst says. */
export interface NecCode {
  /** The command (0..255), or one of the NEC error codes (negative). A repeat gives NEC.REPEAT. */
  code: number;
  /** The address (8-bit, or 16-bit for extended frames); for a repeat, the last valid one; -1 if unknown. */
  address: number;
  /** For a repeat, the last valid command (else equal to `code` when valid, -1 on errors). */
  command: number;
}

/**
 * Decode one burst. `times[0..count-1]` are edge timestamps in µs (wrap-free), `count` may exceed the
 * array's capacity (then it is an overrun). `last` is the previous valid result (for repeats).
 */
export function decodeNec(times: ArrayLike<number>, count: number, extended: boolean, last: NecCode | null): NecCode {
  if (count > FRAME_EDGES) return err(NEC.OVERRUN);
  if (count < 3 || times[1]! - times[0]! <= LEAD_MARK_MIN) return err(NEC.BADSTART);
  const space = times[2]! - times[1]!;
  if (space > DATA_SPACE_MIN) {
    if (count !== FRAME_EDGES) return err(NEC.BADBLOCK);
    let bits = 0;
    for (let i = 0; i < 32; i++) {
      // bit i: mark from edge 2+2i to 3+2i, space from 3+2i to 4+2i
      if (times[4 + 2 * i]! - times[3 + 2 * i]! > ONE_SPACE_MIN) bits |= 1 << i;
    }
    const a = bits & 0xff;
    const na = (bits >>> 8) & 0xff;
    const c = (bits >>> 16) & 0xff;
    const nc = (bits >>> 24) & 0xff;
    if ((c ^ nc) !== 0xff) return err(NEC.BADDATA);
    if ((a ^ na) === 0xff) return { code: c, address: a, command: c };
    if (!extended) return err(NEC.BADADDR);
    return { code: c, address: a | (na << 8), command: c };
  }
  if (space > REPEAT_SPACE_MIN) {
    if (count !== REPEAT_EDGES) return err(NEC.BADREP);
    return { code: NEC.REPEAT, address: last ? last.address : -1, command: last ? last.command : -1 };
  }
  return err(NEC.BADSTART);
}

function err(code: number): NecCode {
  return { code, address: -1, command: -1 };
}
