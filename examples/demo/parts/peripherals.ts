// The demo's other inputs and outputs, each a service of its own (present when the board description has the part):
// - dial: an analog input (a potentiometer or a light sensor): leaving the band DIAL.low..DIAL.high sets the LED
//   to fast blink (above) or slow blink (below), coming back into it sets the LED on (waitOutside / waitInside);
// - knob: an incremental encoder: each detent changes the env sampling period by ENCODER_STEP_MS (a turn is
//   applied once it settled for KNOB_SETTLE_MS: one change and one log line a turn);
// - gps: a GPS receiver: logs position and UTC time, sets the clock from it, and says when the fix is lost;
// - lcd: an HD44780 on the env's I2C bus (shared through its ManagedResource): temperature, humidity, GPS time;
// - touch: a touch pad that acts as the button does (click: on/off, double: fast blink, long: status).
import type { RingLog, StatsBoard } from "xs-async/control";
import type { AnalogConstructor, DigitalConstructor, I2CConstructor, SerialConstructor } from "xs-async/io";
import { ClosedError, isCancelled, moveOnAfter, now, sleepMs, type Gen } from "xs-async";
import { Adc } from "xs-async/drivers/adc";
import { Encoder } from "xs-async/drivers/encoder";
import { Gps, type GpsFix } from "xs-async/drivers/gps";
import { Lcd } from "xs-async/drivers/lcd";
import type { ManagedResource } from "xs-async/drivers/resource";
import { TouchPad, type TouchReaderConstructor } from "xs-async/drivers/touch";
import type { UartSerialOptions } from "xs-async/drivers/uart";
import type { Env, I2CPins } from "./env";
import type { Led } from "./led";

/** The dial's band (raw 12-bit units) and hysteresis, its sampling period and averaging. */
export const DIAL = Object.freeze({ low: 1000, high: 3000, hysteresis: 100, periodMs: 100, samples: 4 });
/** Env sampling period change per encoder detent (ms), and its limits; a turn is applied once it settled this long (ms). */
export const ENCODER_STEP_MS = 100;
export const KNOB_SETTLE_MS = 250;
export const ENV_PERIOD_MIN_MS = 1000;
export const ENV_PERIOD_MAX_MS = 60000;
/** How often the GPS part logs the position while it has a fix (ms), and the GPS driver's staleness (ms). */
export const GPS_LOG_MS = 10000;
export const GPS_STALE_MS = 3000;
/** How often the LCD is refreshed (ms). */
export const LCD_REFRESH_MS = 1000;

/** The parts' own counters (the stats board lists them as "panel"; the drivers' counters are listed by name). */
export class PanelStats {
  dialCrossings = 0;
  knobChanges = 0;
  gpsFixes = 0;
  gpsLost = 0;
  clockSets = 0;
  lcdUpdates = 0;
  lcdFailures = 0;
  touches = 0;
  stats(): { dialCrossings: number; knobChanges: number; gpsFixes: number; gpsLost: number; clockSets: number; lcdUpdates: number; lcdFailures: number; touches: number } {
    return {
      dialCrossings: this.dialCrossings, knobChanges: this.knobChanges, gpsFixes: this.gpsFixes, gpsLost: this.gpsLost,
      clockSets: this.clockSets, lcdUpdates: this.lcdUpdates, lcdFailures: this.lcdFailures, touches: this.touches,
    };
  }
}

/** UTC as the demo knows it: set from the GPS (null before the first fix). */
export class UtcClock {
  private utcAt = NaN;
  private at = NaN;
  /** Set it: `utcMs` is UTC now. */
  set(utcMs: number): void {
    this.utcAt = utcMs;
    this.at = now();
  }
  /** UTC now (ms since 1970), or NaN before it was set. */
  utcMs(): number {
    return this.utcAt + (now() - this.at);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** `12:00:05` (UTC) */
export function hms(utcMs: number): string {
  // (a time the Date cannot show gives dashes: toISOString throws RangeError for it, which on the Pico took the
  // LCD task down once in the emulator run before the GPS had set the clock)
  if (!Number.isFinite(utcMs) || Math.abs(utcMs) > 8.64e15) return "--:--:--";
  return new Date(utcMs).toISOString().slice(11, 19);
}

/** `2026-12-06 12:00:05 UTC` */
export function utcText(utcMs: number): string {
  if (!Number.isFinite(utcMs) || Math.abs(utcMs) > 8.64e15) return "no valid time";
  const iso = new Date(utcMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `51.50070 N 0.12460 W` */
export function positionText(f: { latitude: number; longitude: number }): string {
  return `${Math.abs(f.latitude).toFixed(5)} ${f.latitude < 0 ? "S" : "N"} ${Math.abs(f.longitude).toFixed(5)} ${f.longitude < 0 ? "W" : "E"}`;
}

/** The dial service: the LED follows the dial's band crossings. */
export function* dialTask(o: { Analog: AnalogConstructor; pin: number; led: Led; log: RingLog; board: StatsBoard; panel: PanelStats }): Gen<void> {
  const adc = new Adc({ Analog: o.Analog, pin: o.pin, samples: DIAL.samples, periodMs: DIAL.periodMs, hysteresis: DIAL.hysteresis });
  o.board.attach("dial", adc);
  try {
    for (;;) {
      const v = yield* adc.waitOutside(DIAL.low, DIAL.high);
      o.panel.dialCrossings++;
      const high = v > DIAL.high;
      o.led.set(high ? "fast" : "slow", `dial ${Math.round(v)} ${high ? "above" : "below"} ${DIAL.low}..${DIAL.high}`);
      const back = yield* adc.waitInside(DIAL.low, DIAL.high);
      o.panel.dialCrossings++;
      o.led.set("on", `dial ${Math.round(back)} back in ${DIAL.low}..${DIAL.high}`);
    }
  } finally {
    o.board.detach("dial", adc);
    adc.close();
  }
}

/** The knob service: each encoder detent moves the env sampling period by ENCODER_STEP_MS (within its limits). */
export function* knobTask(o: { Digital: DigitalConstructor; pinA: number; pinB: number; division: number; env: Env; log: RingLog; board: StatsBoard; panel: PanelStats }): Gen<void> {
  const enc = new Encoder({ Digital: o.Digital, pinA: o.pinA, pinB: o.pinB, division: o.division });
  o.board.attach("encoder", enc);
  try {
    let last = enc.position;
    for (;;) {
      yield* enc.next();
      yield* sleepMs(KNOB_SETTLE_MS); // one change for a whole turn: the detents turned meanwhile add up
      const p = enc.position;
      const detents = p - last;
      last = p;
      const from = o.env.periodMs;
      const to = Math.min(ENV_PERIOD_MAX_MS, Math.max(ENV_PERIOD_MIN_MS, from + detents * ENCODER_STEP_MS));
      if (to === from) continue;
      o.env.setPeriod(to);
      o.panel.knobChanges++;
      o.log.info(`env period ${from} -> ${to} ms (encoder ${detents > 0 ? "+" : ""}${detents}, position ${p})`, "knob");
    }
  } finally {
    o.board.detach("encoder", enc);
    enc.close();
  }
}

function* waitData(gps: Gps): Gen<number> {
  return yield* gps.waitData();
}

/** The gps service: log the fix, set the clock from it, log the position every GPS_LOG_MS, say when the fix is lost. */
export function* gpsTask(o: {
  Serial: SerialConstructor; serial: UartSerialOptions; log: RingLog; board: StatsBoard; panel: PanelStats; clock: UtcClock;
  setUtc: ((utcMs: number) => void) | undefined;
}): Gen<void> {
  const gps = new Gps({ Serial: o.Serial, serial: o.serial, staleMs: GPS_STALE_MS });
  o.board.attach("gps", gps);
  try {
    for (;;) {
      const fix: GpsFix = yield* gps.waitFix();
      o.panel.gpsFixes++;
      const utc = gps.utcMs;
      o.log.info(`GPS fix: ${positionText(fix)}, ${Number.isNaN(utc) ? "no date yet" : utcText(utc)}`, "gps");
      if (!Number.isNaN(utc)) {
        o.clock.set(utc);
        if (o.setUtc !== undefined) o.setUtc(utc);
        o.panel.clockSets++;
        o.log.info(`clock set from GPS: ${utcText(utc)}`, "gps");
      }
      let loggedAt = now();
      while (gps.hasFix) {
        yield* moveOnAfter(GPS_STALE_MS + 500, waitData, gps);
        if (gps.hasFix && now() - loggedAt >= GPS_LOG_MS) {
          loggedAt = now();
          const f = gps.position()!;
          o.log.info(`GPS ${positionText(f)} at ${utcText(gps.utcMs)}`, "gps");
        }
      }
      o.panel.gpsLost++;
      o.log.warn(`GPS fix lost (last ${positionText(gps)}): waiting for a new one`, "gps");
    }
  } finally {
    o.board.detach("gps", gps);
    gps.close();
  }
}

/** What the LCD shows: the latest reading on row 0, the GPS time on row 1. */
export function lcdRows(env: Env, clock: UtcClock): [string, string] {
  const r = env.latest;
  const utc = clock.utcMs();
  return [
    r === null ? "no reading yet" : `${r.celsius.toFixed(1)}\xb0C ${r.rh.toFixed(0)}%RH`,
    !Number.isFinite(utc) ? "no GPS time" : `${hms(utc)} UTC`,
  ];
}

/**
 * The lcd service: refresh the LCD every LCD_REFRESH_MS with `lcdRows`. It opens the LCD on the env's bus share
 * (the HTU21D and the EEPROM use it too) while the env part is open, and reopens it when env restarts (a new
 * share); a write the backpack does not acknowledge is counted and retried at the next refresh.
 */
export function* lcdTask(o: {
  I2C: I2CConstructor; pins: I2CPins; address: number; cols: number; rows: number; env: Env; clock: UtcClock; log: RingLog; board: StatsBoard; panel: PanelStats;
}): Gen<void> {
  let lcd: Lcd | null = null;
  let on: ManagedResource<null> | null = null;
  let failing = false;
  const close = (): void => {
    if (lcd !== null) {
      o.board.detach("lcd", lcd);
      lcd.close();
    }
    lcd = null;
    on = null;
  };
  try {
    for (;; yield* sleepMs(LCD_REFRESH_MS)) {
      const bus = o.env.bus;
      if (bus !== on) close();
      if (bus === null) continue; // the env part is not open: nothing to share
      if (lcd === null) {
        lcd = new Lcd({ resource: bus, io: o.I2C, i2c: { ...o.pins, address: o.address }, name: "lcd", cols: o.cols, rows: o.rows });
        on = bus;
        o.board.attach("lcd", lcd);
      }
      const [top, bottom] = lcdRows(o.env, o.clock);
      try {
        yield* lcd.print(0, top);
        yield* lcd.print(1, bottom);
      } catch (e) {
        if (isCancelled(e)) throw e;
        if (e instanceof ClosedError) {
          close(); // env closed the share meanwhile: reopen on the next one
          continue;
        }
        o.panel.lcdFailures++;
        if (!failing) o.log.warn(`LCD update failed: ${errorText(e)} (retried every ${LCD_REFRESH_MS} ms)`, "lcd");
        failing = true;
        continue;
      }
      if (failing) o.log.info("LCD updates again", "lcd");
      failing = false;
      o.panel.lcdUpdates++;
    }
  } finally {
    close();
  }
}

/** The touch service: a touch pad with the button's gestures. */
export function* touchTask(o: { Touch: TouchReaderConstructor; pin: number; led: Led; log: RingLog; status: () => string[]; board: StatsBoard; panel: PanelStats }): Gen<void> {
  const pad = new TouchPad({
    Touch: o.Touch, pin: o.pin, exclusive: true,
    click: () => {
      o.panel.touches++;
      o.led.toggle("touch");
    },
    double: () => {
      o.panel.touches++;
      o.led.set("fast", "touch double");
    },
    long: () => {
      o.panel.touches++;
      for (const line of o.status()) o.log.info(line, "status");
    },
  });
  o.board.attach("touch", pad);
  try {
    yield* sleepMs(Infinity);
  } finally {
    o.board.detach("touch", pad);
    pad.close();
  }
}
