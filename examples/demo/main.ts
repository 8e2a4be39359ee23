// The firmware's entry module (manifest "main"): start the scheduler on the Moddable host and run the demo
// app with this board's wiring. Moddable names this module "main" (the root) and every other one by its
// path ("firmware/app"), so this is the one file that imports by module name; tsconfig.json maps
// "firmware/*" for the host toolchain.
import Time from "time";
import { app, type AppConfig } from "firmware/app";
import { ModdablePrefs } from "firmware/control/prefs-moddable";
import { useModdable } from "firmware/platform/moddable";
import { run } from "firmware/sched/index";

/**
 * Edge timestamps for the IR decoder need microseconds (NEC bits are 0.56 / 1.69 ms): Time.microseconds,
 * which the manifest provides per platform: Moddable's microseconds module on the ESP32, the project's
 * firmware/platform/pico/micros (a native getter over the Pico SDK's time_us_64()) on the Pico. Without it
 * the decoder falls back to the millisecond scheduler clock and most frames decode as errors.
 */
const nowUs = Time.microseconds !== undefined ? (): number => Time.microseconds! : undefined;

/**
 * Raspberry Pi Pico: LED GP25, button GP14 (to ground), IR receiver GP15, I2C0 data GP4 / clock GP5,
 * modem on UART1 (TX GP8, RX GP9). trace() goes to the USB serial port; the console is on UART0 (TX GP0,
 * RX GP1: a 3.3 V USB-serial adapter). Set `console: null` to run without it.
 */
function pico(): AppConfig {
  const i2c = device.I2C?.default;
  return {
    boardName: "pico",
    led: { pin: device.pin.led ?? 25 },
    button: { pin: 14 },
    ir: { pin: 15, ...(nowUs !== undefined ? { nowUs } : {}) },
    i2c: { data: i2c?.data ?? 4, clock: i2c?.clock ?? 5, hz: 100_000 },
    modem: { port: 1, transmit: 8, receive: 9, baud: 115200 },
    console: { serial: { port: 0, transmit: 0, receive: 1, baud: 115200 } },
    prefs: new ModdablePrefs(),
  };
}

/**
 * ESP32 dev boards (esp32/nodemcu wiring): LED GPIO 2, button GPIO 0 (BOOT), IR receiver GPIO 4, I2C data 21 /
 * clock 22, modem on UART2 (RX 16, TX 17). The console shares UART0 (the USB cable) with trace() output:
 * that works in release builds (`npm run build:esp32`); in debug builds (-d) xsbug owns UART0, so set
 * `console: null` there.
 */
function esp32(): AppConfig {
  return {
    boardName: "esp32",
    led: { pin: device.pin.led ?? 2 },
    button: { pin: device.pin.button ?? 0 },
    ir: { pin: 4, ...(nowUs !== undefined ? { nowUs } : {}) },
    i2c: { data: 21, clock: 22, hz: 100_000 },
    modem: { port: 2, receive: 16, transmit: 17, baud: 115200 },
    console: { serial: { port: 0, transmit: 1, receive: 3, baud: 115200 } },
    prefs: new ModdablePrefs(),
  };
}

/** The Pico's host provider names its LED (25) and has I2C data 4 / clock 5; anything else is taken as an ESP32. */
function boardConfig(): AppConfig {
  const i2c = device.I2C?.default;
  return device.pin.led === 25 && i2c?.data === 4 ? pico() : esp32();
}

export default function (): void {
  useModdable();
  if (nowUs === undefined) trace("demo: no Time.microseconds (the manifest gives it on esp32 and pico only): IR decoding needs it\n");
  run(app, boardConfig()).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
