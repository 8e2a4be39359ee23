import { SimI2CModel } from "./i2c";
import type { SimClock } from "./time";

/** Options of {@link SimLcd}. */
export interface SimLcdOptions {
  cols?: number;
  rows?: number;
  /** The SCL rate the firmware uses: each transfer advances the module's time by its bus time (default 100 kHz). */
  busHz?: number;
}

const BUSY_MS = 0.037;
const CLEAR_MS = 1.52;

/**
 * An HD44780 character LCD behind a PCF8574 backpack on the simulated I2C bus, with the device emulator's
 * bit map: P0 RS, P1 RW, P2 EN, P3 backlight, P4..P7 D4..D7. RS/RW are taken as EN rises, D7..D4 latched
 * as EN falls. It starts in 8-bit mode (the unwired D3..D0 read 1), so the init nibbles 3, 3, 3, 2 switch it
 * to 4-bit mode; then function set, display on/off with cursor and blink, clear, home, entry mode, shifts,
 * DDRAM and CGRAM addresses and data writes. `screen()` gives the text: one string per row, custom
 * characters as "?", 0xDF as "°", other non-ASCII as "·"; a display that is off shows blank rows.
 *
 * Timing as in the emulator: the module's time is the clock plus the bus time of all its transfers so far
 * (9 bits a byte, address included, at `busHz`); an instruction whose first nibble comes while the
 * controller is busy (1.52 ms after clear/home, 37 µs after others, 15 ms after power-on, 4.1 ms and 100 µs
 * after the first two init nibbles) is executed anyway and counted in `tooFast` (`firstTooFast` says which).
 * `log` keeps the decoded instructions ("cmd 0x28@57", "data 'A'@60") when `logging` is on.
 * Memory: 128 bytes of DDRAM, 64 of CGRAM, and the log.
 */
export class SimLcd extends SimI2CModel {
  readonly cols: number;
  readonly rows: number;
  readonly ddram = new Uint8Array(128).fill(0x20);
  readonly cgram = new Uint8Array(64);
  backlight = false;
  displayOn = false;
  cursorOn = false;
  blinkOn = false;
  twoLines = false;
  fourBit = false;
  /** Instructions and characters executed; instructions sent while busy. */
  commands = 0;
  characters = 0;
  tooFast = 0;
  firstTooFast: string | null = null;
  logging = true;
  readonly log: string[] = [];
  private readonly busHz: number;
  private busMs = 0;
  private last = 0;
  private rs = 0;
  private rw = 0;
  private high = -1;
  private address = 0;
  private toCg = false;
  private increment = true;
  private shift = 0;
  private busyUntil: number;
  private initStep = 0;

  constructor(readonly clock: SimClock, options: SimLcdOptions = {}) {
    super();
    this.cols = options.cols ?? 16;
    this.rows = options.rows ?? 2;
    this.busHz = options.busHz ?? 100_000;
    this.busyUntil = clock.nowMs() + 15;
  }

  /** The text on the glass, one string per row. */
  screen(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let s = "";
      const base = (r & 1 ? 0x40 : 0) + (r >= 2 ? this.cols : 0);
      for (let c = 0; c < this.cols; c++) {
        if (!this.displayOn || (!this.twoLines && r > 0)) {
          s += " ";
          continue;
        }
        const line = base & 0x40;
        const a = line + ((((base & 0x3f) + c + this.shift) % 40) + 40) % 40;
        s += show(this.ddram[a]!);
      }
      out.push(s);
    }
    return out;
  }

  protected onWrite(data: Uint8Array, now: number): boolean {
    const byteMs = (9 * 1000) / this.busHz;
    this.busMs += byteMs; // the address byte
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      this.busMs += byteMs;
      const t = now + this.busMs; // the port changes at the end of each byte
      const en = b & 0x04;
      const wasEn = this.last & 0x04;
      if (en && !wasEn) {
        this.rs = b & 0x01;
        this.rw = b & 0x02;
      } else if (!en && wasEn) this.strobe(this.last >> 4, t);
      const bl = (b & 0x08) !== 0;
      if (bl !== this.backlight) {
        this.backlight = bl;
        this.note(`backlight ${bl ? "on" : "off"}`, now);
      }
      this.last = b;
    }
    return true;
  }

  protected onRead(count: number): Uint8Array | null {
    return new Uint8Array(count).fill(this.last | 0xf0); // RW reads are not used by the driver: the port's pins
  }

  private strobe(nibble: number, t: number): void {
    if (this.rw) return;
    if (!this.fourBit) {
      this.execute((nibble << 4) | 0x0f, t);
      return;
    }
    if (this.high < 0) {
      this.high = nibble;
      this.check(t);
      return;
    }
    const v = (this.high << 4) | nibble;
    this.high = -1;
    this.execute(v, t, true);
  }

  private check(t: number): void {
    if (t < this.busyUntil - 1e-9) {
      this.tooFast++;
      if (this.firstTooFast === null) this.firstTooFast = `${this.rs ? "data" : "instruction"} at ${round(t)} ms, ${round(this.busyUntil - t)} ms early`;
    }
  }

  private execute(v: number, t: number, checked = false): void {
    if (!checked) this.check(t);
    if (this.rs) {
      this.characters++;
      if (this.toCg) this.cgram[this.address & 0x3f] = v & 0x1f;
      else this.ddram[this.address & 0x7f] = v;
      this.note(`data ${v >= 32 && v < 127 ? `'${String.fromCharCode(v)}'` : `0x${v.toString(16)}`}`, t);
      this.address = (this.address + (this.increment ? 1 : -1)) & (this.toCg ? 0x3f : 0x7f);
      this.busyUntil = t + BUSY_MS;
      return;
    }
    this.commands++;
    this.note(`cmd 0x${v.toString(16)}`, t);
    let busy = BUSY_MS;
    if (v & 0x80) {
      this.address = v & 0x7f;
      this.toCg = false;
    } else if (v & 0x40) {
      this.address = v & 0x3f;
      this.toCg = true;
    } else if (v & 0x20) {
      if (!this.fourBit && this.initStep < 2) {
        busy = this.initStep === 0 ? 4.1 : 0.1;
        this.initStep++;
      }
      this.fourBit = (v & 0x10) === 0;
      this.twoLines = (v & 0x08) !== 0;
    } else if (v & 0x10) {
      if (v & 0x08) this.shift += v & 0x04 ? -1 : 1;
      else this.address = (this.address + (v & 0x04 ? 1 : -1)) & 0x7f;
    } else if (v & 0x08) {
      this.displayOn = (v & 0x04) !== 0;
      this.cursorOn = (v & 0x02) !== 0;
      this.blinkOn = (v & 0x01) !== 0;
    } else if (v & 0x04) {
      this.increment = (v & 0x02) !== 0;
    } else if (v & 0x02) {
      this.address = 0;
      this.toCg = false;
      this.shift = 0;
      busy = CLEAR_MS;
    } else if (v & 0x01) {
      this.ddram.fill(0x20);
      this.address = 0;
      this.toCg = false;
      this.shift = 0;
      this.increment = true;
      busy = CLEAR_MS;
    }
    this.busyUntil = t + busy;
  }

  private note(s: string, t: number): void {
    if (!this.logging) return;
    if (this.log.length >= 2000) this.log.shift();
    this.log.push(`${s}@${round(t)}`);
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function show(code: number): string {
  if (code < 8) return "?";
  if (code === 0xdf) return "°";
  if (code >= 32 && code < 127) return String.fromCharCode(code);
  return "·";
}
