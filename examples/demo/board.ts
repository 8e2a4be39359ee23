// The demo's wiring, as board descriptions (xs-async/board): the simulated board (`npm start`, the demo tests,
// the soak), the Raspberry Pi Pico and ESP32 dev boards (main.ts). The demo finds its parts by these names:
// leds.led, buttons.button, irReceivers.ir, i2c.i2c (devices htu21d and eeprom), uarts.modem, uarts.console;
// and where the board has them: analogInputs.dial, encoders.knob, uarts.gps, i2c.i2c's device lcd, touchPads.touch.
import { I2C_DEFAULT_ADDRESS, consoleUart, defineBoard, serialOptions, type AppContext, type BoardDescription, type I2CBusSpec } from "xs-async/board";
import type { AppConfig } from "./app";

const i2cDevices = { htu21d: { type: "htu21d", address: 0x40 }, eeprom: { type: "eeprom-24c32", address: 0x50 } } as const;
/** The same bus with a 16x2 LCD (PCF8574 backpack at 0x27) as well. */
const i2cDevicesWithLcd = { ...i2cDevices, lcd: { type: "lcd-pcf8574", address: 0x27, cols: 16, rows: 2 } } as const;

/** The Pico's parts other than its UARTs, shared by its two descriptions (UART1: modem or GPS) and the simulated board. */
const picoParts = {
  leds: { led: { pin: 25 } },
  buttons: { button: { pin: 14 } },
  irReceivers: { ir: { pin: 15 } },
  analogInputs: { dial: { pin: 26 } },
  encoders: { knob: { pinA: 2, pinB: 3 } },
  i2c: { i2c: { data: 4, clock: 5, hz: 100_000, devices: i2cDevicesWithLcd } },
} as const;
const picoConsole = { port: 0, transmit: 0, receive: 1, baud: 115200, device: "console" } as const;

export const demoBoards = {
  /**
   * The simulated board: pico-like pins, the console on UART 0, the modem on UART 1, a GPS on UART 2, a dial on
   * 26, an encoder on 2 and 3, an LCD on the I2C bus, and a touch pad on 6 (which the Pico itself lacks).
   */
  sim: defineBoard({
    name: "sim",
    ...picoParts,
    touchPads: { touch: { pin: 6 } },
    uarts: { console: { port: 0, baud: 115200, device: "console" }, modem: { port: 1, baud: 115200, device: "at-modem" }, gps: { port: 2, device: "gps" } },
  }),
  /**
   * Raspberry Pi Pico: LED GP25, button GP14 (to ground), IR receiver GP15, a potentiometer on GP26 (ADC0), an
   * encoder on GP2 / GP3, I2C0 data GP4 / clock GP5 (HTU21D, EEPROM, LCD backpack), the modem on UART1 (TX GP8,
   * RX GP9). trace() goes to the USB serial port; the console is on UART0 (TX GP0, RX GP1: a 3.3 V USB-serial
   * adapter). The Pico has two UARTs, so the GPS takes the modem's: `picoGps` below, built with
   * `npm run build:pico -- uart1=gps` (main.ts reads the manifest config). No touch pads on the Pico.
   */
  pico: defineBoard({
    name: "pico",
    ...picoParts,
    uarts: { console: picoConsole, modem: { port: 1, transmit: 8, receive: 9, baud: 115200, device: "at-modem" } },
  }),
  /** The Pico with a GPS (9600 baud) on UART1 (TX GP8, RX GP9) in place of the modem; the rest as `pico`. */
  picoGps: defineBoard({
    name: "pico-gps",
    ...picoParts,
    uarts: { console: picoConsole, gps: { port: 1, transmit: 8, receive: 9, device: "gps" } },
  }),
  /**
   * ESP32 dev boards (esp32/nodemcu wiring): LED GPIO 2, button GPIO 0 (BOOT), IR receiver GPIO 4, I2C data 21 /
   * clock 22 (HTU21D, EEPROM, LCD backpack), modem on UART2 (RX 16, TX 17), GPS on UART1 (RX 18, TX 19), a
   * potentiometer on GPIO 34 (ADC1), an encoder on GPIO 25 / 26. The console shares UART0 (the USB cable) with
   * trace() output: that works in release builds (`npm run build:esp32`); in debug builds (-d) xsbug owns UART0,
   * so run without it. Touch pads: Moddable's touchpad module drives the ESP32-S2/S3's touch sensor, not the
   * original ESP32's; an S2/S3 firmware adds `touchPads` and a board `io.Touch` (drivers/touch's moddableTouchReader).
   */
  esp32: defineBoard({
    name: "esp32",
    leds: { led: { pin: 2 } },
    buttons: { button: { pin: 0 } },
    irReceivers: { ir: { pin: 4 } },
    analogInputs: { dial: { pin: 34 } },
    encoders: { knob: { pinA: 25, pinB: 26 } },
    i2c: { i2c: { data: 21, clock: 22, hz: 100_000, devices: i2cDevicesWithLcd } },
    uarts: {
      console: { port: 0, transmit: 1, receive: 3, baud: 115200, device: "console" },
      modem: { port: 2, receive: 16, transmit: 17, baud: 115200, device: "at-modem" },
      gps: { port: 1, receive: 18, transmit: 19, device: "gps" },
    },
  }),
} satisfies Record<string, BoardDescription>;

function need<T>(v: T | undefined, d: BoardDescription, what: string): T {
  if (v === undefined) throw new TypeError(`the demo needs ${what} on board ${d.name}`);
  return v;
}

/** The LCD on the bus, if the description has one. */
function lcdOf(bus: I2CBusSpec): { address: number; cols: number; rows: number } | undefined {
  for (const dev of Object.values(bus.devices ?? {})) {
    if (dev.type === "lcd-pcf8574") return { address: dev.address ?? I2C_DEFAULT_ADDRESS["lcd-pcf8574"], cols: dev.cols ?? 16, rows: dev.rows ?? 2 };
  }
  return undefined;
}

/** The demo's AppConfig from an app context (its board description, IO, print, prefs and console choice). */
export function demoConfig(ctx: AppContext, extra: Partial<AppConfig> = {}): AppConfig {
  const d = ctx.description;
  const i2c = need(d.i2c?.["i2c"], d, "an I2C bus named i2c");
  const con = consoleUart(d);
  const modem = d.uarts?.["modem"];
  const gps = d.uarts?.["gps"];
  const dial = d.analogInputs?.["dial"];
  const knob = d.encoders?.["knob"];
  const lcd = lcdOf(i2c);
  const touch = d.touchPads?.["touch"];
  const Touch = ctx.board.io.Touch;
  return {
    boardName: d.name,
    board: ctx.board,
    led: need(d.leds?.["led"], d, "an LED named led"),
    button: need(d.buttons?.["button"], d, "a button named button"),
    ir: { pin: need(d.irReceivers?.["ir"], d, "an IR receiver named ir").pin, ...(ctx.nowUs !== undefined ? { nowUs: ctx.nowUs } : {}) },
    i2c: { data: i2c.data, clock: i2c.clock, hz: i2c.hz ?? 100_000 },
    ...(modem !== undefined ? { modem: serialOptions(modem) } : {}),
    ...(gps !== undefined ? { gps: serialOptions(gps) } : {}),
    ...(dial !== undefined ? { dial: { pin: dial.pin } } : {}),
    ...(knob !== undefined ? { encoder: { pinA: knob.pinA, pinB: knob.pinB, ...(knob.division !== undefined ? { division: knob.division } : {}) } } : {}),
    ...(lcd !== undefined ? { lcd } : {}),
    ...(touch !== undefined && Touch !== undefined ? { touch: { pin: touch.pin, Touch } } : {}),
    ...(ctx.setUtc !== undefined ? { setUtc: ctx.setUtc } : {}),
    console:
      ctx.console === null ? null
      : ctx.consoleIO !== undefined ? { io: ctx.consoleIO, logOnConsole: ctx.console.logOnConsole }
      : { serial: serialOptions(need(con ?? undefined, d, "a console UART")), crlf: ctx.console.crlf, logOnConsole: ctx.console.logOnConsole },
    print: ctx.print,
    ...(ctx.prefs !== undefined ? { prefs: ctx.prefs } : {}),
    onReady: (demo) => ctx.ready(demo),
    ...extra,
  };
}
