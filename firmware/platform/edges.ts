/**
 * Edge capture: the platform seam through which PinEdges gets edges time-stamped where they happen (in an
 * interrupt handler on a device, by the simulated pins on the host) instead of in the JS pin callback, which
 * runs only when the main loop gets to it (after the current batch of task steps, an I2C transfer, a
 * console line). A capture records (pin, level, µs) into a ring and hands the edges to JS in batches, in
 * the order they happened (across pins too).
 *
 * Where a platform has one:
 * - the Pico: firmware/platform/pico/edges (a GPIO IRQ handler with time_us_64(); useModdable() of the
 *   Moddable build installs it for `device.io.Digital`);
 * - the ESP32: none yet (ESP-IDF cannot be built here and no C ships that no compiler has seen), so pins
 *   there take the JS pin callback path;
 * - the simulator: SimPins' `Digital.edgeCapture` models the ring (sim/digital), so host code goes through
 *   the same path as the Pico.
 */

/** One pin's open capture. */
export interface EdgeSource {
  /** Edges of this pin the capture dropped because its ring was full (since it was opened). */
  readonly overruns: number;
  /** Hand over the edges captured so far now (they are also handed over at the next JS turn by themselves). */
  drain(): void;
  /** Stop capturing the pin; edges not yet handed over are dropped. Safe twice. */
  close(): void;
}

/** A platform's edge capture. */
export interface EdgeCapture {
  readonly name: string;
  /**
   * Start capturing `pin`'s edges (1 rising, 2 falling, 3 both). `onEdge(level, us)` runs outside tasks, at
   * a JS turn after the edges happened, once per edge in order: record and signal only. The pin must
   * already be open as an input (its mode and pulls are the Digital's).
   */
  open(pin: number, edge: number, onEdge: (level: 0 | 1, us: number) => void): EdgeSource;
  /** The µs clock the edges are stamped with (read it to measure how late a task is). */
  nowUs(): number;
}

/** A Digital class that carries its own capture (the simulated pins' does). */
interface WithCapture {
  readonly edgeCapture?: EdgeCapture | null;
}

let platformDigital: unknown = null;
let platformCapture: EdgeCapture | null = null;

/** Install the platform's capture for pins of `Digital` (null: none). The Moddable build's useModdable() calls it. */
export function useEdgeCapture(Digital: unknown, capture: EdgeCapture | null): void {
  platformDigital = capture === null ? null : Digital;
  platformCapture = capture;
}

/** The capture for pins of this Digital class: its own (the simulator's), the installed platform's, or null (JS callback path). */
export function edgeCaptureFor(Digital: unknown): EdgeCapture | null {
  const own = (Digital as WithCapture).edgeCapture;
  if (own !== undefined) return own;
  return Digital === platformDigital ? platformCapture : null;
}
