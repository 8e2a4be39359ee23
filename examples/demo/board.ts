// The demo's wiring, as board descriptions (xs-async/board): the simulated board (`npm start`, the demo tests,
// the soak), the Raspberry Pi Pico and ESP32 dev boards (main.ts). The demo finds its parts by these names:
// leds.led, buttons.button, irReceivers.ir, i2c.i2c (devices htu21d and eeprom), uarts.modem, uarts.console.
import { consoleUart, defineBoard, serialOptions, type AppContext, type BoardDescription } from "xs-async/board";
import type { AppConfig } from "./app";

const i2cDevices = { htu21d: { type: "htu21d", address: 0x40 }, eeprom: { type: "eeprom-24c32", address: 0x50 } } as const;

export const demoBoards = {
  /** The simulated board: pico-like pins, the console on UART 0, the modem on UART 1. */
  sim: defineBoard({
    name: "sim",
    leds: { led: { pin: 25 } },
    buttons: { button: { pin: 14 } },
    irReceivers: { ir: { pin: 15 } },
    i2c: { i2c: { data: 4, clock: 5, hz: 100_000, devices: i2cDevices } },
    uarts: { console: { port: 0, baud: 115200, device: "console" }, modem: { port: 1, baud: 115200, device: "at-modem" } },
  }),
  /**
   * Raspberry Pi Pico: LED GP25, button GP14 (to ground), IR receiver GP15, I2C0 data GP4 / clock GP5, modem on
   * UART1 (TX GP8, RX GP9). trace() goes to the USB serial port; the console is on UART0 (TX GP0, RX GP1: a 3.3 V
   * USB-serial adapter).
   */
  pico: defineBoard({
    name: "pico",
    leds: { led: { pin: 25 } },
    buttons: { button: { pin: 14 } },
    irReceivers: { ir: { pin: 15 } },
    i2c: { i2c: { data: 4, clock: 5, hz: 100_000, devices: i2cDevices } },
    uarts: { console: { port: 0, transmit: 0, receive: 1, baud: 115200, device: "console" }, modem: { port: 1, transmit: 8, receive: 9, baud: 115200, device: "at-modem" } },
  }),
  /**
   * ESP32 dev boards (esp32/nodemcu wiring): LED GPIO 2, button GPIO 0 (BOOT), IR receiver GPIO 4, I2C data 21 /
   * clock 22, modem on UART2 (RX 16, TX 17). The console shares UART0 (the USB cable) with trace() output: that
   * works in release builds (`npm run build:esp32`); in debug builds (-d) xsbug owns UART0, so run without it.
   */
  esp32: defineBoard({
    name: "esp32",
    leds: { led: { pin: 2 } },
    buttons: { button: { pin: 0 } },
    irReceivers: { ir: { pin: 4 } },
    i2c: { i2c: { data: 21, clock: 22, hz: 100_000, devices: i2cDevices } },
    uarts: { console: { port: 0, transmit: 1, receive: 3, baud: 115200, device: "console" }, modem: { port: 2, receive: 16, transmit: 17, baud: 115200, device: "at-modem" } },
  }),
} satisfies Record<string, BoardDescription>;

function need<T>(v: T | undefined, d: BoardDescription, what: string): T {
  if (v === undefined) throw new TypeError(`the demo needs ${what} on board ${d.name}`);
  return v;
}

/** The demo's AppConfig from an app context (its board description, IO, print, prefs and console choice). */
export function demoConfig(ctx: AppContext, extra: Partial<AppConfig> = {}): AppConfig {
  const d = ctx.description;
  const i2c = need(d.i2c?.["i2c"], d, "an I2C bus named i2c");
  const con = consoleUart(d);
  return {
    boardName: d.name,
    board: ctx.board,
    led: need(d.leds?.["led"], d, "an LED named led"),
    button: need(d.buttons?.["button"], d, "a button named button"),
    ir: { pin: need(d.irReceivers?.["ir"], d, "an IR receiver named ir").pin, ...(ctx.nowUs !== undefined ? { nowUs: ctx.nowUs } : {}) },
    i2c: { data: i2c.data, clock: i2c.clock, hz: i2c.hz ?? 100_000 },
    modem: serialOptions(need(d.uarts?.["modem"], d, "a UART named modem")),
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
