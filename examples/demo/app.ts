// The demo application, independent of the platform: pins and buses come from the board (Moddable's
// `device` on a device, the simulated board on the host), their numbers from a board description
// (board.ts). main.ts runs it on a device, host/start.ts on Node (`npm start`). The parts are in parts/.
// An app built on xs-async: it imports only the package's public entry points.
import { defineApp } from "xs-async/board";
import {
  createConsole, formatDuration, Jobs, MemoryPrefs, Profiler, RingLog, ServiceManager, StatsBoard, TaskRegistry,
  type BootReport, type Console, type LineIO, type Prefs,
} from "xs-async/control";
import { board as platformBoard, type Board } from "xs-async/io";
import { checkpoint, now, sleepMs, traceLabel, type Gen } from "xs-async";
import { Uart, UartReader, UartWriter, keepOpen, type UartSerialOptions } from "xs-async/drivers/uart";
import { PinEdges, keepPinsOpen } from "xs-async/drivers/pin";
import { ButtonEdgeFlag } from "xs-async/drivers/pushbutton";
import { NecResults } from "xs-async/drivers/nec";
import type { TouchReaderConstructor } from "xs-async/drivers/touch";
import { ButtonWatch, buttonTask } from "./parts/buttons";
import { installDemoCommands } from "./parts/commands";
import { UartLineIO } from "./parts/console-io";
import { Env, envTask, formatReading, type I2CPins } from "./parts/env";
import { IrStats, irTask } from "./parts/ir";
import { Led, ledLabel, ledTask } from "./parts/led";
import { Modem, modemTask } from "./parts/modem";
import { DIAL, ENCODER_STEP_MS, PanelStats, UtcClock, dialTask, gpsTask, knobTask, lcdTask, touchTask, utcText } from "./parts/peripherals";
import { printTask } from "./parts/printer";
import { demoConfig } from "./board";

/** Where the demo's parts are wired, and how it runs. */
export interface AppConfig {
  /** Board name, for the first log line. */
  boardName: string;
  /** The board (default: `board()`, i.e. the `device` global). */
  board?: Board;
  /** The LED (activeLow: lit when the pin is low). */
  led: { pin: number; activeLow?: boolean };
  /** The pushbutton (default active low: to ground, with the pull-up). */
  button: { pin: number; activeLow?: boolean };
  /** The IR receiver module's output; `nowUs` is the µs clock for edge times (a device: Time.microseconds). */
  ir: { pin: number; nowUs?: () => number };
  /** The I2C bus shared by the HTU21D (0x40) and the 24C32 EEPROM (0x50). */
  i2c: I2CPins;
  /** The modem's UART: options of the board's Serial (port, pins, baud); none: no modem service. */
  modem?: UartSerialOptions;
  /** The dial: an analog input whose band crossings set the LED (none: no dial service). */
  dial?: { pin: number };
  /** The knob: an encoder that changes the env sampling period (division: steps per detent, default 4). */
  encoder?: { pinA: number; pinB: number; division?: number };
  /** The GPS receiver's UART (9600 baud). */
  gps?: UartSerialOptions;
  /** The LCD on the I2C bus (the PCF8574 backpack's address, the size). */
  lcd?: { address: number; cols: number; rows: number };
  /** A touch pad acting as the button, and the board's touch reader class. */
  touch?: { pin: number; Touch: TouchReaderConstructor };
  /** Sets the platform's clock from the GPS's UTC (a device: Moddable's Time.set). */
  setUtc?: (utcMs: number) => void;
  /**
   * The console: on a UART of its own (`serial`: options of the board's Serial; `crlf`: "\r\n" line ends,
   * default true), on a ready LineIO, or none (null). `logOnConsole`: the printed log shows where the
   * console is (one terminal for both), so `log follow` need not print it again.
   */
  console: { serial: UartSerialOptions; crlf?: boolean; logOnConsole?: boolean } | { io: LineIO; logOnConsole?: boolean } | null;
  /** Where service configuration (enabled, args) is kept (default: in RAM, lost at reset). */
  prefs?: Prefs;
  /** Default periods (ms): HTU21D samples (5000) and modem AT+CSQ (15000); stored service args replace them. */
  envPeriodMs?: number;
  modemPeriodMs?: number;
  /** RAM log size in bytes (default 8192). */
  logBudget?: number;
  /** Prints one line of output (default: trace). */
  print?: (line: string) => void;
  /** Called once everything is built, before the services boot (a host adds console commands here). */
  onReady?: (demo: Demo) => void;
}

/** The running demo's parts (what onReady receives). */
export interface Demo {
  readonly config: AppConfig;
  readonly board: Board;
  /** Where output lines go (config.print, or trace). */
  readonly print: (line: string) => void;
  readonly log: RingLog;
  readonly registry: TaskRegistry;
  readonly services: ServiceManager;
  readonly jobs: Jobs;
  readonly profiler: Profiler;
  /** Every driver's counters (the console's `stats`). */
  readonly stats: StatsBoard;
  readonly led: Led;
  readonly env: Env;
  readonly modem: Modem;
  readonly ir: IrStats;
  /** The dial, knob, GPS, LCD and touch parts' counters, and UTC from the GPS. */
  readonly panel: PanelStats;
  readonly utc: UtcClock;
  readonly console: Console | null;
  /** The services' boot report (null until they booted). */
  boot: BootReport | null;
  /** The status summary (what a long press logs). */
  status(): string[];
}

function ago(ms: number): string {
  return `${formatDuration(now() - ms)} ago`;
}

/** Build the demo's parts and register its services; nothing runs yet (call inside a task). */
export function createDemo(config: AppConfig): Demo {
  const b = config.board ?? platformBoard();
  const I2C = b.io.I2C;
  if (b.io.Serial === undefined || I2C === undefined) throw new Error("the demo needs a board with Serial and I2C");
  // the modem service closes and reopens its UART; the Pico's Serial cannot be closed (drivers/uart/keep-open)
  const Serial = keepOpen(b.io.Serial);
  // and its buttons and IR services close and reopen pins that watch edges, which the Pico cannot do (drivers/pin/keep-open)
  const Digital = keepPinsOpen(b.io.Digital);
  const print = config.print ?? ((line: string): void => trace(line + "\n"));
  const log = new RingLog(config.logBudget ?? 8192);
  const profiler = new Profiler({ stallMs: 100, log });
  const registry = new TaskRegistry({ profiler, log });
  const services = new ServiceManager(registry, { log, ...(config.prefs !== undefined ? { prefs: config.prefs } : { prefs: new MemoryPrefs() }) });
  const jobs = new Jobs();
  const led = new Led(log);
  const stats = new StatsBoard();
  const env = new Env(I2C, config.i2c, log, stats);
  const modem = new Modem(Serial, config.modem ?? { port: -1, baud: 115200 }, log, stats);
  const ir = new IrStats();
  const panel = new PanelStats();
  const utc = new UtcClock();
  stats.attach("env", env);
  if (config.modem !== undefined) stats.attach("modem", modem);
  stats.attach("ir", ir);
  if (config.dial !== undefined || config.encoder !== undefined || config.gps !== undefined || config.lcd !== undefined || config.touch !== undefined) stats.attach("panel", panel);

  const status = (): string[] => {
    const lines = [`up ${formatDuration(now())}; LED ${ledLabel(led.mode)} (${led.changesCount} changes)`];
    const r = env.latest;
    lines.push(`env: ${r === null ? "no reading yet" : `${formatReading(r)} ${ago(r.at)}`} (${env.samples} samples, ${env.failures} failed, EEPROM record #${env.stored})`);
    const m = modem.lastReply;
    if (config.modem !== undefined) lines.push(`modem: ${m === null ? "no exchange yet" : m.length === 0 ? `no answer ${ago(modem.lastAt)}` : `${m.join(" | ")} ${ago(modem.lastAt)}`} (${modem.commands} commands, ${modem.silent} unanswered)`);
    lines.push(`ir: ${ir.keys} keys, ${ir.repeats} repeats ignored, ${ir.errors} bad frames`);
    if (config.encoder !== undefined) lines.push(`env period: ${env.periodMs} ms (${panel.knobChanges} knob changes)`);
    if (config.gps !== undefined) lines.push(`gps: ${panel.gpsFixes} fixes, ${panel.gpsLost} lost${Number.isNaN(utc.utcMs()) ? "" : `, UTC ${utcText(utc.utcMs())}`}`);
    const all = services.all();
    const down = all.filter((s) => !s.running).map((s) => `${s.name} ${s.state}`);
    lines.push(`services: ${all.length - down.length} of ${all.length} running${down.length > 0 ? ` (${down.join(", ")})` : ""}`);
    lines.push(`log: ${log.length} records, ${log.bytesUsed} of ${log.budget} bytes, ${log.dropped} dropped`);
    return lines;
  };

  // every service comes back by itself after a failure: 1 s, doubling up to a minute; 5 restarts in 10 minutes park it
  const restart = "on-failure" as const;
  services.add({
    name: "led", description: "LED modes (off, on, slow, fast blink)", restart,
    tasks: function* ledService(): Gen<void> {
      yield* ledTask(led, Digital, config.led.pin, config.led.activeLow ?? false);
    },
  });
  services.add({
    name: "buttons", description: "click: on/off, double: fast blink, long: status", requires: ["led"], restart,
    tasks: function* buttons(): Gen<void> {
      yield* buttonTask({ Digital, pin: config.button.pin, activeLow: config.button.activeLow ?? true, led, log, status, board: stats });
    },
  });
  services.add({
    name: "ir", description: "NEC remote: 0x45 on, 0x46 off, 0x47 slow, 0x44 fast", requires: ["led"], restart,
    tasks: function* irService(): Gen<void> {
      yield* irTask({ Digital, pin: config.ir.pin, ...(config.ir.nowUs !== undefined ? { nowUs: config.ir.nowUs } : {}), led, log, stats: ir, board: stats });
    },
  });
  services.add({
    name: "env", description: "HTU21D + EEPROM on a shared I2C bus", args: [config.envPeriodMs ?? 5000], restart,
    validate: (a) => {
      checkCount(a, 1, "env");
      checkPeriod(a[0], "env");
    },
    tasks: function* envService(periodMs: unknown): Gen<void> {
      yield* envTask(env, checkPeriod(periodMs, "env"));
    },
  });
  if (config.modem !== undefined) services.add({
    name: "modem", description: "AT modem on a UART (half duplex)", args: [config.modemPeriodMs ?? 15000, "AT+CSQ"], restart,
    validate: (a) => {
      checkCount(a, 2, "modem");
      checkPeriod(a[0], "modem");
      if (a.length > 1 && (typeof a[1] !== "string" || !/^AT[\x20-\x7e]{0,60}$/.test(a[1]))) throw new RangeError(`modem: the command is "AT..." (printable, at most 62 characters), got ${JSON.stringify(a[1])}`);
    },
    tasks: function* modemService(periodMs: unknown, command: unknown): Gen<void> {
      yield* modemTask(modem, checkPeriod(periodMs, "modem"), command === undefined ? "AT+CSQ" : String(command));
    },
  });

  const dial = config.dial;
  if (dial !== undefined) {
    const Analog = b.io.Analog;
    if (Analog === undefined) throw new Error("the demo's dial needs a board with Analog");
    services.add({
      name: "dial", description: `analog input: outside ${DIAL.low}..${DIAL.high} fast/slow blink, back inside LED on`, requires: ["led"], restart,
      tasks: function* dialService(): Gen<void> {
        yield* dialTask({ Analog, pin: dial.pin, led, log, board: stats, panel });
      },
    });
  }
  const encoder = config.encoder;
  if (encoder !== undefined) {
    services.add({
      name: "knob", description: `encoder: each detent changes the env period by ${ENCODER_STEP_MS} ms`, restart,
      tasks: function* knobService(): Gen<void> {
        yield* knobTask({ Digital, pinA: encoder.pinA, pinB: encoder.pinB, division: encoder.division ?? 4, env, log, board: stats, panel });
      },
    });
  }
  const gps = config.gps;
  if (gps !== undefined) {
    services.add({
      name: "gps", description: "GPS receiver: position and UTC, sets the clock", restart,
      tasks: function* gpsService(): Gen<void> {
        yield* gpsTask({ Serial, serial: gps, log, board: stats, panel, clock: utc, setUtc: config.setUtc });
      },
    });
  }
  const lcd = config.lcd;
  if (lcd !== undefined) {
    services.add({
      name: "lcd", description: "HD44780 LCD on the env's I2C bus: temperature, humidity, GPS time", restart,
      tasks: function* lcdService(): Gen<void> {
        yield* lcdTask({ I2C, pins: config.i2c, address: lcd.address, cols: lcd.cols, rows: lcd.rows, env, clock: utc, log, board: stats, panel });
      },
    });
  }
  const touch = config.touch;
  if (touch !== undefined) {
    services.add({
      name: "touch", description: "touch pad: click on/off, double fast blink, long status", requires: ["led"], restart,
      tasks: function* touchService(): Gen<void> {
        yield* touchTask({ Touch: touch.Touch, pin: touch.pin, led, log, status, board: stats, panel });
      },
    });
  }

  let con: Console | null = null;
  const c = config.console;
  if (c !== null) {
    const io = "io" in c ? c.io : openConsoleUart(Serial, c.serial, c.crlf ?? true, stats);
    con = createConsole(io, { registry, log, services, jobs, profiler, stats, logOnConsole: c.logOnConsole === true, banner: `xs-async demo console on ${config.boardName}: type help` });
    installDemoCommands(con, { led, env, modem, services, jobs, status });
  }
  // what the demo's tasks wait on, by name in the task trace (`trace dump`, the dashboard's timeline)
  traceLabel(UartReader.prototype, "uart read");
  traceLabel(UartWriter.prototype, "uart write");
  traceLabel(PinEdges.prototype, "pin edges");
  traceLabel(ButtonEdgeFlag.prototype, "button edge");
  traceLabel(ButtonWatch.prototype, "button edge");
  traceLabel(NecResults.prototype, "IR frame");

  return { config, board: b, print, log, registry, services, jobs, profiler, stats, led, env, modem, ir, panel, utc, console: con, boot: null, status };
}

/** Longest sampling or polling period a service takes (ms): a day. */
const MAX_PERIOD_MS = 86400000;

function checkPeriod(v: unknown, what: string): number {
  if (typeof v !== "number" || !(v >= 10 && v <= MAX_PERIOD_MS)) throw new RangeError(`${what}: the period is a number of ms from 10 to ${MAX_PERIOD_MS}, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

function checkCount(a: unknown[], most: number, what: string): void {
  if (a.length === 0) throw new RangeError(`${what}: no arguments given (args ${what} default goes back to the defaults)`);
  if (a.length > most) throw new RangeError(`${what}: takes at most ${most} argument${most === 1 ? "" : "s"}, got ${a.length}`);
}

function openConsoleUart(Serial: NonNullable<Board["io"]["Serial"]>, options: UartSerialOptions, crlf: boolean, stats: StatsBoard): LineIO {
  // overflow "error": a full receive buffer is reported at the gap (input overrun), never bridged
  const uart = new Uart(Serial, options, { bufferSize: 256, overflow: "error" });
  stats.attach("console.rx", uart.reader);
  stats.attach("console.tx", uart.writer);
  return new UartLineIO(uart.reader, uart.writer, crlf);
}

/** Start the printer and the console, then boot the services; returns the boot report. */
export function* startDemo(demo: Demo): Gen<BootReport> {
  const { config, registry, log } = demo;
  registry.add("printer", printTask, log, demo.print);
  log.info(
    `xs-async demo on ${config.boardName}: LED pin ${config.led.pin}, button pin ${config.button.pin}, IR pin ${config.ir.pin}, ` +
      `I2C data ${config.i2c.data} clock ${config.i2c.clock}${config.modem === undefined ? ", no modem" : `, modem UART port ${config.modem.port ?? "default"}`}` +
      `${config.console === null ? ", no console" : "io" in config.console ? "" : `, console UART port ${config.console.serial.port ?? "default"}`}`,
    "demo",
  );
  if (demo.console !== null) registry.add("console", demo.console.run);
  if (config.onReady !== undefined) config.onReady(demo);
  const report = yield* demo.services.boot();
  demo.boot = report;
  for (const l of report.lines) {
    if (l.startsWith("[ SKIP ]") && l.endsWith(": disabled")) log.info(l, "demo");
    else if (!l.startsWith("[ OK ]")) log.warn(l, "demo");
  }
  // a task that fails on its first step (before this task runs again) is not counted as running
  yield* checkpoint();
  const all = demo.services.all();
  const down = all.filter((s) => !s.running).map((s) => `${s.name} ${s.state}`);
  const text = `ready: ${all.length - down.length} of ${all.length} services running${down.length > 0 ? ` (${down.join(", ")})` : ""}`;
  if (all.some((s) => s.state === "failed" || s.state === "restarting")) log.warn(text, "demo");
  else log.info(text, "demo");
  return report;
}

/** The main task: build the demo, start it, run forever. */
export function* app(config: AppConfig): Gen<void> {
  const demo = createDemo(config);
  yield* startDemo(demo);
  yield* sleepMs(Infinity);
}

/** The demo as an app (xs-async/board's AppDefinition): what `npm start`, the soak and main.ts run. */
export default defineApp({
  name: "xs-async demo",
  main: function* demoMain(ctx): Gen<void> {
    yield* app(demoConfig(ctx));
  },
});
