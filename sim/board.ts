import { boardParts, checkBoard, type BoardDescription, type ButtonSpec } from "../firmware/board/index";
import type { Console } from "../firmware/control/console";
import type { AnalogConstructor, Board, DigitalConstructor, I2CConstructor, I2COptions, SerialConstructor, SerialOptions, SMBusConstructor } from "../firmware/platform/io";
import type { CallbackHandle } from "../firmware/sched/scheduler";
import { SimAnalog } from "./analog";
import { SimPins } from "./digital";
import { SimEeprom24C32 } from "./eeprom24c32";
import { SimEncoder } from "./encoder";
import { SimGps } from "./gps";
import { SimHTU21D } from "./htu21d";
import { SimI2CBus } from "./i2c";
import { SimLcd } from "./lcd";
import { NEC_REPEAT_PERIOD_MS, necFrame, necRepeat } from "./nec";
import { SimSerialPort, type SimSerialOptions } from "./serial";
import { SimClock } from "./time";
import { SimTouch } from "./touch";
import type { SimCpuOptions } from "./cpu";

/**
 * The simulated board the demo runs on under Node (`npm start`) and in tests: the `device` shape
 * (firmware/platform/io's Board: io.Digital / I2C / SMBus / Serial, pin names, I2C.default,
 * Serial.default) on simulated parts, plus handles to those parts for stimuli. Portable (no Node APIs):
 * the same board runs the demo tests on XS.
 *
 * Its parts come from a board description (firmware/board: `xs-async/board`). The default, DEFAULT_SIM_BOARD
 * (pico-like): LED pin 25, button pin 14 (to ground), IR receiver pin 15, I2C data 4 / clock 5 with an HTU21D
 * at 0x40 and a 24C32 EEPROM at 0x50, console on Serial port 0, a scripted AT modem on port 1.
 */

/** Pin numbers of the default simulated board. */
export const SIM_PIN = Object.freeze({ led: 25, button: 14, ir: 15 });
/** I2C pins of the default simulated board. */
export const SIM_I2C = Object.freeze({ data: 4, clock: 5, hz: 100_000 });
/** Serial ports of the default simulated board: the console's and the modem's. */
export const SIM_CONSOLE_PORT = 0;
export const SIM_MODEM_PORT = 1;

/** The default simulated board's description (the parts above, under the names led, button, ir, i2c, htu21d, eeprom, console, modem). */
export const DEFAULT_SIM_BOARD: BoardDescription = Object.freeze({
  name: "sim",
  leds: { led: { pin: SIM_PIN.led } },
  buttons: { button: { pin: SIM_PIN.button } },
  irReceivers: { ir: { pin: SIM_PIN.ir } },
  i2c: { i2c: { ...SIM_I2C, devices: { htu21d: { type: "htu21d" }, eeprom: { type: "eeprom-24c32" } } } },
  uarts: { console: { port: SIM_CONSOLE_PORT, device: "console" }, modem: { port: SIM_MODEM_PORT, device: "at-modem" } },
} as const);

/**
 * A SimClock whose time, inside a callback it scheduled, is the time the callback was due, not the time
 * it ran. Under a virtual clock the two are equal; in real time (Node) a callback can run a millisecond or
 * more late, and a pulse train (an IR frame: edges 0.56 ms apart) would reach a decoder with timestamps
 * the host's timer granularity made up. With this clock, edge timestamps (`nowUs()` in pin callbacks)
 * are the times the simulated hardware produced the edges, as a device's µs timer would read them.
 */
export class EdgeClock extends SimClock {
  private stamp: number | null = null;

  override nowMs(): number {
    return this.stamp ?? this.sched.now();
  }

  override nowUs(): number {
    return Math.round(this.nowMs() * 1000);
  }

  override at(ms: number, fn: () => void): CallbackHandle {
    return this.sched.callLater(ms - this.sched.now(), () => this.stamped(ms, fn));
  }

  /** Run `fn` now, with the clock reading `ms` inside it (for a stimulus that was due at `ms`). */
  stamped(ms: number, fn: () => void): void {
    const prev = this.stamp;
    this.stamp = ms;
    try {
      fn();
    } finally {
      this.stamp = prev;
    }
  }

  override after(ms: number, fn: () => void): CallbackHandle {
    return this.at(this.nowMs() + ms, fn);
  }
}

/** The HTU21D model with one more fault: a conversion that stays busy for a while (then recovers). */
export class BoardHTU21D extends SimHTU21D {
  private stalls = 0;
  private stallMs = 300;

  constructor(private readonly clock: SimClock) {
    super();
  }

  /** Fault: the next `count` conversions stay busy for `ms` (the driver gives up with a TimeoutError). */
  stallNext(count = 1, ms = 300): void {
    this.stalls += count;
    this.stallMs = ms;
  }

  protected override onWrite(data: Uint8Array, now: number): boolean {
    const ok = super.onWrite(data, now);
    if (ok && this.stalls > 0 && (data[0] === 0xf3 || data[0] === 0xf5)) {
      this.stalls--;
      this.stuckBusy = true;
      this.clock.after(this.stallMs, () => {
        this.stuckBusy = false;
      });
    }
    return ok;
  }
}

/** The scripted modem on the modem port. */
export interface SimModem {
  /** Answer nothing (a modem that is off or unplugged). */
  silent: boolean;
  /** Signal quality reported by AT+CSQ (0..31, 99 unknown; default 23). */
  csq: number;
  /** Line noise sent before the next reply (then cleared); see {@link lineNoise}. */
  noise: string | null;
  /** When (ms) the last noise went out with a reply (-Infinity before). */
  noiseSentAt: number;
}

/**
 * `bytes` of line noise (deterministic by `seed`): ASCII control and printable characters with no "\n",
 * the first a control character,
 * so the noise and the reply line it runs into arrive as one garbled line (over-long past 256 bytes).
 */
export function lineNoise(bytes: number, seed: number): string {
  let x = seed >>> 0 || 1;
  let out = "";
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const c = i === 0 ? 1 + (x % 31) : 1 + (x % 127); // it starts with a control character: always garbled
    out += String.fromCharCode(c === 10 ? 7 : c);
  }
  return out;
}

/** Options of {@link createSimBoard}. */
export interface SimBoardOptions {
  /**
   * Simulated CPU time charged per I2C transfer and per console line (sim/cpu; the per-step cost is the
   * VirtualHost's `stepCost`). Default: none, time stands still while code runs.
   */
  cpu?: SimCpuOptions;
}

/** The simulated board: Board-shaped, with the simulated parts. */
/** How far ahead button gestures and IR keys may be queued (ms). */
export const MAX_QUEUED_STIMULI_MS = 10000;

export interface SimBoard extends Board {
  readonly io: { readonly Digital: DigitalConstructor; readonly Serial: SerialConstructor; readonly I2C: I2CConstructor; readonly SMBus: SMBusConstructor; readonly Analog: AnalogConstructor; readonly Touch: SimTouch["Touch"] };
  /** The description the board was made from. */
  readonly description: BoardDescription;
  /** Pin numbers by part name (LEDs, buttons, IR receivers), as `device.pin` names them. */
  readonly pin: { readonly [name: string]: number };
  readonly I2C: { readonly default: Omit<I2COptions, "address"> };
  readonly Serial: { readonly default: Partial<SerialOptions> };
  /** The clock every part runs on (an {@link EdgeClock} unless one was given). */
  readonly clock: SimClock;
  readonly pins: SimPins;
  /** The first I2C bus (an empty one when the description has none); `buses` has them all by name. */
  readonly bus: SimI2CBus;
  readonly buses: ReadonlyMap<string, SimI2CBus>;
  /** The first HTU21D, EEPROM and modem of the description (reading one the board lacks throws, naming it). */
  readonly htu: BoardHTU21D;
  readonly eeprom: SimEeprom24C32;
  readonly modem: SimModem;
  /** Every simulated part by its name in the description: HTU21D, EEPROM and LCD models, modems, encoders. */
  readonly parts: ReadonlyMap<string, BoardHTU21D | SimEeprom24C32 | SimLcd | SimModem | SimEncoder>;
  /** The analog inputs (`io.Analog` converts what they are set to) and the touch pads (`touch.Touch` reads their capacitance). */
  readonly analog: SimAnalog;
  readonly touch: SimTouch;
  /** The first LCD and encoder of the description (reading one the board lacks throws, naming it). */
  readonly lcd: SimLcd;
  readonly encoder: SimEncoder;
  /**
   * The GPS module on a `gps` UART (the first, or by name): made, and sending each second, once the firmware
   * opens that port (null before).
   */
  gps(name?: string): SimGps | null;
  /** The port last opened with this number (null before). */
  port(n: number): SimSerialPort | null;
  /** Call `cb` each time firmware opens a Serial port (and for ports already open). */
  onSerialOpen(cb: (n: number, port: SimSerialPort) => void): void;
  /**
   * A click: the button down for `heldMs` (default 120) from 1 ms from now (with contact bounce).
   * Stimuli never overlap, as a finger or a remote cannot: each button gesture starts once the previous one
   * is over (released, and 450 ms after its last press, so that it is not taken as the second half of a
   * double click), each IR burst once the previous one has ended. They return the ms until they start.
   */
  click(heldMs?: number, button?: string): number;
  /** Two clicks 250 ms apart. */
  doubleClick(button?: string): number;
  /** The button held for `heldMs` (default 1500). */
  longPress(heldMs?: number, button?: string): number;
  /**
   * Stimuli queued ahead are bounded: a button gesture or an IR key that would start more than
   * {@link MAX_QUEUED_STIMULI_MS} from now is refused (a RangeError saying how long the part is busy) and
   * counted here.
   */
  readonly refused: { gestures: number; irKeys: number };
  /**
   * An NEC frame with `command` (and `address`, default 0) from 1 ms from now, then `repeats` repeat codes 108 ms
   * apart. `receiver`: an IR receiver's name (default: the first).
   */
  irKey(command: number, repeats?: number, address?: number, receiver?: string): number;
  /**
   * Any IR burst (mark/space durations in µs, starting with a mark) from 1 ms from now: damaged frames, noise.
   * Not queued behind irKey: noise does overlap what a remote sends.
   */
  irRaw(durationsUs: readonly number[], receiver?: string): void;
}

/**
 * Make the simulated board from a description (default {@link DEFAULT_SIM_BOARD}). Call it while a scheduler
 * runs (inside a task) unless `clock` is given: the parts run on that scheduler's clock.
 * @example
 *   const sim = createSimBoard();
 *   (globalThis as { device?: unknown }).device = sim;   // the firmware's board() now returns it
 *   sim.click();
 */
export function createSimBoard(clock: SimClock = new EdgeClock(), description: BoardDescription = DEFAULT_SIM_BOARD, options: SimBoardOptions = {}): SimBoard {
  checkBoard(description);
  const cpu = options.cpu ?? {};
  // as on the Pico: closing a pin that watched edges breaks every pin's edge interrupt (drivers/pin/keep-open)
  const pins = new SimPins(clock, { closingEdgesHalts: true });
  const pinByName: { [name: string]: number } = {};
  const buttons = new Map<string, ButtonSpec>();
  const irPins = new Map<string, number>();
  const buses = new Map<string, SimI2CBus>();
  const busByData = new Map<number, SimI2CBus>();
  const parts = new Map<string, BoardHTU21D | SimEeprom24C32 | SimLcd | SimModem | SimEncoder>();
  const modemByPort = new Map<number, SimModem>();
  const gpsByPort = new Map<number, string>();
  const gpsByName = new Map<string, SimGps>();
  const analog = new SimAnalog(clock);
  const touch = new SimTouch(clock);
  let firstBus: { data: number; clock: number; hz: number } | null = null;
  let consolePort: number | null = null;
  for (const p of boardParts(description)) {
    switch (p.kind) {
      case "led":
        pinByName[p.name] = p.spec.pin;
        break;
      case "button":
        pinByName[p.name] = p.spec.pin;
        buttons.set(p.name, p.spec);
        break;
      case "ir-receiver":
        pinByName[p.name] = p.spec.pin;
        irPins.set(p.name, p.spec.pin);
        break;
      case "touch-pad":
        pinByName[p.name] = p.spec.pin;
        break;
      case "analog":
        pinByName[p.name] = p.spec.pin;
        analog.set(p.spec.pin, 2048); // a potentiometer at mid-travel (1.65 V)
        break;
      case "encoder":
        parts.set(p.name, new SimEncoder(pins, p.spec.pinA, p.spec.pinB));
        break;
      case "i2c": {
        const b = new SimI2CBus(clock, { logLimit: 200, cpu });
        buses.set(p.name, b);
        busByData.set(p.spec.data, b);
        if (firstBus === null) firstBus = { data: p.spec.data, clock: p.spec.clock, hz: p.spec.hz ?? 100_000 };
        break;
      }
      case "i2c-device": {
        const b = buses.get(p.bus)!;
        const spec = p.spec;
        parts.set(
          p.name,
          spec.type === "htu21d" ? b.attach(p.address, new BoardHTU21D(clock))
          : spec.type === "lcd-pcf8574" ? b.attach(p.address, quietLcd(new SimLcd(clock, { cols: spec.cols ?? 16, rows: spec.rows ?? 2, busHz: description.i2c![p.bus]!.hz ?? 100_000 })))
          : b.attach(p.address, new SimEeprom24C32()),
        );
        break;
      }
      case "uart":
        if (p.spec.device === "at-modem") {
          const m: SimModem = { silent: false, csq: 23, noise: null, noiseSentAt: -Infinity };
          parts.set(p.name, m);
          modemByPort.set(p.spec.port, m);
        } else if (p.spec.device === "gps") gpsByPort.set(p.spec.port, p.name);
        else if (p.spec.device === "console") consolePort = p.spec.port;
        break;
    }
  }
  const bus = buses.values().next().value ?? new SimI2CBus(clock, { logLimit: 200 });
  const first = <T>(what: string, test: (x: unknown) => x is T): T => {
    for (const v of parts.values()) if (test(v)) return v;
    throw new Error(`the simulated board ${description.name} has no ${what} (its description declares none)`);
  };
  const isModem = (x: unknown): x is SimModem => x !== null && typeof x === "object" && "csq" in x;
  // an I2C open picks its bus by the data pin (the first bus when no bus has that pin)
  const busFor = (o: I2COptions): SimI2CBus => busByData.get(o.data) ?? bus;
  const I2C = buses.size <= 1 ? bus.I2C : (function (o: I2COptions) { return new (busFor(o).I2C)(o); } as unknown as I2CConstructor);
  const SMBus = buses.size <= 1 ? bus.SMBus : (function (o: I2COptions) { return new (busFor(o).SMBus)(o); } as unknown as SMBusConstructor);
  const defaultPort = consolePort ?? 0;
  const ports = new Map<number, SimSerialPort>();
  const listeners: ((n: number, port: SimSerialPort) => void)[] = [];

  // The modem answers each command line 30 ms after it arrived, reply lines 10 ms apart.
  const scriptModem = (p: SimSerialPort, modem: SimModem): void => {
    p.peer.respond((line) => !modem.silent && line.trim() !== "", (line) => {
      const cmd = line.trim();
      const reply =
        cmd === "AT+CSQ" ? [`+CSQ: ${modem.csq},0\r\n`, "OK\r\n"] : cmd === "AT" ? ["OK\r\n"] : cmd === "ATI" ? ["SIM800 R14.18 (simulated)\r\n", "OK\r\n"] : ["ERROR\r\n"];
      const noise = modem.noise;
      if (noise === null) return reply;
      modem.noise = null;
      modem.noiseSentAt = clock.nowMs();
      return [noise + reply[0]!, ...reply.slice(1)];
    }, { delayMs: 30, gapMs: 10 });
  };

  class BoardSerial extends SimSerialPort {
    constructor(o: SimSerialOptions) {
      // as on the Pico (Moddable 8.2.3): a port opened once stays in use, even after close (see drivers/uart/keep-open)
      if (ports.has(o.port ?? defaultPort)) throw new RangeError("port in use");
      const n = o.port ?? defaultPort;
      const lineMs = n === consolePort ? cpu.consoleLineMs : undefined;
      super({ ...o, clock: o.clock ?? clock, ...(lineMs !== undefined && o.cpuMsPerLine === undefined ? { cpuMsPerLine: lineMs } : {}) });
      ports.set(n, this);
      const modem = modemByPort.get(n);
      if (modem !== undefined) scriptModem(this, modem);
      const gpsName = gpsByPort.get(n);
      if (gpsName !== undefined) {
        gpsByName.set(gpsName, new SimGps(this, clock).start());
      }
      for (const cb of listeners) cb(n, this);
    }
  }

  const irPin = (receiver: string | undefined): number => {
    const pin = receiver === undefined ? irPins.values().next().value : irPins.get(receiver);
    if (pin === undefined) throw new Error(`the simulated board ${description.name} has no IR receiver${receiver === undefined ? "" : ` named ${receiver}`}`);
    return pin;
  };
  // An IR burst (active low, starting with the mark). On an EdgeClock every edge is driven with its own
  // due time as the clock's reading, and every edge already due is driven in the same callback: in real
  // time a timer per edge would fall behind (each waits at least a millisecond), so the receiver would
  // see a frame stretched past its 73 ms window.
  const pulses = (pin: number, startMs: number, durationsUs: readonly number[]): void => {
    if (!(clock instanceof EdgeClock)) {
      pins.pulseTrain(pin, startMs, durationsUs, 0);
      return;
    }
    const times = [startMs];
    for (const d of durationsUs) times.push(times[times.length - 1]! + d / 1000);
    let i = 0;
    const step = (): void => {
      const realNow = clock.sched.now();
      do {
        const level = (i & 1) as 0 | 1; // first edge: low (the mark)
        clock.stamped(times[i]!, () => pins.drive(pin, level));
        i++;
      } while (i < times.length && times[i]! <= realNow);
      if (i < times.length) clock.at(times[i]!, step);
    };
    clock.at(startMs, step);
  };

  const buttonPin = (name: string | undefined): number => {
    const b = name === undefined ? buttons.values().next().value : buttons.get(name);
    if (b === undefined) throw new Error(`the simulated board ${description.name} has no button${name === undefined ? "" : ` named ${name}`}`);
    return b.pin;
  };
  const press = (pin: number, atMs: number, heldMs: number, seed: number): void => {
    pins.press(pin, atMs, heldMs, { bounce: { edges: 5, spanMs: 3, seed } });
  };
  let seed = 1;
  // The physical world serialises stimuli: when each part is free again (ms on the clock).
  const buttonFreeAt = new Map<number, number>();
  const irFreeAt = new Map<number, number>();
  const refused = { gestures: 0, irKeys: 0 };
  /** A button gesture of presses at `offsets` (ms) held `heldMs` each: start time, after the previous gesture. */
  const gesture = (button: string | undefined, offsets: number[], heldMs: number): number => {
    const pin = buttonPin(button);
    const t = Math.max(clock.nowMs() + 1, buttonFreeAt.get(pin) ?? -Infinity);
    if (t - clock.nowMs() > MAX_QUEUED_STIMULI_MS) {
      refused.gestures++;
      throw new RangeError(`the button is busy for ${((t - clock.nowMs()) / 1000).toFixed(1)} s with queued presses (at most ${MAX_QUEUED_STIMULI_MS / 1000} s ahead); try again later`);
    }
    for (const o of offsets) press(pin, t + o, heldMs, (seed += 2));
    const last = offsets[offsets.length - 1]!;
    // released (+ debounce), and past the double-click window of the last press
    buttonFreeAt.set(pin, t + last + Math.max(heldMs + 100, 450));
    return t - clock.nowMs();
  };

  return {
    description,
    io: { Digital: pins.Digital, Serial: BoardSerial, I2C, SMBus, Analog: analog.Analog, Touch: touch.Touch },
    pin: Object.freeze(pinByName),
    I2C: { default: firstBus ?? SIM_I2C },
    Serial: { default: { port: defaultPort, baud: 115200 } },
    clock, pins, bus, buses, parts,
    get htu() {
      return first("HTU21D", (x): x is BoardHTU21D => x instanceof BoardHTU21D);
    },
    get eeprom() {
      return first("24C32 EEPROM", (x): x is SimEeprom24C32 => x instanceof SimEeprom24C32);
    },
    get modem() {
      return first("AT modem", isModem);
    },
    analog,
    touch,
    get lcd() {
      return first("HD44780 LCD", (x): x is SimLcd => x instanceof SimLcd);
    },
    get encoder() {
      return first("encoder", (x): x is SimEncoder => x instanceof SimEncoder);
    },
    gps(name) {
      if (name === undefined) return gpsByName.values().next().value ?? null;
      return gpsByName.get(name) ?? null;
    },
    port: (n) => ports.get(n) ?? null,
    onSerialOpen(cb) {
      listeners.push(cb);
      for (const [n, p] of ports) cb(n, p);
    },
    click(heldMs = 120, button) {
      return gesture(button, [0], heldMs);
    },
    doubleClick(button) {
      return gesture(button, [0, 250], 100);
    },
    longPress(heldMs = 1500, button) {
      return gesture(button, [0], heldMs);
    },
    refused,
    irKey(command, repeats = 0, address = 0, receiver) {
      const pin = irPin(receiver);
      const t = Math.max(clock.nowMs() + 1, irFreeAt.get(pin) ?? -Infinity);
      if (t - clock.nowMs() > MAX_QUEUED_STIMULI_MS) {
        refused.irKeys++;
        throw new RangeError(`the IR receiver is busy for ${((t - clock.nowMs()) / 1000).toFixed(1)} s with queued keys (at most ${MAX_QUEUED_STIMULI_MS / 1000} s ahead); try again later`);
      }
      pulses(pin, t, necFrame(address, command));
      for (let i = 1; i <= repeats; i++) pulses(pin, t + i * NEC_REPEAT_PERIOD_MS, necRepeat());
      // the next key's frame comes a repeat period after this burst's last code, as a remote sends it
      irFreeAt.set(pin, t + (repeats + 1) * NEC_REPEAT_PERIOD_MS);
      return t - clock.nowMs();
    },
    irRaw(durationsUs, receiver) {
      pulses(irPin(receiver), clock.nowMs() + 1, durationsUs);
    },
  };
}

/** The board's LCD keeps no instruction log (a soak runs for days); tests of the driver use SimLcd directly. */
function quietLcd(lcd: SimLcd): SimLcd {
  lcd.logging = false;
  return lcd;
}

function parseNumber(s: string | undefined, what: string, min: number, max: number): number {
  const v = s === undefined ? NaN : Number(s);
  if (!(v >= min && v <= max)) throw new TypeError(`${what} is a number from ${min} to ${max}, got ${s === undefined ? "nothing" : JSON.stringify(s)}`);
  return v;
}

function parseCode(s: string | undefined): number {
  const v = s === undefined ? NaN : Number(s);
  if (!(v >= 0 && v <= 255) || v !== Math.floor(v)) throw new TypeError(`an IR command is 0..255 (0x45 or 69), got ${s === undefined ? "nothing" : JSON.stringify(s)}`);
  return v;
}

/** " (queued: starts in N ms)" when a stimulus waits for the previous one, else "". */
function queued(delayMs: number): string {
  return delayMs > 1 ? ` (queued: starts in ${Math.round(delayMs)} ms, after the previous one)` : "";
}

function hex(n: number): string {
  return `0x${n < 16 ? "0" : ""}${n.toString(16)}`;
}

/** Stimulus commands, for the console of a demo on the simulated board (`help` lists them). */
export const STIMULUS_HELP = [
  "press               click the button (LED on/off)",
  "double              double-click the button (LED fast blink)",
  "long                hold the button 1.5 s (status summary)",
  "ir CODE             send an NEC key: 0x45 on, 0x46 off, 0x47 slow blink, 0x44 fast blink",
  "ir hold CODE N      the key held: a frame and N repeat codes (repeats are ignored)",
  "temp C / rh PERCENT set the HTU21D's temperature / humidity (seen at the next sample)",
  "fault nack|crc|busy the HTU21D's next transaction: not acknowledged / bad CRC / stuck converting",
  "modem silent|ok     the modem stops answering / answers again",
  "modem noise N       N bytes of line noise before the modem's next reply",
  "dial VALUE          set the analog input (raw 0-4095, or volts: 2.5V)",
  "turn STEPS          turn the encoder STEPS quadrature steps (4 a detent; negative: back)",
  "gps fix|nofix       the GPS gets / loses its fix; gps corrupt N: the next N sentences get a bad checksum",
  "touch [long|double] touch the pad (a tap by default)",
  "lcd                 show what the LCD shows",
];

/** The lines of {@link STIMULUS_HELP} for the parts `sim` has (buttons, IR receivers, an HTU21D, a modem). */
export function stimulusHelp(sim: SimBoard): string[] {
  const has = simParts(sim);
  const part = [has.button, has.button, has.button, has.ir, has.ir, has.htu, has.htu, has.modem, has.modem, has.analog, has.encoder, has.gps, has.touch, has.lcd];
  return STIMULUS_HELP.filter((_line, i) => part[i] === true);
}

function simParts(sim: SimBoard): { button: boolean; ir: boolean; htu: boolean; modem: boolean; analog: boolean; encoder: boolean; gps: boolean; touch: boolean; lcd: boolean } {
  const kinds = new Set<string>();
  for (const p of boardParts(sim.description)) kinds.add(p.kind === "i2c-device" ? p.spec.type : p.kind === "uart" ? p.spec.device : p.kind);
  return {
    button: kinds.has("button"), ir: kinds.has("ir-receiver"), htu: kinds.has("htu21d"), modem: kinds.has("at-modem"),
    analog: kinds.has("analog"), encoder: kinds.has("encoder"), gps: kinds.has("gps"), touch: kinds.has("touch-pad"), lcd: kinds.has("lcd-pcf8574"),
  };
}

/**
 * Add the stimulus commands to an app's console, for the parts the board has: press, double, long (its first
 * button), ir (its first IR receiver), temp, rh, fault (its HTU21D), modem (its AT modem).
 */
export function addStimulusCommands(con: Console, sim: SimBoard): void {
  const has = simParts(sim);
  if (has.button) addButtonCommands(con, sim);
  if (has.ir) addIrCommands(con, sim);
  if (has.htu) addHtuCommands(con, sim);
  if (has.modem) addModemCommands(con, sim);
  if (has.analog || has.encoder || has.gps || has.touch || has.lcd) addPanelCommands(con, sim, has);
}

function addPanelCommands(con: Console, sim: SimBoard, has: { analog: boolean; encoder: boolean; gps: boolean; touch: boolean; lcd: boolean }): void {
  const first = <T>(o: { [name: string]: T } | undefined): T => Object.values(o ?? {})[0]!;
  if (has.analog) {
    con.register("dial", "dial VALUE: [sim] set the analog input (raw 0-4095, or volts like 2.5V)", ({ args }) => {
      const pin = first(sim.description.analogInputs).pin;
      const v = args[0] ?? "";
      sim.analog.set(pin, /V$/.test(v) ? v : parseNumber(v, "the value", 0, 4095));
      return `sim: analog pin ${pin} converts to ${sim.analog.level(pin)}`;
    }, 1);
  }
  if (has.encoder) {
    con.register("turn", "turn STEPS: [sim] turn the encoder (4 quadrature steps a detent; negative: back)", ({ args }) => {
      const steps = parseNumber(args[0], "the steps", -10000, 10000);
      if (!Number.isInteger(steps)) throw new TypeError("the steps are a whole number");
      sim.encoder.turn(steps);
      return `sim: encoder turned ${steps} steps`;
    }, 1);
  }
  if (has.gps) {
    con.register("gps", "gps fix|nofix|corrupt N: [sim] the GPS gets / loses its fix, or corrupts its next N sentences", ({ args }) => {
      const g = sim.gps();
      if (g === null) throw new Error("the GPS's UART is not open yet (gps service not started)");
      if (args[0] === "fix" || args[0] === "nofix") g.fix = args[0] === "fix";
      else if (args[0] === "corrupt") g.corrupt(Math.floor(parseNumber(args[1], "the sentence count", 1, 1000)));
      else throw new TypeError("usage: gps fix|nofix|corrupt N");
      return `sim: GPS ${args[0] === "corrupt" ? `corrupts its next ${args[1]} sentences` : g.fix ? "has a fix" : "has no fix"}`;
    }, 2);
  }
  if (has.touch) {
    con.register("touch", "touch [long|double]: [sim] touch the pad (a tap by default)", ({ args }) => {
      const pin = first(sim.description.touchPads).pin;
      const t = sim.clock.nowMs() + 1;
      if (args[0] === "long") sim.touch.touch(pin, t, 1500);
      else if (args[0] === "double") {
        sim.touch.touch(pin, t, 100);
        sim.touch.touch(pin, t + 250, 100);
      } else if (args[0] === undefined) sim.touch.touch(pin, t, 120);
      else throw new TypeError("usage: touch [long|double]");
      return `sim: touch pad ${pin} ${args[0] === "long" ? "held 1.5 s" : args[0] === "double" ? "tapped twice" : "tapped"}`;
    }, 1);
  }
  if (has.lcd) con.register("lcd", "lcd: [sim] what the LCD shows", () => sim.lcd.screen().map((row) => `|${row}|`), 0);
}

function addButtonCommands(con: Console, sim: SimBoard): void {
  const pin = (): number => sim.pin[Object.keys(sim.description.buttons ?? {})[0]!]!;
  con.register("press", "press: [sim] click the button", () => {
    const d = sim.click();
    return `sim: button pin ${pin()} pressed for 120 ms${queued(d)} (a click is reported when the double-click window closes)`;
  }, 0);
  con.register("double", "double: [sim] double-click the button", () => {
    const d = sim.doubleClick();
    return `sim: button pin ${pin()} pressed twice, 250 ms apart${queued(d)}`;
  }, 0);
  con.register("long", "long: [sim] hold the button 1.5 s", () => {
    const d = sim.longPress();
    return `sim: button pin ${pin()} held for 1500 ms${queued(d)} (long press after 1000 ms)`;
  }, 0);
}

function addIrCommands(con: Console, sim: SimBoard): void {
  const pin = (): number => sim.pin[Object.keys(sim.description.irReceivers ?? {})[0]!]!;
  con.register("ir", "ir CODE | ir hold CODE N: [sim] send an NEC IR key (0x45 on, 0x46 off, 0x47 slow, 0x44 fast)", ({ args }) => {
    if (args[0] === "hold") {
      const code = parseCode(args[1]);
      const n = parseNumber(args[2] ?? "3", "the repeat count", 0, 100);
      const d = sim.irKey(code, Math.floor(n));
      return `sim: IR key ${hex(code)} held: a frame and ${Math.floor(n)} repeat codes on pin ${pin()}${queued(d)}`;
    }
    if (args.length > 1) throw new TypeError("usage: ir CODE | ir hold CODE N");
    const code = parseCode(args[0]);
    const d = sim.irKey(code);
    return `sim: IR frame address 0x00 command ${hex(code)} on pin ${pin()}${queued(d)}`;
  }, 3);
}

function addHtuCommands(con: Console, sim: SimBoard): void {
  con.register("temp", "temp C: [sim] set the HTU21D's temperature", ({ args }) => {
    sim.htu.temperature = parseNumber(args[0], "the temperature", -40, 125);
    return `sim: HTU21D temperature set to ${sim.htu.temperature} °C (seen at the next sample)`;
  }, 1);
  con.register("rh", "rh PERCENT: [sim] set the HTU21D's relative humidity", ({ args }) => {
    sim.htu.humidity = parseNumber(args[0], "the humidity", 0, 100);
    return `sim: HTU21D humidity set to ${sim.htu.humidity} %RH (seen at the next sample)`;
  }, 1);
  con.register("fault", "fault nack|crc|busy: [sim] inject an HTU21D fault into its next transaction", ({ args }) => {
    switch (args[0]) {
      case "nack":
        sim.htu.nackNext(1);
        return "sim: the HTU21D will not acknowledge its next transaction";
      case "crc":
        sim.htu.corruptNextCrc(1);
        return "sim: the HTU21D's next reading will carry a wrong CRC";
      case "busy":
        sim.htu.stallNext(1);
        return "sim: the HTU21D's next conversion will stay busy for 300 ms";
      default:
        throw new TypeError("usage: fault nack|crc|busy");
    }
  }, 1);
}

function addModemCommands(con: Console, sim: SimBoard): void {
  let noiseSeed = 1;
  con.register("modem", "modem silent|ok|noise N: [sim] the modem stops answering / answers again / sends N bytes of noise", ({ args }) => {
    if (args.length > (args[0] === "noise" ? 2 : 1)) throw new TypeError("usage: modem silent|ok|noise N");
    if (args[0] === "silent") sim.modem.silent = true;
    else if (args[0] === "ok") sim.modem.silent = false;
    else if (args[0] === "noise") {
      const n = parseNumber(args[1], "the noise length", 1, 4096);
      sim.modem.noise = lineNoise(Math.floor(n), noiseSeed++);
      return `sim: ${Math.floor(n)} bytes of line noise before the modem's next reply`;
    } else throw new TypeError("usage: modem silent|ok|noise N");
    return `sim: the modem ${sim.modem.silent ? "is silent" : "answers"}`;
  }, 2);
}
