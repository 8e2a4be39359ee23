import type { I2C } from "../../firmware/platform/io";
import { composite, ClosedError, currentTask, type Op, sleepMs, type Gen } from "../../firmware/sched/kernel";
import { Lock } from "../../firmware/sync/lock";
import type { ResourceHandle } from "../resource/managed";
import { openI2CDevice, type I2CDeviceOptions } from "../resource/device";

/** The usual address of a PCF8574 backpack (0x3F for the PCF8574A). */
export const LCD_ADDRESS = 0x27;

/** PCF8574 port bits of the common "LCD1602 I2C" backpack: P0 RS, P1 RW, P2 EN, P3 backlight, P4..P7 D4..D7. */
export const PCF8574_BIT = Object.freeze({ RS: 0x01, RW: 0x02, EN: 0x04, BACKLIGHT: 0x08 });

/** HD44780 instructions (datasheet table 6). */
export const HD44780 = Object.freeze({
  CLEAR: 0x01,
  HOME: 0x02,
  ENTRY_MODE: 0x04, // | 0x02 increment | 0x01 shift display
  DISPLAY: 0x08, // | 0x04 display on | 0x02 cursor | 0x01 blink
  SHIFT: 0x10,
  FUNCTION_SET: 0x20, // | 0x10 8-bit | 0x08 two lines | 0x04 5x10 font
  CGRAM: 0x40,
  DDRAM: 0x80,
});

/** Waits in ms, rounded up to whole scheduler ms (datasheet: 1.52 ms, 4.1 ms, 100 µs, power-on 15 ms at 5 V, 40 ms at 2.7 V). */
export const LCD_WAIT_MS = Object.freeze({ POWER_ON: 50, INIT_FIRST: 5, INIT_NEXT: 1, CLEAR: 2 });

/** Counters (see {@link Lcd.stats}). */
export interface LcdStats {
  /** I2C writes to the backpack and their bytes. */
  transfers: number;
  bytes: number;
  /** Instructions and characters sent to the controller. */
  commands: number;
  characters: number;
  /** Characters print() did not send because the screen already showed them. */
  unchanged: number;
  /** Writes the backpack did not acknowledge (the operation threw; the rows it touched are rewritten next time). */
  nacks: number;
}

/** How the driver reaches the backpack: a handle on a shared bus, or the resource plus the IO class and pins. */
export type LcdOptions = {
  /** Columns and rows (default 16 x 2; 20 x 4 and 16 x 4 work too). */
  cols?: number;
  rows?: number;
  /** Backlight on at init (default true). */
  backlight?: boolean;
  /** Most characters per I2C write (default 8: 36 bytes, 3.2 ms at 100 kHz): bounds how long the bus is held. */
  chunk?: number;
} & I2CDeviceOptions;

const SPACE = 0x20;

function whole(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || v !== Math.floor(v) || v < min || v > max) throw new RangeError(`Lcd: ${what} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  return v;
}

/** A character for the HD44780's A00 ROM: ASCII as is, codes 0-7 (custom characters) as is, "°" 0xDF, anything else "?". */
export function lcdCode(ch: number): number {
  if (ch < 8 || (ch >= 32 && ch < 127)) return ch;
  if (ch === 0xb0) return 0xdf;
  return 0x3f;
}

/**
 * An HD44780 character LCD behind a PCF8574 I2C backpack, sharing the bus through a ManagedResource
 * (with the HTU21D and the EEPROM). Every byte goes as two 4-bit nibbles, each strobed with EN
 * (4 bus bytes a byte). Each operation takes the bus for its transfers only: the waits (power-on 50 ms,
 * the init steps, 2 ms after clear and home) are scheduler sleeps with the bus free; the 37 µs an
 * ordinary instruction takes is covered by the bus time of the next nibble (2 bytes: 180 µs at 100 kHz,
 * 45 µs at 400 kHz).
 *
 * `print(row, text)` is line-buffered: the driver remembers what each row shows and sends only the runs
 * of characters that changed (with one address instruction each), in writes of at most `chunk`
 * characters. Operations on one LCD are serialised (a Lock), in the order called.
 *
 * Cancel-safe: a cancelled operation stops between transfers; the bus is released; the row it was
 * writing is marked unknown and rewritten in full by the next print. Errors: RangeError / TypeError for
 * bad arguments (before anything is sent), the bus's Error when the backpack does not acknowledge
 * (counted in `nacks`; the touched rows are rewritten next time), ClosedError after close().
 * Memory: one object, the row buffer (cols x rows bytes), a transfer buffer of 4 x max(chunk + 1, 9) bytes,
 * a Lock; an operation allocates its generators; print() copies nothing (it compares char codes).
 * @example
 *   const lcd = new Lcd({ resource: i2c, io: device.io.I2C, i2c: { ...device.I2C.default, hz: 100_000 } });
 *   yield* lcd.init();
 *   yield* lcd.print(0, `${t.toFixed(1)}°C ${rh.toFixed(0)}%`);
 */
export class Lcd {
  readonly cols: number;
  readonly rows: number;
  private readonly handle: ResourceHandle<I2C>;
  private readonly ownedIo: I2C | null;
  private readonly ownsHandle: boolean;
  private readonly lock = new Lock();
  private readonly shown: Uint8Array;
  /** per row: true when the row's content on the glass is known */
  private readonly known: boolean[];
  private readonly buf: Uint8Array;
  private readonly chunk: number;
  private readonly count: LcdStats = { transfers: 0, bytes: 0, commands: 0, characters: 0, unchanged: 0, nacks: 0 };
  private light: number;
  private displayBits = 0x04;
  private ready = false;
  private closed = false;
  private len = 0;
  private readonly send = (bus: I2C): void => {
    try {
      bus.write(this.buf.subarray(0, this.len));
    } catch (e) {
      this.count.nacks++;
      throw e;
    }
    this.count.transfers++;
    this.count.bytes += this.len;
  };

  constructor(options: LcdOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("Lcd needs options: { handle } or { resource, io, i2c }");
    this.cols = whole(options.cols ?? 16, "cols", 1, 40);
    this.rows = whole(options.rows ?? 2, "rows", 1, 4);
    if (this.cols * Math.min(this.rows, 2) > 80 || (this.rows > 2 && this.cols > 20)) throw new RangeError(`Lcd: ${this.cols}x${this.rows} does not fit the HD44780's 80 characters`);
    this.chunk = whole(options.chunk ?? 8, "chunk", 1, 40);
    this.light = options.backlight === false ? 0 : PCF8574_BIT.BACKLIGHT;
    this.shown = new Uint8Array(this.cols * this.rows);
    this.known = [];
    for (let r = 0; r < this.rows; r++) this.known.push(false);
    this.buf = new Uint8Array(4 * Math.max(this.chunk + 1, 9)); // 9: a custom character (address + 8 rows)
    const device = openI2CDevice("Lcd", options, LCD_ADDRESS, "lcd");
    this.handle = device.handle;
    this.ownedIo = device.ownedIo;
    this.ownsHandle = device.ownsHandle;
  }

  /**
   * The 4-bit initialisation (datasheet figure 24): wait for power-on, nibble 3 three times (5 ms and 1 ms
   * apart), nibble 2, then function set (lines), display off, clear, entry mode (increment), display on.
   * Takes 50 + 5 + 1 + 1 + 2 ms. Other operations run it first if it has not run.
   */
  init(): Op<void> {
    return this.run(initGen, null, 0, 0);
  }

  /** Clear the screen and home the cursor (then 2 ms with the bus free). */
  clear(): Op<void> {
    return this.run(clearGen, null, 0, 0);
  }

  /** Cursor to the top left, display shift undone (2 ms). */
  home(): Op<void> {
    return this.run(commandGen, null, HD44780.HOME, LCD_WAIT_MS.CLEAR);
  }

  /** Move the cursor (col 0..cols-1, row 0..rows-1). */
  setCursor(col: number, row: number): Op<void> {
    whole(col, "col", 0, this.cols - 1);
    whole(row, "row", 0, this.rows - 1);
    return this.run(commandGen, null, HD44780.DDRAM | this.address(col, row), 0);
  }

  /** Show or hide the cursor (an underline) and its blinking block. */
  cursor(visible: boolean, blink = false): Op<void> {
    this.displayBits = (this.displayBits & 0x04) | (visible ? 0x02 : 0) | (blink ? 0x01 : 0);
    return this.run(commandGen, null, HD44780.DISPLAY | this.displayBits, 0);
  }

  /** Display on or off (the text is kept). */
  display(on: boolean): Op<void> {
    this.displayBits = (this.displayBits & 0x03) | (on ? 0x04 : 0);
    return this.run(commandGen, null, HD44780.DISPLAY | this.displayBits, 0);
  }

  /** Backlight on or off (a backpack bit: one transfer, no instruction). */
  backlight(on: boolean): Op<void> {
    this.light = on ? PCF8574_BIT.BACKLIGHT : 0;
    return this.run(backlightGen, null, 0, 0);
  }

  /** Define custom character `index` (0-7) from 8 rows of 5 bits (top first); print it as "\x00".."\x07". */
  defineChar(index: number, pattern: ArrayLike<number>): Op<void> {
    whole(index, "custom character index", 0, 7);
    if (pattern === null || typeof pattern !== "object" || pattern.length !== 8) throw new RangeError("Lcd: a custom character is 8 rows (numbers 0-31)");
    const rows = new Uint8Array(8);
    for (let i = 0; i < 8; i++) rows[i] = whole(pattern[i], "custom character row", 0, 31);
    return this.run(defineGen, rows, index, 0);
  }

  /**
   * Show `text` on `row`, padded with spaces (cut at `cols`): only the characters that differ from what
   * the row shows are sent. Characters: ASCII, "\x00"-"\x07" (custom), "°"; others show as "?".
   */
  print(row: number, text: string): Op<void> {
    whole(row, "row", 0, this.rows - 1);
    if (typeof text !== "string") throw new TypeError(`Lcd: print(row, text) needs a string, got ${typeof text}`);
    return this.run(printGen, text, row, 0);
  }

  /** What the driver believes row `row` shows (null if unknown: before init, after a failed write). */
  text(row: number): string | null {
    whole(row, "row", 0, this.rows - 1);
    if (!this.known[row]) return null;
    let s = "";
    for (let c = 0; c < this.cols; c++) s += String.fromCharCode(this.shown[row * this.cols + c]!);
    return s;
  }

  /** Counters (a copy). */
  stats(): LcdStats {
    return { ...this.count };
  }

  /** Later operations throw ClosedError; closes the handle and the I2C instance if the driver opened them. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsHandle) this.handle.close();
    if (this.ownedIo !== null) this.ownedIo.close();
  }

  private run(body: (d: Lcd, arg: unknown, a: number, b: number) => Gen<void>, arg: unknown, a: number, b: number): Op<void> {
    if (this.closed) throw new ClosedError("Lcd closed");
    return composite(currentTask(), () => lockedGen(this, body, arg, a, b));
  }

  // ---- internals used by the generator bodies -----------------------------------------------

  /** @internal */ get driverLock(): Lock {
    return this.lock;
  }

  /** @internal */ get initialised(): boolean {
    return this.ready;
  }

  /** @internal DDRAM address of (col, row): rows 2 and 3 continue rows 0 and 1. */
  address(col: number, row: number): number {
    return (row & 1 ? 0x40 : 0) + (row >= 2 ? this.cols : 0) + col;
  }

  /** @internal put one nibble (high bits of `value`) with `flags` into the transfer buffer */
  nibble(value: number, flags: number): void {
    const b = (value & 0xf0) | flags | this.light;
    this.buf[this.len++] = b | PCF8574_BIT.EN;
    this.buf[this.len++] = b;
  }

  /** @internal put one byte (two nibbles) */
  byte(value: number, rs: number): void {
    this.nibble(value, rs);
    this.nibble(value << 4, rs);
    if (rs !== 0) this.count.characters++;
    else this.count.commands++;
  }

  /** @internal send what is in the transfer buffer (one bus use) */
  *flush(): Gen<void> {
    if (this.len === 0) return;
    try {
      yield* this.handle.use(this.send);
    } finally {
      this.len = 0;
    }
  }

  /** @internal one instruction, then `waitMs` with the bus free */
  *command(cmd: number, waitMs: number): Gen<void> {
    this.byte(cmd, 0);
    yield* this.flush();
    if (waitMs > 0) yield* sleepMs(waitMs);
  }

  /** @internal a lone nibble (init) */
  *initNibble(value: number, waitMs: number): Gen<void> {
    this.nibble(value << 4, 0);
    yield* this.flush();
    this.count.commands++;
    yield* sleepMs(waitMs);
  }

  /** @internal */
  *ensureInit(): Gen<void> {
    if (!this.ready) yield* initBody(this);
  }

  /** @internal */
  setReady(v: boolean): void {
    this.ready = v;
  }

  /** @internal the screen is blank (init, clear) */
  blank(): void {
    this.shown.fill(SPACE);
    for (let r = 0; r < this.rows; r++) this.known[r] = true;
  }

  /** @internal the backpack byte with nothing strobed (backlight only) */
  idleByte(): void {
    this.buf[this.len++] = this.light;
  }

  /** @internal */
  get displayState(): number {
    return this.displayBits;
  }

  /** @internal write the changed runs of `row` */
  *printRow(row: number, text: string): Gen<void> {
    const cols = this.cols;
    const base = row * cols;
    const known = this.known[row]!;
    this.known[row] = false; // until every run went out
    let c = 0;
    while (c < cols) {
      const want = c < text.length ? lcdCode(text.charCodeAt(c)) : SPACE;
      if (known && this.shown[base + c] === want) {
        this.count.unchanged++;
        c++;
        continue;
      }
      // a run of changed characters, at most `chunk` long
      this.byte(HD44780.DDRAM | this.address(c, row), 0);
      let n = 0;
      while (c < cols && n < this.chunk) {
        const w = c < text.length ? lcdCode(text.charCodeAt(c)) : SPACE;
        if (known && n > 0 && this.shown[base + c] === w) break;
        this.byte(w, PCF8574_BIT.RS);
        this.shown[base + c] = w;
        c++;
        n++;
      }
      yield* this.flush();
    }
    this.known[row] = true;
  }
}

function* lockedGen(d: Lcd, body: (d: Lcd, arg: unknown, a: number, b: number) => Gen<void>, arg: unknown, a: number, b: number): Gen<void> {
  yield* d.driverLock.acquire();
  try {
    yield* body(d, arg, a, b);
  } finally {
    d.driverLock.release();
  }
}

function* initBody(d: Lcd): Gen<void> {
  d.setReady(false);
  yield* sleepMs(LCD_WAIT_MS.POWER_ON);
  yield* d.initNibble(0x03, LCD_WAIT_MS.INIT_FIRST);
  yield* d.initNibble(0x03, LCD_WAIT_MS.INIT_NEXT);
  yield* d.initNibble(0x03, LCD_WAIT_MS.INIT_NEXT);
  yield* d.initNibble(0x02, LCD_WAIT_MS.INIT_NEXT);
  yield* d.command(HD44780.FUNCTION_SET | (d.rows > 1 ? 0x08 : 0), 0);
  yield* d.command(HD44780.DISPLAY, 0);
  yield* d.command(HD44780.CLEAR, LCD_WAIT_MS.CLEAR);
  d.blank();
  yield* d.command(HD44780.ENTRY_MODE | 0x02, 0);
  yield* d.command(HD44780.DISPLAY | d.displayState, 0);
  d.setReady(true);
}

function* initGen(d: Lcd): Gen<void> {
  yield* initBody(d);
}

function* clearGen(d: Lcd): Gen<void> {
  yield* d.ensureInit();
  yield* d.command(HD44780.CLEAR, LCD_WAIT_MS.CLEAR);
  d.blank();
}

function* commandGen(d: Lcd, _arg: unknown, cmd: number, waitMs: number): Gen<void> {
  yield* d.ensureInit();
  yield* d.command(cmd, waitMs);
}

function* backlightGen(d: Lcd): Gen<void> {
  d.idleByte();
  yield* d.flush();
}

function* defineGen(d: Lcd, rows: unknown, index: number): Gen<void> {
  yield* d.ensureInit();
  const p = rows as Uint8Array;
  d.byte(HD44780.CGRAM | (index << 3), 0);
  for (let i = 0; i < 8; i++) d.byte(p[i]!, PCF8574_BIT.RS);
  yield* d.flush(); // 9 bytes: 36 bus bytes
  // back to DDRAM so that later characters land on the screen (print sets its own address anyway)
  yield* d.command(HD44780.DDRAM, 0);
}

function* printGen(d: Lcd, text: unknown, row: number): Gen<void> {
  yield* d.ensureInit();
  yield* d.printRow(row, text as string);
}
