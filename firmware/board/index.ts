/**
 * Board descriptions and the app contract (`xs-async/board`): what a board has (pins, buses and the parts on
 * them) as plain data, and what an app receives from whoever runs it (the device's main module, `npm start` on
 * the simulated board, a test, the soak). One description drives the simulated board (sim/), the console's
 * stimulus commands, the soak's fault injection, and the device build's pin choices. Portable: no Node APIs.
 * Read docs/app.md.
 */
import type { Console, LineIO } from "../control/console";
import type { Prefs } from "../control/prefs";
import type { TaskRegistry } from "../control/registry";
import type { RingLog } from "../control/ringlog";
import type { ServiceManager } from "../control/services";
import type { StatsBoard } from "../control/stats";
import type { Board } from "../platform/io";
import type { Gen } from "../sched/kernel";

/** An LED on a pin (activeLow: lit when the pin is low; default false). */
export interface LedSpec {
  pin: number;
  activeLow?: boolean;
}

/** A pushbutton on a pin (activeLow: to ground with the pull-up; default true). */
export interface ButtonSpec {
  pin: number;
  activeLow?: boolean;
}

/** An IR receiver module's output (NEC remotes; active low). */
export interface IrReceiverSpec {
  pin: number;
}

/** A capacitive touch pad (ESP32 touch channel; drivers/touch). The Pico has none. */
export interface TouchPadSpec {
  pin: number;
}

/** An analog input (a potentiometer, a light sensor; drivers/adc). On the Pico: GP26..GP28. */
export interface AnalogSpec {
  pin: number;
}

/** An incremental (quadrature) encoder on two pins, contacts to ground (drivers/encoder); `division`: steps per position (default 4). */
export interface EncoderSpec {
  pinA: number;
  pinB: number;
  division?: number;
}

/** A device on an I2C bus: its model and address (default: the model's usual address); an LCD's size (default 16x2). */
export type I2CDeviceSpec =
  | { type: "htu21d"; address?: number }
  | { type: "eeprom-24c32"; address?: number }
  | { type: "lcd-pcf8574"; address?: number; cols?: number; rows?: number };

/** An I2C bus and the devices on it, by name. */
export interface I2CBusSpec {
  data: number;
  clock: number;
  /** Default 100 kHz. */
  hz?: number;
  port?: number;
  devices?: { [name: string]: I2CDeviceSpec };
}

/** What is at the other end of a UART: the app's console, an AT modem, a GPS receiver (NMEA, 9600 baud), or something the app handles. */
export type UartDevice = "console" | "at-modem" | "gps" | "other";

/** A UART: options of the board's Serial, and what is connected to it. */
export interface UartSpec {
  port: number;
  transmit?: number;
  receive?: number;
  /** Default 115200. */
  baud?: number;
  device: UartDevice;
}

/**
 * A board: a name and its parts, each under a name the app uses (`description.leds.status.pin`). Names are
 * unique across the whole board. Every field but `name` may be left out.
 * @example
 *   export const board: BoardDescription = {
 *     name: "pico",
 *     leds: { status: { pin: 25 } },
 *     buttons: { user: { pin: 14 } },
 *     uarts: { console: { port: 0, transmit: 0, receive: 1, device: "console" } },
 *   };
 */
export interface BoardDescription {
  name: string;
  leds?: { [name: string]: LedSpec };
  buttons?: { [name: string]: ButtonSpec };
  irReceivers?: { [name: string]: IrReceiverSpec };
  touchPads?: { [name: string]: TouchPadSpec };
  analogInputs?: { [name: string]: AnalogSpec };
  encoders?: { [name: string]: EncoderSpec };
  i2c?: { [name: string]: I2CBusSpec };
  uarts?: { [name: string]: UartSpec };
}

/** The usual address of each I2C device model. */
export const I2C_DEFAULT_ADDRESS = Object.freeze({ htu21d: 0x40, "eeprom-24c32": 0x50, "lcd-pcf8574": 0x27 } as const);

/** Default UART speed; a GPS receiver's (NMEA 0183). */
export const DEFAULT_BAUD = 115200;
export const GPS_BAUD = 9600;

/** Every part of a description, flat: kind, name, and its spec (I2C devices with their bus name and address). */
export type BoardPart =
  | { kind: "led"; name: string; spec: LedSpec }
  | { kind: "button"; name: string; spec: ButtonSpec }
  | { kind: "ir-receiver"; name: string; spec: IrReceiverSpec }
  | { kind: "touch-pad"; name: string; spec: TouchPadSpec }
  | { kind: "analog"; name: string; spec: AnalogSpec }
  | { kind: "encoder"; name: string; spec: EncoderSpec }
  | { kind: "i2c"; name: string; spec: I2CBusSpec }
  | { kind: "i2c-device"; name: string; spec: I2CDeviceSpec; bus: string; address: number }
  | { kind: "uart"; name: string; spec: UartSpec };

/** The parts of `d`, in declaration order (LEDs, buttons, IR receivers, touch pads, analog inputs, encoders, I2C buses and their devices, UARTs). */
export function boardParts(d: BoardDescription): BoardPart[] {
  const parts: BoardPart[] = [];
  for (const [name, spec] of Object.entries(d.leds ?? {})) parts.push({ kind: "led", name, spec });
  for (const [name, spec] of Object.entries(d.buttons ?? {})) parts.push({ kind: "button", name, spec });
  for (const [name, spec] of Object.entries(d.irReceivers ?? {})) parts.push({ kind: "ir-receiver", name, spec });
  for (const [name, spec] of Object.entries(d.touchPads ?? {})) parts.push({ kind: "touch-pad", name, spec });
  for (const [name, spec] of Object.entries(d.analogInputs ?? {})) parts.push({ kind: "analog", name, spec });
  for (const [name, spec] of Object.entries(d.encoders ?? {})) parts.push({ kind: "encoder", name, spec });
  for (const [bus, spec] of Object.entries(d.i2c ?? {})) {
    parts.push({ kind: "i2c", name: bus, spec });
    for (const [name, dev] of Object.entries(spec.devices ?? {})) {
      parts.push({ kind: "i2c-device", name, spec: dev, bus, address: dev.address ?? I2C_DEFAULT_ADDRESS[dev.type] });
    }
  }
  for (const [name, spec] of Object.entries(d.uarts ?? {})) parts.push({ kind: "uart", name, spec });
  return parts;
}

const isPin = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 256;

/**
 * Check a description: names unique, pins and addresses in range, no pin used twice, one console at most,
 * UART ports used once. Throws a TypeError that names the part and the field; returns `d`.
 */
export function checkBoard(d: BoardDescription): BoardDescription {
  if (d === null || typeof d !== "object" || typeof d.name !== "string" || d.name === "") throw new TypeError("a board description has a name (a non-empty string)");
  const names = new Set<string>();
  const pins = new Map<number, string>();
  const ports = new Map<number, string>();
  const usePin = (pin: unknown, who: string): void => {
    if (!isPin(pin)) throw new TypeError(`board ${d.name}: ${who} is a pin number 0..255, got ${JSON.stringify(pin)}`);
    const other = pins.get(pin as number);
    if (other !== undefined) throw new TypeError(`board ${d.name}: pin ${String(pin)} is used by ${other} and ${who}`);
    pins.set(pin as number, who);
  };
  let consoles = 0;
  for (const p of boardParts(d)) {
    if (names.has(p.name)) throw new TypeError(`board ${d.name}: two parts are named ${JSON.stringify(p.name)}`);
    names.add(p.name);
    switch (p.kind) {
      case "led":
      case "button":
      case "ir-receiver":
      case "touch-pad":
      case "analog":
        usePin(p.spec.pin, `${p.kind} ${p.name} (pin)`);
        break;
      case "encoder":
        usePin(p.spec.pinA, `encoder ${p.name} (pinA)`);
        usePin(p.spec.pinB, `encoder ${p.name} (pinB)`);
        if (p.spec.division !== undefined && !(Number.isInteger(p.spec.division) && p.spec.division >= 1)) throw new TypeError(`board ${d.name}: encoder ${p.name}'s division is a whole number >= 1, got ${JSON.stringify(p.spec.division)}`);
        break;
      case "i2c":
        usePin(p.spec.data, `i2c ${p.name} (data)`);
        usePin(p.spec.clock, `i2c ${p.name} (clock)`);
        break;
      case "i2c-device":
        if (!(p.spec.type in I2C_DEFAULT_ADDRESS)) throw new TypeError(`board ${d.name}: i2c device ${p.name} has an unknown type ${JSON.stringify(p.spec.type)} (known: ${Object.keys(I2C_DEFAULT_ADDRESS).join(", ")})`);
        if (!(Number.isInteger(p.address) && p.address >= 0x08 && p.address <= 0x77)) throw new TypeError(`board ${d.name}: i2c device ${p.name}'s address is 0x08..0x77, got ${JSON.stringify(p.address)}`);
        if (p.spec.type === "lcd-pcf8574") {
          const { cols, rows } = p.spec;
          if ((cols !== undefined && !(Number.isInteger(cols) && cols >= 8 && cols <= 40)) || (rows !== undefined && !(Number.isInteger(rows) && rows >= 1 && rows <= 4))) throw new TypeError(`board ${d.name}: lcd ${p.name} has 8..40 columns and 1..4 rows, got ${JSON.stringify(cols)}x${JSON.stringify(rows)}`);
        }
        break;
      case "uart": {
        const u = p.spec;
        if (!(Number.isInteger(u.port) && u.port >= 0 && u.port < 8)) throw new TypeError(`board ${d.name}: uart ${p.name}'s port is 0..7, got ${JSON.stringify(u.port)}`);
        const other = ports.get(u.port);
        if (other !== undefined) throw new TypeError(`board ${d.name}: UART port ${u.port} is used by ${other} and ${p.name}`);
        ports.set(u.port, p.name);
        if (u.transmit !== undefined) usePin(u.transmit, `uart ${p.name} (transmit)`);
        if (u.receive !== undefined) usePin(u.receive, `uart ${p.name} (receive)`);
        if (u.device !== "console" && u.device !== "at-modem" && u.device !== "gps" && u.device !== "other") throw new TypeError(`board ${d.name}: uart ${p.name}'s device is "console", "at-modem", "gps" or "other", got ${JSON.stringify(u.device)}`);
        if (u.device === "console" && ++consoles > 1) throw new TypeError(`board ${d.name}: more than one UART is the console`);
        break;
      }
    }
  }
  return d;
}

/** The UART the description marks as the console (null if none). */
export function consoleUart(d: BoardDescription): (UartSpec & { name: string }) | null {
  for (const [name, u] of Object.entries(d.uarts ?? {})) if (u.device === "console") return { ...u, name };
  return null;
}

/** Serial options (port, pins, baud) of a UART spec, for the board's Serial or drivers/uart's Uart. */
export function serialOptions(u: UartSpec): { port: number; transmit?: number; receive?: number; baud: number } {
  return {
    port: u.port,
    ...(u.transmit !== undefined ? { transmit: u.transmit } : {}),
    ...(u.receive !== undefined ? { receive: u.receive } : {}),
    baud: u.baud ?? (u.device === "gps" ? GPS_BAUD : DEFAULT_BAUD),
  };
}

/** The parts of a running app that tools reach: the console gets stimulus commands, the soak watches services. */
export interface AppParts {
  readonly log?: RingLog;
  readonly registry?: TaskRegistry;
  readonly services?: ServiceManager;
  readonly console?: Console | null;
  readonly stats?: StatsBoard;
}

/** What an app receives from whoever runs it. */
export interface AppContext {
  /** The board's description. */
  readonly description: BoardDescription;
  /** The board's IO (the `device` global on a device, the simulated board on the host). */
  readonly board: Board;
  /** Where output lines go (trace on a device, the terminal under `npm start`). */
  readonly print: (line: string) => void;
  /** Where settings are kept (in RAM unless the host gives a store). */
  readonly prefs: Prefs | undefined;
  /**
   * The console's line ends and whether the printed log already shows on the console's terminal; null: run
   * without a console. The app opens the description's console UART itself (or takes `consoleIO`).
   */
  readonly console: { crlf: boolean; logOnConsole: boolean } | null;
  /** A ready console line stream (tests), used instead of the console UART. */
  readonly consoleIO?: LineIO;
  /** A µs clock for edge timestamps (IR decoding), when the platform has one. */
  readonly nowUs: (() => number) | undefined;
  /** Sets the platform's wall clock to a UTC time (ms since 1970), where it has one to set (a device: Moddable's Time.set). */
  readonly setUtc?: (utcMs: number) => void;
  /** The app calls this once its parts exist (before it boots its services). */
  ready(parts: AppParts): void;
}

/** An app: its main task, given the context. */
export type AppMain = (ctx: AppContext) => Gen<void>;

/** An app module's default export: its name and its main task. */
export interface AppDefinition {
  name: string;
  main: AppMain;
}

/** Define an app (identity; gives the object its type). */
export function defineApp(app: AppDefinition): AppDefinition {
  return app;
}

/** Define a board (checks it; returns it). */
export function defineBoard<B extends BoardDescription>(d: B): B {
  checkBoard(d);
  return d;
}
