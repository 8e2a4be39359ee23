import { nmeaSentence } from "../drivers/gps/nmea";
import type { CallbackHandle } from "../firmware/sched/scheduler";
import type { SimSerialPort } from "./serial";
import type { SimClock } from "./time";

/** Options of {@link SimGps}. */
export interface SimGpsOptions {
  /** Start position in degrees (default 51.5007, -0.1246, as the device emulator). */
  latitude?: number;
  longitude?: number;
  /** Speed over ground in knots (default 0) and course in degrees true (default 0, north). */
  speedKnots?: number;
  course?: number;
  /** UTC at the clock's 0 ms (default 2026-12-06T12:00:00Z). */
  startUtcMs?: number;
  /** Metres above mean sea level (default 35). */
  altitude?: number;
  /** Satellites in view and used (default 8 and 7). */
  inView?: number;
  inUse?: number;
  /** Talker id (default "GP"). */
  talker?: string;
}

const M_PER_DEG = 111_320;
const M_PER_KNOT_S = 1852 / 3600;

function pad(n: number, width: number, decimals = 0): string {
  const s = n.toFixed(decimals);
  const int = decimals > 0 ? s.indexOf(".") : s.length;
  return "0".repeat(Math.max(0, width - int)) + s;
}

/** ddmm.mmmm,N / dddmm.mmmm,W */
function nmeaCoordinate(deg: number, lat: boolean): string {
  const a = Math.abs(deg);
  let d = Math.floor(a);
  let m = Number(((a - d) * 60).toFixed(4));
  if (m >= 60) {
    d++;
    m -= 60;
  }
  const hemi = lat ? (deg < 0 ? "S" : "N") : deg < 0 ? "W" : "E";
  return `${pad(d, lat ? 2 : 3)}${pad(m, 2, 4)},${hemi}`;
}

/**
 * A GPS module on the far end of a simulated UART (u-blox style, like the device emulator's `--gps`):
 * from 1 s, at every whole second of the clock, a burst of RMC, VTG, GGA and two GSV sentences (GLL with
 * `gll = true`), with checksums, sent at the port's line rate. It dead-reckons along `course` at
 * `speedKnots` (flat earth: fine for a short track); `waypoints` make it steer from point to point.
 *
 * Faults: `fix = false` (RMC status V, GGA quality 0, VTG mode N, GSV 0 in view, position fields empty;
 * time and date still sent), `corrupt(n)` (the next n sentences carry a wrong checksum), `silent = true`
 * (nothing is sent: an unplugged antenna cable... or module).
 * Memory: a few numbers; each burst allocates its text (~350 bytes).
 * @example
 *   const uart = new Uart(SimSerialPort, { baud: 9600 });
 *   const gps = new SimGps(uart.serial as SimSerialPort, clock, { speedKnots: 12, course: 90 }).start();
 */
export class SimGps {
  latitude: number;
  longitude: number;
  speedKnots: number;
  course: number;
  altitude: number;
  inView: number;
  inUse: number;
  fix = true;
  silent = false;
  /** Also send GLL in each burst (the emulator does not). */
  gll = false;
  /** Points ([lat, lon]) to steer to in turn; each reached point is removed. */
  readonly waypoints: [number, number][] = [];
  /** Bursts and sentences sent, and sentences sent with a wrong checksum. */
  bursts = 0;
  sentences = 0;
  corrupted = 0;
  readonly talker: string;
  readonly startUtcMs: number;
  private corruptLeft = 0;
  private movedAt = 0;
  private timer: CallbackHandle | null = null;

  constructor(
    readonly port: SimSerialPort,
    readonly clock: SimClock,
    options: SimGpsOptions = {},
  ) {
    this.latitude = options.latitude ?? 51.5007;
    this.longitude = options.longitude ?? -0.1246;
    this.speedKnots = options.speedKnots ?? 0;
    this.course = options.course ?? 0;
    this.altitude = options.altitude ?? 35;
    this.inView = options.inView ?? 8;
    this.inUse = options.inUse ?? 7;
    this.talker = options.talker ?? "GP";
    this.startUtcMs = options.startUtcMs ?? Date.UTC(2026, 11, 6, 12, 0, 0);
    this.movedAt = clock.nowMs();
  }

  /** Send a burst at every whole second from the next one (at least 1 s). Returns this. */
  start(): this {
    this.stop();
    const next = Math.max(1000, Math.floor(this.clock.nowMs() / 1000) * 1000 + 1000);
    const tick = (): void => {
      this.timer = this.clock.at(this.clock.nowMs() + 1000, tick);
      this.sendBurst();
    };
    this.timer = this.clock.at(next, tick);
    return this;
  }

  stop(): void {
    if (this.timer !== null) this.timer.cancel();
    this.timer = null;
  }

  /** The next `n` sentences get a wrong checksum. */
  corrupt(n = 1): void {
    this.corruptLeft += n;
  }

  /** Jump to a position; motion goes on from there. */
  moveTo(latitude: number, longitude: number): void {
    this.advance();
    this.latitude = latitude;
    this.longitude = longitude;
  }

  /** Send one burst now (what start() does each second); returns the sentences. */
  sendBurst(): string[] {
    this.advance();
    if (this.silent) return [];
    const lines = this.burst(this.clock.nowMs());
    const out: string[] = [];
    for (const line of lines) {
      let s = line;
      if (this.corruptLeft > 0) {
        this.corruptLeft--;
        this.corrupted++;
        const last = s.charCodeAt(s.length - 3);
        s = s.slice(0, s.length - 3) + (last === 48 ? "1" : "0") + "\r\n"; // change the checksum's last digit
      }
      out.push(s);
    }
    this.bursts++;
    this.sentences += out.length;
    this.port.peer.send(out.join(""));
    return out;
  }

  /** The sentences for clock time `ms` (correct checksums), without sending them. */
  burst(ms: number): string[] {
    const utc = this.startUtcMs + ms;
    const d = new Date(utc);
    const time = `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds() + d.getUTCMilliseconds() / 1000, 2, 2)}`;
    const date = `${pad(d.getUTCDate(), 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCFullYear() % 100, 2)}`;
    const t = this.talker;
    const fix = this.fix;
    const lat = fix ? nmeaCoordinate(this.latitude, true) : ",";
    const lon = fix ? nmeaCoordinate(this.longitude, false) : ",";
    const sog = fix ? this.speedKnots.toFixed(3) : "";
    const cog = fix && this.speedKnots > 0 ? this.course.toFixed(2) : "";
    const kmh = fix ? (this.speedKnots * 1.852).toFixed(3) : "";
    const out = [
      nmeaSentence(`${t}RMC,${time},${fix ? "A" : "V"},${lat},${lon},${sog},${cog},${date},,,${fix ? "A" : "N"}`),
      nmeaSentence(`${t}VTG,${cog},T,,M,${sog},N,${kmh},K,${fix ? "A" : "N"}`),
      nmeaSentence(`${t}GGA,${time},${lat},${lon},${fix ? 1 : 0},${fix ? pad(this.inUse, 2) : "00"},${fix ? "1.01" : "99.99"},${fix ? this.altitude.toFixed(1) : ""},M,${fix ? "47.0" : ""},M,,`),
    ];
    const inView = fix ? this.inView : 0;
    const msgs = Math.max(1, Math.ceil(inView / 4));
    for (let i = 0; i < Math.max(2, msgs) && i < 3; i++) {
      let sats = "";
      for (let k = i * 4; k < Math.min(inView, i * 4 + 4); k++) sats += `,${pad(k * 3 + 2, 2)},${pad(20 + k * 5, 2)},${pad((k * 45) % 360, 3)},${pad(30 + k, 2)}`;
      out.push(nmeaSentence(`${t}GSV,${Math.max(2, msgs)},${i + 1},${pad(inView, 2)}${sats}`));
    }
    if (this.gll) out.push(nmeaSentence(`${t}GLL,${lat},${lon},${time},${fix ? "A" : "V"},${fix ? "A" : "N"}`));
    return out;
  }

  /** Dead-reckon (or steer to the next waypoint) up to now. */
  private advance(): void {
    const t = this.clock.nowMs();
    let dtS = (t - this.movedAt) / 1000;
    this.movedAt = t;
    while (dtS > 0 && this.speedKnots > 0) {
      const wp = this.waypoints[0];
      let step = this.speedKnots * M_PER_KNOT_S * dtS; // metres
      if (wp !== undefined) {
        const dn = (wp[0] - this.latitude) * M_PER_DEG;
        const de = (wp[1] - this.longitude) * M_PER_DEG * Math.cos((this.latitude * Math.PI) / 180);
        const dist = Math.sqrt(dn * dn + de * de);
        this.course = ((Math.atan2(de, dn) * 180) / Math.PI + 360) % 360;
        if (dist <= step) {
          this.latitude = wp[0];
          this.longitude = wp[1];
          this.waypoints.shift();
          dtS -= dist / (this.speedKnots * M_PER_KNOT_S);
          continue;
        }
      }
      const rad = (this.course * Math.PI) / 180;
      this.latitude += (step * Math.cos(rad)) / M_PER_DEG;
      this.longitude += (step * Math.sin(rad)) / (M_PER_DEG * Math.cos((this.latitude * Math.PI) / 180));
      step = 0;
      dtS = 0;
    }
  }
}
