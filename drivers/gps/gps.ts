import type { SerialConstructor } from "../../firmware/platform/io";
import { spawn, now, composite, ClosedError, isCancelled, currentTask, type Op, type Gen, type Task, moveOnAfter } from "../../firmware/sched/kernel";
import { Event } from "../../firmware/sync/event";
import { Uart, type UartSerialOptions } from "../uart/uart";
import type { UartReader } from "../uart/reader";
import { coordinate, dateMs, numberField, splitSentence, timeOfDayMs } from "./nmea";

/** What {@link Gps.waitFix} and {@link Gps.position} give: a copy of the fix at one moment. */
export interface GpsFix {
  /** Degrees, north and east positive. */
  latitude: number;
  longitude: number;
  /** Metres above mean sea level (GGA), NaN until one arrived. */
  altitude: number;
  /** GGA fix quality: 1 GPS, 2 DGPS, 4 RTK, 6 dead reckoning... (0 is no fix); 1 when only RMC/GLL said "valid". */
  quality: number;
  /** Satellites used (GGA), NaN until known. */
  satellites: number;
  /** Course over ground in degrees true, and speed (RMC / VTG); NaN until known. */
  course: number;
  speedKnots: number;
  /** UTC of the fix in ms since 1970 (NaN until a date arrived), and the scheduler time (ms) it was received. */
  utcMs: number;
  at: number;
}

/** Counters (see {@link Gps.stats}): bad input is counted here, never thrown. */
export interface GpsStats {
  /** Sentences with a good checksum that were used. */
  sentences: number;
  rmc: number;
  gga: number;
  vtg: number;
  gsv: number;
  gll: number;
  /** Good checksum, but a type the driver does not use (GSA, ZDA, TXT...). */
  ignored: number;
  /** Lines whose checksum did not match. */
  badChecksum: number;
  /** Lines that are not sentences (no "$" or "*HH", control characters, bad fields, too long, bytes lost in an overflow). */
  malformed: number;
  /** Fix changes: valid to invalid (sentence status, or `staleMs` without any sentence) and back. */
  fixesLost: number;
  fixesGained: number;
  /** Times `staleMs` passed without a good sentence. */
  silences: number;
  /** The reader's overflow count (bytes lost because the driver fell behind). */
  overflowed: number;
}

/** Options of {@link Gps}: an open Uart, or the Serial class and options to open one (9600 baud by default). */
export type GpsOptions = {
  /** A fix (and the data) older than this is stale: `hasFix` goes false and `fixesLost` counts it (default 2000). */
  staleMs?: number;
} & ({ uart: Uart } | { Serial: SerialConstructor; serial: Partial<UartSerialOptions>; bufferSize?: number });

function* readLineOf(reader: UartReader): Gen<string> {
  return yield* reader.readLine();
}

function* receiveGen(g: Gps, reader: UartReader, staleMs: number): Gen<void> {
  for (;;) {
    let line: string;
    try {
      const r = yield* moveOnAfter(staleMs, readLineOf, reader);
      if (r.timedOut) {
        g.silence();
        continue;
      }
      line = r.value!;
    } catch (e) {
      if (e instanceof ClosedError) return;
      if (isCancelled(e)) throw e;
      g.badLine(); // LineTooLongError, UartOverflowError: the line is lost, counted
      continue;
    }
    g.take(line);
  }
}

function* waitFixGen(g: Gps): Gen<GpsFix> {
  while (!g.hasFix) yield* g.fixEvent.wait();
  return g.position()!;
}

function* waitDataGen(g: Gps): Gen<number> {
  yield* g.dataEvent.wait();
  return now();
}

/**
 * A GPS receiver speaking NMEA 0183 on a UART (9600 baud, any talker: GP, GN, GL...): its own task reads
 * lines, verifies each checksum and keeps the latest position, course, speed, UTC time and date, fix
 * quality, satellites in use (GGA) and in view (GSV), from RMC, GGA, VTG, GSV and GLL. Bad sentences
 * (checksum, format, too long, overflow) and lost fixes are counted in `stats()`, never thrown.
 *
 * - `hasFix`: the last status said valid and a sentence arrived within `staleMs`. `waitFix()` returns the
 *   position at once if there is a fix, else when one comes. `waitData()` waits for the next good sentence.
 * - Staleness: `staleMs` (2000) without a good sentence ends the fix (`fixesLost`, `silences`);
 *   `ageMs` is the time since the last good sentence.
 *
 * Cancel-safe: `waitFix()` / `waitData()` only wait on events; cancelling them takes nothing away from
 * the driver or other waiters. Errors: options are checked (TypeError / RangeError) before anything is
 * opened; `waitFix()` / `waitData()` after `close()` throw ClosedError, and pending ones end with it.
 * Memory: one object (~30 fields), two Events, one task; per line the reader's string, its fields and a
 * timeout scope (`moveOnAfter`); the Uart's buffer (256 bytes when the driver opens it).
 * @example
 *   const gps = new Gps({ Serial: board().io.Serial!, serial: { port: 1, receive: 17, transmit: 16 } });
 *   const fix = yield* failAfter(60_000, () => gps.waitFix());
 *   trace(`${fix.latitude.toFixed(5)},${fix.longitude.toFixed(5)} at ${new Date(fix.utcMs).toISOString()}\n`);
 */
export class Gps {
  /** Degrees (NaN until known); the last valid position is kept while the fix is lost. */
  latitude = NaN;
  longitude = NaN;
  /** Metres above mean sea level (GGA). */
  altitude = NaN;
  /** Course over ground, degrees true; speed in knots and km/h (RMC, VTG). */
  course = NaN;
  speedKnots = NaN;
  speedKmh = NaN;
  /** GGA fix quality (0 no fix). */
  quality = 0;
  /** Satellites used in the fix (GGA) and in view (GSV). */
  satellitesInUse = NaN;
  satellitesInView = NaN;
  /** Horizontal dilution of precision (GGA). */
  hdop = NaN;
  /** UTC time of day of the last sentence that carried one (ms since midnight), and the date (ms since 1970 at 00:00). */
  timeOfDayMs = NaN;
  dateMs = NaN;
  /**
   * Scheduler time (ms) the first sentence carrying the last time of day ended: `utcMs` counts on from it.
   * It is late by that sentence's transfer (80 bytes: 83 ms at 9600 baud) plus the module's output delay.
   */
  timeAt = NaN;
  /** Scheduler time (ms) of the last good sentence and of the last valid position. */
  dataAt = -Infinity;
  fixAt = -Infinity;
  readonly staleMs: number;
  readonly uart: Uart;
  /** @internal */ readonly fixEvent = new Event<void>();
  /** @internal */ readonly dataEvent = new Event<void>();
  private readonly count: GpsStats = {
    sentences: 0, rmc: 0, gga: 0, vtg: 0, gsv: 0, gll: 0, ignored: 0, badChecksum: 0, malformed: 0,
    fixesLost: 0, fixesGained: 0, silences: 0, overflowed: 0,
  };
  private readonly ownsUart: boolean;
  private readonly task: Task;
  private valid = false;
  private closed = false;

  /** Construct it in a task (it starts its own). */
  constructor(options: GpsOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("Gps needs options: { uart } or { Serial, serial }");
    const staleMs = options.staleMs ?? 2000;
    if (typeof staleMs !== "number" || !(staleMs > 0) || staleMs === Infinity) throw new RangeError(`Gps: staleMs must be a number > 0, got ${String(staleMs)}`);
    this.staleMs = staleMs;
    if ("uart" in options) {
      if (!(options.uart instanceof Uart)) throw new TypeError("Gps: options.uart must be a Uart (drivers/uart)");
      this.uart = options.uart;
      this.ownsUart = false;
    } else {
      const { Serial, serial } = options;
      if (typeof Serial !== "function" || serial === null || typeof serial !== "object") throw new TypeError("Gps needs options: { uart } or { Serial, serial }");
      this.uart = new Uart(Serial, { baud: 9600, ...serial }, { bufferSize: options.bufferSize ?? 256, maxLine: Math.min(options.bufferSize ?? 256, 128) });
      this.ownsUart = true;
    }
    this.task = spawn("gps", receiveGen, this, this.uart.reader, staleMs);
  }

  /** True while the last status said valid and a good sentence came within `staleMs`. */
  get hasFix(): boolean {
    return this.valid;
  }

  /** ms since the last good sentence (Infinity before the first). */
  get ageMs(): number {
    return now() - this.dataAt;
  }

  /** UTC now in ms since 1970, from the last time and date the GPS sent plus the time since (NaN until both came). */
  get utcMs(): number {
    return this.dateMs + this.timeOfDayMs + (now() - this.timeAt);
  }

  /** The current fix as a copy, or null without a fix. */
  position(): GpsFix | null {
    if (!this.valid) return null;
    return {
      latitude: this.latitude, longitude: this.longitude, altitude: this.altitude, quality: this.quality,
      satellites: this.satellitesInUse, course: this.course, speedKnots: this.speedKnots,
      utcMs: this.dateMs + this.timeOfDayMs, at: this.fixAt,
    };
  }

  /** Wait for a fix (at once if there is one); returns it. ClosedError after close(). */
  waitFix(): Op<GpsFix> {
    if (this.closed) throw new ClosedError("Gps closed");
    return composite(currentTask(), () => waitFixGen(this));
  }

  /** Wait for the next good sentence (any type); returns the scheduler time it arrived. ClosedError after close(). */
  waitData(): Op<number> {
    if (this.closed) throw new ClosedError("Gps closed");
    return composite(currentTask(), () => waitDataGen(this));
  }

  /** Counters (a copy), with the number of waiting tasks. */
  stats(): GpsStats & { waiting: number } {
    this.count.overflowed = this.uart.reader.overflowed;
    return { ...this.count, waiting: this.fixEvent.waiting + this.dataEvent.waiting };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop the task; close the Uart if the driver opened it. Pending waits end with ClosedError. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.task.cancel();
    if (this.ownsUart) this.uart.close();
    const err = new ClosedError("Gps closed");
    for (const e of [this.fixEvent, this.dataEvent]) for (let t = e.waiters.shift(); t !== null; t = e.waiters.shift()) t.sched.wakeThrow(t, err);
  }

  // ---- the receive task ------------------------------------------------------------------

  /** @internal a line that could not be read (too long, overflow gap) */
  badLine(): void {
    this.count.malformed++;
  }

  /** @internal `staleMs` without a good sentence */
  silence(): void {
    this.count.silences++;
    this.setValid(false);
  }

  /** @internal one line from the UART */
  take(line: string): void {
    const f = splitSentence(line);
    if (f === "checksum") {
      this.count.badChecksum++;
      return;
    }
    if (f === "format") {
      this.count.malformed++;
      return;
    }
    const type = f[0]!.slice(-3);
    let ok: boolean;
    switch (type) {
      case "RMC": ok = this.rmc(f); break;
      case "GGA": ok = this.gga(f); break;
      case "VTG": ok = this.vtg(f); break;
      case "GSV": ok = this.gsv(f); break;
      case "GLL": ok = this.gll(f); break;
      default:
        this.count.ignored++;
        return;
    }
    if (!ok) {
      this.count.malformed++;
      return;
    }
    this.count.sentences++;
    this.dataAt = now();
    this.dataEvent.set();
    this.dataEvent.clear();
  }

  private setValid(v: boolean): void {
    if (v === this.valid) return;
    this.valid = v;
    if (v) {
      this.count.fixesGained++;
      this.fixEvent.set();
      this.fixEvent.clear();
    } else {
      this.count.fixesLost++;
      this.quality = 0;
    }
  }

  private time(s: string | undefined): boolean {
    if (s === undefined || s === "") return true;
    const t = timeOfDayMs(s);
    if (t !== t) return false;
    if (t !== this.timeOfDayMs) {
      // the first sentence of an epoch: its end is the closest the driver gets to the epoch's instant
      this.timeOfDayMs = t;
      this.timeAt = now();
    }
    return true;
  }

  /** A position pair; false if malformed. Empty fields (no fix) leave the last position. */
  private place(lat: string | undefined, ns: string | undefined, lon: string | undefined, ew: string | undefined, valid: boolean): boolean {
    if (!valid && (lat === "" || lat === undefined)) return true;
    const la = coordinate(lat, ns, 90);
    const lo = coordinate(lon, ew, 180);
    if (la !== la || lo !== lo) return false;
    if (valid) {
      this.latitude = la;
      this.longitude = lo;
      this.fixAt = now();
    }
    return true;
  }

  // $GPRMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a*hh
  private rmc(f: string[]): boolean {
    if (f.length < 10) return false;
    const status = f[2];
    if (status !== "A" && status !== "V") return false;
    const valid = status === "A";
    if (!this.time(f[1]) || !this.place(f[3], f[4], f[5], f[6], valid)) return false;
    if (f[9] !== "") {
      const d = dateMs(f[9]);
      if (d !== d) return false;
      this.dateMs = d;
    }
    const speed = numberField(f[7]);
    const course = numberField(f[8]);
    if (speed === speed) {
      this.speedKnots = speed;
      this.speedKmh = speed * 1.852;
    }
    if (course === course) this.course = course;
    this.count.rmc++;
    if (valid && this.quality === 0) this.quality = 1;
    this.setValid(valid);
    return true;
  }

  // $GPGGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,h.h,alt,M,geoid,M,age,station*hh
  private gga(f: string[]): boolean {
    if (f.length < 10) return false;
    const q = numberField(f[6]);
    if (!(q >= 0 && q <= 9)) return false;
    const valid = q > 0;
    if (!this.time(f[1]) || !this.place(f[2], f[3], f[4], f[5], valid)) return false;
    const used = numberField(f[7]);
    if (used === used) this.satellitesInUse = used;
    const hdop = numberField(f[8]);
    if (hdop === hdop) this.hdop = hdop;
    const alt = numberField(f[9]);
    if (alt === alt) this.altitude = alt;
    this.count.gga++;
    this.setValid(valid);
    if (valid) this.quality = q;
    return true;
  }

  // $GPVTG,cog,T,cog,M,knots,N,kmh,K,mode*hh
  private vtg(f: string[]): boolean {
    if (f.length < 9) return false;
    const course = numberField(f[1]);
    const knots = numberField(f[5]);
    const kmh = numberField(f[7]);
    if (course === course) this.course = course;
    if (knots === knots) this.speedKnots = knots;
    if (kmh === kmh) this.speedKmh = kmh;
    this.count.vtg++;
    return true;
  }

  // $GPGSV,total,index,inView,(prn,elev,azim,snr)x1..4*hh
  private gsv(f: string[]): boolean {
    if (f.length < 4) return false;
    const n = numberField(f[3]);
    if (!(n >= 0)) return false;
    this.satellitesInView = n;
    this.count.gsv++;
    return true;
  }

  // $GPGLL,llll.ll,a,yyyyy.yy,a,hhmmss.ss,A,mode*hh
  private gll(f: string[]): boolean {
    if (f.length < 7) return false;
    const status = f[6];
    if (status !== "A" && status !== "V") return false;
    const valid = status === "A";
    if (!this.time(f[5]) || !this.place(f[1], f[2], f[3], f[4], valid)) return false;
    this.count.gll++;
    if (valid && this.quality === 0) this.quality = 1;
    this.setValid(valid);
    return true;
  }
}
