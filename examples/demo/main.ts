// The demo firmware's entry module (manifest "main"): start the scheduler on the Moddable host and run the demo
// app with this board's description (board.ts). It imports the package's public entry points only; the
// manifest (manifest.json) includes xs-async's manifest_include.json, which maps them.
import config from "mc/config";
import Time from "time";
import { run } from "xs-async";
import { type AppContext, type BoardDescription } from "xs-async/board";
import { ModdablePrefs } from "xs-async/control/prefs-moddable";
import { board } from "xs-async/io";
import { useModdable } from "xs-async/platform/moddable";
import demo from "./app";
import { demoBoards } from "./board";

/**
 * Edge timestamps for the IR decoder need microseconds (NEC bits are 0.56 / 1.69 ms): Time.microseconds,
 * which the manifest provides per platform: Moddable's microseconds module on the ESP32, xs-async's
 * firmware/platform/pico/micros (a native getter over the Pico SDK's time_us_64()) on the Pico. Without it
 * the decoder falls back to the millisecond scheduler clock and most frames decode as errors.
 */
const nowUs = Time.microseconds !== undefined ? (): number => Time.microseconds! : undefined;

/**
 * The Pico's host provider names its LED (25) and has I2C data 4 / clock 5; anything else is taken as an ESP32.
 * The Pico's UART1 has the modem, or the GPS when built with `npm run build:pico -- uart1=gps` (the manifest's
 * config `uart1`).
 */
function boardDescription(): BoardDescription {
  const i2c = device.I2C?.default;
  if (device.pin.led !== 25 || i2c?.data !== 4) return demoBoards.esp32;
  return config["uart1"] === "gps" ? demoBoards.picoGps : demoBoards.pico;
}

export default function (): void {
  useModdable();
  if (nowUs === undefined) trace("demo: no Time.microseconds (the manifest gives it on esp32 and pico only): IR decoding needs it\n");
  const ctx: AppContext = {
    description: boardDescription(),
    board: board(),
    print: (line) => trace(line + "\n"),
    prefs: new ModdablePrefs(),
    console: { crlf: true, logOnConsole: false },
    nowUs,
    // the GPS part sets the wall clock (Date) from the GPS's UTC
    setUtc: (utcMs) => Time.set(Math.round(utcMs / 1000)),
    ready: () => undefined,
  };
  run(demo.main, ctx).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
