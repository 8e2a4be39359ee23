// Run an app (firmware/board's AppDefinition) on Node, in real time, on the simulated board its board
// description declares (sim/board.ts), with its console on this terminal and console commands that drive the
// simulated hardware. `npm start` in this repository runs the demo (host/start.ts); an app made with the
// starter runs its own (`xs-async start`, host/cli.ts).
//
//   [--console-tty <path>] [--for <seconds>] [--web [PORT]]
//
// --console-tty <path>  the console on that serial device / pseudo-terminal instead of this terminal
//                       (115200 baud; what `npm run console` connects to); the log stays on stdout
// --for <seconds>       stop after that long (smoke tests, transcripts)
// --web [PORT]          also serve the dashboard on http://127.0.0.1:PORT/ (default 8080; 0: any free port;
//                       the dashboard shows the demo's parts: an app that hands over other parts gets a note);
//                       with --web the app keeps running when its input ends (</dev/null, nohup, systemd,
//                       a container), until SIGTERM, SIGINT or --for; a busy port exits with status 1
//
// Ctrl-C on a half-typed line clears it; on an empty line it quits with status 130. SIGTERM or SIGHUP (or
// the npm process that started it going away) ends the app.
import * as fs from "node:fs";
import * as path from "node:path";
import { SerialPort } from "serialport";
import { boardParts, checkBoard, consoleUart, type AppDefinition, type BoardDescription } from "../firmware/board/index";
import { run, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { EdgeClock, addStimulusCommands, createSimBoard, stimulusHelp } from "../sim/board";
import type { SimSerialPort } from "../sim/serial";
import type { Demo } from "../examples/demo/app";
import { useNode } from "./node-host";
import { FilePrefs } from "./preferences-file";
import { attachStdio } from "./serial-stdio";
import { openDashboard, takeWebOption } from "./web/cli";
import { Terminal, attachTerminal } from "./terminal";
import type { LinePacer } from "./line-pacer";

/** What {@link startApp} runs. */
export interface StartOptions {
  app: AppDefinition;
  /** The board to simulate. */
  description: BoardDescription;
  /** Where service settings persist (a JSON file). */
  prefsFile: string;
  /** Command-line arguments (the options above). */
  argv: string[];
  /** The command that runs this, for usage lines (default "npm start"). */
  command?: string;
}

interface Options {
  consoleTty: string | null;
  forSeconds: number | null;
}

let command = "npm start";

function usage(msg?: string): never {
  if (msg !== undefined) process.stderr.write(`${command}: ${msg}\n`);
  process.stderr.write(`usage: ${command} [-- --console-tty <path>] [--for <seconds>] [--web [PORT]]\n`);
  process.exit(msg === undefined ? 0 : 2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { consoleTty: null, forSeconds: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--console-tty") o.consoleTty = value();
    else if (a === "--for") {
      const v = Number(value());
      if (!(v > 0)) usage(`--for needs a number of seconds > 0`);
      o.forSeconds = v;
    } else if (a === "--help" || a === "-h") usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

let web: ReturnType<typeof takeWebOption> = { port: null, rest: [] };
let opts: Options = { consoleTty: null, forSeconds: null };
/** The console on this terminal (line editing, history), once the firmware opened its console UART. */
let term: Terminal | null = null;
let pacer: LinePacer | null = null;
const out = (line: string): void => (term !== null ? term.print(line) : void process.stdout.write(line + "\n"));

function describeParts(d: BoardDescription): string[] {
  const text = boardParts(d).map((p) => {
    switch (p.kind) {
      case "led": return `LED ${p.name} pin ${p.spec.pin}`;
      case "button": return `button ${p.name} pin ${p.spec.pin}`;
      case "ir-receiver": return `IR receiver ${p.name} pin ${p.spec.pin}`;
      case "touch-pad": return `touch pad ${p.name} pin ${p.spec.pin}`;
      case "analog": return `analog input ${p.name} pin ${p.spec.pin}`;
      case "encoder": return `encoder ${p.name} pins ${p.spec.pinA},${p.spec.pinB}`;
      case "i2c": return `I2C ${p.name} data ${p.spec.data} / clock ${p.spec.clock}`;
      case "i2c-device": return `${p.spec.type} ${p.name} at 0x${p.address.toString(16)}`;
      case "uart": return `${p.spec.device === "at-modem" ? "AT modem" : p.spec.device === "gps" ? "GPS" : p.spec.device} ${p.name} on UART ${p.spec.port}`;
    }
  });
  const lines: string[] = [];
  let line = "";
  for (const t of text) {
    if (line.length + t.length > 84) {
      lines.push(line);
      line = "";
    }
    line += `${line === "" ? "" : ", "}${t}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function banner(o: StartOptions, help: string[]): string[] {
  const title = `─ ${o.app.name} `;
  return [
    `┌${title}${"─".repeat(Math.max(4, 88 - title.length))}`,
    `│ ${o.app.name} runs here on Node, in real time, on the simulated board ${o.description.name}:`,
    ...describeParts(o.description).map((l) => `│   ${l}`),
    "│ Lines like `1.234 [INFO] [led] ...` are the firmware's log (its RAM ring log, printed as written).",
    consoleUart(o.description) === null
      ? "│ The board has no console UART."
      : opts.consoleTty === null
        ? "│ The console is on this terminal: type `help` (ps, log cat, services, service stop NAME, ...)."
        : `│ The console is on ${opts.consoleTty} (115200 baud); this terminal shows the log only.`,
    ...(help.length > 0 ? ["│ Simulated hardware, from the console:", ...help.map((l) => `│   ${l}`)] : []),
    `│ Service settings (service enable/disable, args) persist in ${path.relative(process.cwd(), o.prefsFile) || o.prefsFile}.`,
    `│ ${opts.forSeconds !== null ? `Stops after ${opts.forSeconds} s; ` : ""}Ctrl-C${opts.consoleTty === null ? " (on an empty line) or Ctrl-D" : ""} quits` +
      `${opts.consoleTty === null ? ` (piped input: once answered${opts.forSeconds !== null ? ", or with --for when the time is up" : ""})` : ""}.`,
    `└${"─".repeat(90)}`,
  ];
}

let detach: (() => void) | null = null;
let tty: SerialPort | null = null;
let exiting = false;

function shutdown(code: number, why?: string): void {
  if (exiting) return;
  exiting = true;
  if (why !== undefined) out(why);
  if (detach !== null) detach();
  if (term !== null) term.close();
  const done = (): never => process.exit(code);
  if (tty !== null && tty.isOpen) tty.close(() => done());
  else done();
}

function attachConsole(port: SimSerialPort): void {
  if (detach !== null) detach();
  if (opts.consoleTty === null) {
    if (term === null) {
      const t = new Terminal();
      term = t;
      t.onEnd(() => void endOfInput(t));
    }
    const a = attachTerminal(port, term);
    pacer = a.pacer;
    detach = a.detach;
    return;
  }
  simConsole = port;
  openTty(true);
}

/**
 * Ctrl-D or the end of a pipe: quit once every line was answered (piped with --for: at the end of the
 * time; with --web: never, the dashboard serves on until a signal or --for).
 */
async function endOfInput(t: Terminal): Promise<void> {
  if (pacer !== null) await pacer.drained();
  if (!t.interactive && web.port !== null) {
    out(`${appTag}: end of input; the dashboard serves on until SIGTERM${opts.forSeconds !== null ? " or --for" : ""} (pid ${process.pid})`);
    return;
  }
  if (!t.interactive && opts.forSeconds !== null) return;
  shutdown(0, t.interactive ? `${appTag}: Ctrl-D, bye` : `${appTag}: end of input, bye`);
}

// --console-tty: the bridge to the pty or serial device; when it goes away (socat restarted, adapter
// unplugged), say so and reopen it once it is back.
let simConsole: SimSerialPort | null = null;
function openTty(first: boolean): void {
  const p = opts.consoleTty!;
  const sp = new SerialPort({ path: p, baudRate: 115200 }, (err) => {
    if (!err) {
      if (!first) out(`${appTag}: console ${p} is back`);
      return;
    }
    if (first) shutdown(1, `${command}: cannot open ${p}: ${err.message}`);
    else setTimeout(() => openTty(false), 500);
  });
  tty = sp;
  if (detach !== null) detach();
  detach = attachStdio(simConsole!, sp, sp);
  sp.on("close", () => {
    if (exiting || tty !== sp) return;
    out(`${appTag}: console ${p} closed; reopening it when it comes back`);
    setTimeout(() => openTty(false), 500);
  });
  sp.on("error", () => undefined);
}

let appTag = "app";

/**
 * `npm start` runs us under sh and tsx; a kill of npm itself (SIGKILL, or SIGTERM that npm does not pass
 * down the chain) would leave this process running with the simulated board and the dashboard's port.
 * So: note our ancestors up to the npm process (Linux /proc), and stop when any of them is gone.
 */
function watchLauncher(): void {
  const chain: number[] = [];
  let npm = false;
  try {
    for (let pid = process.ppid; pid > 1 && chain.length < 6 && !npm; ) {
      chain.push(pid);
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      npm = /(^|\/)npm(-cli\.js)?([\0 ]|$)/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")); // the top of the chain
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    }
  } catch {
    return; // no /proc (macOS): only the signals above
  }
  if (!npm) return; // not started by npm (tsx host/start.ts under nohup, say): the parent may go
  const timer = setInterval(() => {
    for (const pid of chain) {
      try {
        process.kill(pid, 0);
      } catch {
        shutdown(0, `${appTag}: the process that started it (pid ${pid}) is gone, bye`);
        return;
      }
    }
  }, 1000);
  timer.unref();
}

/** Run `o.app` on the simulated board of `o.description` (this process runs it until it quits). */
export function startApp(o: StartOptions): void {
  command = o.command ?? "npm start";
  appTag = o.app.name.split(" ").pop() ?? "app";
  try {
    checkBoard(o.description);
    web = takeWebOption(o.argv);
  } catch (e) {
    usage((e as Error).message);
  }
  opts = parseArgs(web.rest);
  const con = consoleUart(o.description);

  // Moddable's trace(), for any firmware code that calls it directly.
  (globalThis as unknown as { trace: (...a: unknown[]) => void }).trace = (...a: unknown[]): void => void process.stdout.write(a.map(String).join(""));

  // Ctrl-C: the terminal clears a half-typed line itself (host/terminal.ts); a SIGINT that reaches us quits
  // with 128 + 2, as a shell reports an interrupted program.
  process.on("SIGINT", () => shutdown(130, `\n${appTag}: Ctrl-C, bye`));
  process.on("SIGTERM", () => shutdown(0, `${appTag}: SIGTERM, bye`));
  process.on("SIGHUP", () => shutdown(0, `${appTag}: SIGHUP (terminal gone), bye`));
  watchLauncher();

  useNode();
  run(function* main(): Gen<void> {
    const sim = createSimBoard(new EdgeClock(), o.description);
    for (const l of banner(o, stimulusHelp(sim))) out(l);
    (globalThis as unknown as { device: unknown }).device = sim;
    sim.onSerialOpen((n, port) => {
      if (con !== null && n === con.port) attachConsole(port);
    });
    const task = spawn("app", o.app.main, {
      description: o.description,
      board: sim,
      print: out,
      prefs: new FilePrefs(o.prefsFile),
      console: con === null ? null : { crlf: opts.consoleTty !== null, logOnConsole: opts.consoleTty === null },
      nowUs: () => sim.clock.nowUs(),
      ready: (parts) => {
        if (parts.console !== undefined && parts.console !== null) addStimulusCommands(parts.console, sim);
        if (web.port === null) return;
        if (con === null || !isDemo(parts)) out("dashboard: not started: it shows the demo's parts (LED, env, modem, IR) and a console; this app hands over other parts");
        else openDashboard(web.port, sim, parts, con.port, out, (why) => shutdown(1, why));
      },
    });
    if (opts.forSeconds === null) {
      yield* task.join();
      return;
    }
    yield* sleepMs(opts.forSeconds * 1000);
    out(`${appTag}: ${opts.forSeconds} s are up (--for), bye`);
  }).then(
    () => shutdown(0),
    (e: unknown) => {
      process.stderr.write(`${appTag} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      shutdown(1);
    },
  );
}

function isDemo(parts: object): parts is Demo {
  return "led" in parts && "env" in parts && "modem" in parts && "ir" in parts && "config" in parts;
}
