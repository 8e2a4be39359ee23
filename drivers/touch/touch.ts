import type { DigitalConstructor, DigitalOptions } from "../../firmware/platform/io";
import { currentTaskOrNull, activeScheduler, type CallbackHandle, type Scheduler } from "../../firmware/sched/kernel";
import { Pushbutton, type PushbuttonOptions } from "../pushbutton/pushbutton";

/**
 * What reads one touch pad: `read()` gives a raw figure that rises with a finger on the pad (capacitance
 * counts), or 0 / 1 from a reader that thresholds in hardware. One instance per pad.
 */
export interface TouchReader {
  read(): number;
  close(): void;
}

/** A class of {@link TouchReader}s: `new Touch({ pin })` (the sim's `SimTouch.Touch`, or {@link moddableTouchReader}'s). */
export type TouchReaderConstructor = new (options: { pin: number }) => TouchReader;

/** Options of {@link TouchPad}: a Pushbutton's gestures and actions, read from a touch pad instead of a pin. */
export type TouchPadOptions = Omit<PushbuttonOptions, "Digital" | "activeLow" | "mode"> & {
  /** The pad's reader class. */
  Touch: TouchReaderConstructor;
  /** How often the pad is read (default 20 ms). */
  periodMs?: number;
  /**
   * A fixed threshold: touched at or above it. Without one the pad calibrates: the first
   * `calibrationSamples` readings (default 8, one per period, the pad untouched) give the baseline, and the
   * threshold is `baseline * (1 + sensitivity)`.
   */
  threshold?: number;
  calibrationSamples?: number;
  /** Rise over the baseline that counts as a touch (default 0.2: 20 %). */
  sensitivity?: number;
  /** Released only below `threshold - hysteresis` (default: a quarter of the threshold's rise over the baseline; 0 with a fixed threshold). */
  hysteresis?: number;
};

interface TouchState {
  level: 0 | 1;
  onChange: (() => void) | null;
}

function positive(v: unknown, what: string, def: number, integer = false): number {
  const n = v ?? def;
  if (typeof n !== "number" || !(n > 0) || n === Infinity || (integer && n !== Math.floor(n))) throw new RangeError(`TouchPad: ${what} must be a ${integer ? "whole " : ""}number > 0, got ${String(n)}`);
  return n;
}

/**
 * A touch pad that behaves like a {@link Pushbutton}: press, release, double click, long press (and the
 * exclusive click), with the same options, timelines and debouncing, from a capacitance reading polled every
 * `periodMs` (20) against a calibrated threshold. The readings go through a Digital-shaped adapter, so the
 * gestures are the Pushbutton's own: a touch is a press, lifting the finger a release.
 *
 * Calibration: without `threshold`, the first `calibrationSamples` (8) readings, taken while nobody touches
 * the pad (keep fingers off at start), give the baseline; touched from `baseline * (1 + sensitivity)` (20 %
 * rise), released below that minus `hysteresis` (a quarter of the rise), so noise near the threshold does not
 * chatter. `recalibrate()` takes a new baseline (after the board moved, or the humidity changed). Gestures
 * start after calibration: `calibrated` tells, `baseline` and `threshold` show the figures.
 *
 * Where: the ESP32 family has capacitive touch channels. Moddable 8.2.3 offers them through
 * `modules/drivers/touchpad` (ESP32-S2/S3 touch API: one instance for all pads, thresholds set in hardware
 * from the pad's benchmark times a sensitivity, `read()` a bitmask): {@link moddableTouchReader} adapts it,
 * with `threshold: 1`. The Pico has no touch peripheral: use a touch module with a digital output (TTP223)
 * on a Pushbutton (`activeLow: false`).
 *
 * Cancel-safe: nothing of the caller's waits on it (as a Pushbutton: wait for a gesture with an Event
 * action). Errors: RangeError / TypeError for bad options before anything is opened; the reader's errors
 * pass through the constructor; a reading that throws later is counted in `readErrors` and the next period reads again.
 * Memory: a Pushbutton (its task, one timer) plus the adapter's object and one repeating timer.
 * @example
 *   const pad = new TouchPad({ Touch: moddableTouchReader(TouchPad, 1 << 4), pin: 4, threshold: 1,
 *     press: () => led.on(), long: () => led.off() });
 */
export class TouchPad {
  /** The last raw reading, the calibrated baseline and threshold (NaN until calibrated), readings taken. */
  value = NaN;
  baseline = NaN;
  threshold = NaN;
  readings = 0;
  readErrors = 0;
  readonly periodMs: number;
  readonly sensitivity: number;
  readonly button: Pushbutton;
  private readonly reader: TouchReader;
  private readonly fixed: number | null;
  private readonly calibrationSamples: number;
  private readonly hysteresisOption: number | null;
  private hysteresis = 0;
  private calibrationSum = 0;
  private calibrationLeft: number;
  private readonly state: TouchState = { level: 0, onChange: null };
  private readonly sched: Scheduler;
  private timer: CallbackHandle | null = null;
  private closed = false;

  /** Construct it in a task or while a scheduler runs. */
  constructor(options: TouchPadOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("TouchPad needs options { Touch, pin }");
    const { Touch } = options;
    if (typeof Touch !== "function") throw new TypeError("TouchPad: options.Touch must be a touch reader class");
    this.periodMs = positive(options.periodMs, "periodMs", 20);
    this.sensitivity = positive(options.sensitivity, "sensitivity", 0.2);
    this.calibrationSamples = positive(options.calibrationSamples, "calibrationSamples", 8, true);
    if (options.threshold !== undefined && (typeof options.threshold !== "number" || !Number.isFinite(options.threshold))) throw new RangeError(`TouchPad: threshold must be a finite number, got ${String(options.threshold)}`);
    this.fixed = options.threshold ?? null;
    const h = options.hysteresis;
    if (h !== undefined && (typeof h !== "number" || !(h >= 0) || h === Infinity)) throw new RangeError(`TouchPad: hysteresis must be a number >= 0, got ${String(h)}`);
    this.hysteresisOption = h ?? null;
    this.calibrationLeft = this.fixed === null ? this.calibrationSamples : 0;
    if (this.fixed !== null) {
      this.threshold = this.fixed;
      this.hysteresis = h ?? 0;
    }
    const t = currentTaskOrNull();
    this.sched = t !== null ? t.sched : activeScheduler();
    const { Touch: _t, periodMs: _p, threshold: _th, calibrationSamples: _c, sensitivity: _s, hysteresis: _h, ...buttonOptions } = options;
    this.reader = new Touch({ pin: options.pin });
    try {
      this.button = new Pushbutton({ ...buttonOptions, Digital: touchDigital(this.state), activeLow: false });
    } catch (e) {
      this.reader.close();
      throw e;
    }
    this.poll();
  }

  /** True once a baseline was taken (at once with a fixed threshold). */
  get calibrated(): boolean {
    return this.calibrationLeft === 0;
  }

  /** True while touched (debounced, as the Pushbutton sees it). */
  get touched(): boolean {
    return this.button.pressed;
  }

  /** Take a new baseline from the next `calibrationSamples` readings (no gestures meanwhile; a touch in progress is released). No effect with a fixed threshold. */
  recalibrate(): void {
    if (this.fixed !== null || this.closed) return;
    this.calibrationLeft = this.calibrationSamples;
    this.calibrationSum = 0;
    this.baseline = NaN;
    this.threshold = NaN;
    this.setLevel(0);
  }

  /** Counters: readings, read errors, and the Pushbutton's edges (touch changes seen) and debounced changes. */
  stats(): { readings: number; readErrors: number; value: number; baseline: number; threshold: number; edges: number; changes: number } {
    const b = this.button.stats();
    return { readings: this.readings, readErrors: this.readErrors, value: this.value, baseline: this.baseline, threshold: this.threshold, edges: b.edges, changes: b.changes };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop polling, close the reader and the Pushbutton. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.timer.cancel();
    this.timer = null;
    try {
      this.reader.close();
    } finally {
      this.button.close();
    }
  }

  private poll(): void {
    this.timer = null;
    if (this.closed) return;
    let v: number;
    try {
      v = this.reader.read();
    } catch {
      this.readErrors++; // counted; the next period reads again
      this.timer = this.sched.callLater(this.periodMs, () => this.poll());
      return;
    }
    this.readings++;
    this.value = v;
    if (this.calibrationLeft > 0) {
      this.calibrationSum += v;
      if (--this.calibrationLeft === 0) {
        this.baseline = this.calibrationSum / this.calibrationSamples;
        this.threshold = this.baseline * (1 + this.sensitivity);
        this.hysteresis = this.hysteresisOption ?? (this.threshold - this.baseline) / 4;
      }
    } else if (this.state.level === 0) {
      if (v >= this.threshold) this.setLevel(1);
    } else if (v < this.threshold - this.hysteresis) this.setLevel(0);
    this.timer = this.sched.callLater(this.periodMs, () => this.poll());
  }

  private setLevel(level: 0 | 1): void {
    if (this.state.level === level) return;
    this.state.level = level;
    const cb = this.state.onChange;
    if (cb !== null) cb();
  }
}

/** A Digital-shaped class over the pad's thresholded state, for the Pushbutton (one instance: the Pushbutton's). */
function touchDigital(state: TouchState): DigitalConstructor {
  class TouchDigital {
    static readonly Input = 0;
    static readonly InputPullUp = 1;
    static readonly InputPullDown = 2;
    static readonly InputPullUpDown = 3;
    static readonly Output = 8;
    static readonly OutputOpenDrain = 9;
    static readonly Rising = 1;
    static readonly Falling = 2;
    constructor(options: DigitalOptions) {
      state.onChange = options.onReadable !== undefined ? () => options.onReadable!.call(this) : null;
    }
    read(): 0 | 1 {
      return state.level;
    }
    write(): void {
      throw new TypeError("a touch pad is an input");
    }
    close(): void {
      state.onChange = null;
    }
  }
  return TouchDigital as unknown as DigitalConstructor;
}

/** The part of Moddable's `touchpad` module (modules/drivers/touchpad, ESP32-S2/S3) used here. */
export interface ModdableTouchPadLike {
  read(): number;
  close(): void;
}

/**
 * A {@link TouchReaderConstructor} over Moddable's `touchpad` module: it opens the one TouchPad instance the
 * module allows, for the pads in `pins` (a bitmask of touch channels; `sensitivity` sets the hardware
 * thresholds, Moddable's default when absent), and each reader answers 1 while its channel's status bit is set.
 * Give {@link TouchPad} `threshold: 1`. The instance closes when the last reader does.
 * @example
 *   import ModdableTouch from "touchpad";
 *   const Touch = moddableTouchReader(ModdableTouch, (1 << 4) | (1 << 5));
 */
export function moddableTouchReader(TouchPadClass: new (options: { pins: number; sensitivity?: number }) => ModdableTouchPadLike, pins: number, sensitivity?: number): TouchReaderConstructor {
  if (typeof TouchPadClass !== "function") throw new TypeError("moddableTouchReader needs the touchpad module's class");
  if (!Number.isInteger(pins) || pins <= 0) throw new RangeError(`moddableTouchReader: pins is a non-zero bitmask of touch channels, got ${String(pins)}`);
  let shared: ModdableTouchPadLike | null = null;
  let users = 0;
  return class {
    private readonly bit: number;
    private open = true;
    constructor(options: { pin: number }) {
      const pin = options.pin;
      if (!Number.isInteger(pin) || pin < 0 || pin > 30 || (pins & (1 << pin)) === 0) throw new RangeError(`moddableTouchReader: channel ${String(pin)} is not in the pins bitmask 0x${pins.toString(16)}`);
      this.bit = 1 << pin;
      if (shared === null) shared = new TouchPadClass(sensitivity === undefined ? { pins } : { pins, sensitivity });
      users++;
    }
    read(): number {
      if (!this.open || shared === null) throw new Error("touch reader closed");
      return (shared.read() & this.bit) !== 0 ? 1 : 0;
    }
    close(): void {
      if (!this.open) return;
      this.open = false;
      if (--users === 0 && shared !== null) {
        shared.close();
        shared = null;
      }
    }
  };
}
