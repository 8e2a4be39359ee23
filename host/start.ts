// `npm start`: the demo firmware (firmware/app.ts) on Node, in real time, on the simulated board
// (sim/board.ts), with its console on this terminal and console commands that drive the simulated hardware.
//
//   npm start [-- --console-tty <path>] [--for <seconds>] [--web [PORT]]
//
// --console-tty <path>  the console on that serial device / pseudo-terminal instead of this terminal
//                       (115200 baud; what `npm run console` connects to); the log stays on stdout
// --for <seconds>       stop after that long (smoke tests, transcripts)
// --web [PORT]          also serve the dashboard on http://127.0.0.1:PORT/ (default 8080; 0: any free port);
//                       with --web the demo keeps running when its input ends (</dev/null, nohup, systemd,
//                       a container), until SIGTERM, SIGINT or --for; a busy port exits with status 1
//
// Ctrl-C on a half-typed line clears it; on an empty line it quits with status 130. SIGTERM or SIGHUP (or
// the npm process that started it going away) ends the demo.
import * as fs from "node:fs";
import * as path from "node:path";
import { SerialPort } from "serialport";
import { app } from "../firmware/app";
import { simAppConfig } from "../sim/demo-config";
import { run, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { SIM_CONSOLE_PORT, SIM_I2C, SIM_MODEM_PORT, STIMULUS_HELP, addStimulusCommands, createSimBoard } from "../sim/board";
import type { SimSerialPort } from "../sim/serial";
import { useNode } from "./node-host";
import { FilePrefs } from "./preferences-file";
import { attachStdio } from "./serial-stdio";
import { openDashboard, takeWebOption } from "./web/cli";
import { Terminal, attachTerminal } from "./terminal";
import type { LinePacer } from "./line-pacer";

const PREFS_FILE = path.resolve(__dirname, "..", "build", "demo-prefs.json");

interface Options {
  consoleTty: string | null;
  forSeconds: number | null;
}

function usage(msg?: string): never {
  if (msg !== undefined) process.stderr.write(`npm start: ${msg}\n`);
  process.stderr.write("usage: npm start [-- --console-tty <path>] [--for <seconds>] [--web [PORT]]\n");
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
try {
  web = takeWebOption(process.argv.slice(2));
} catch (e) {
  usage((e as Error).message);
}
const opts = parseArgs(web.rest);
/** The console on this terminal (line editing, history), once the firmware opened its console UART. */
let term: Terminal | null = null;
let pacer: LinePacer | null = null;
const out = (line: string): void => (term !== null ? term.print(line) : void process.stdout.write(line + "\n"));

function banner(): string[] {
  return [
    "┌─ xs-async demo ─────────────────────────────────────────────────────────────────────────",
    "│ The demo firmware (firmware/app.ts) runs here on Node, in real time, on a simulated board:",
    `│   LED pin 25, button pin 14, NEC IR receiver pin 15, HTU21D (0x40) + 24C32 EEPROM (0x50) on`,
    `│   I2C data ${SIM_I2C.data} / clock ${SIM_I2C.clock}, an AT modem on UART ${SIM_MODEM_PORT}, the console on UART ${SIM_CONSOLE_PORT}.`,
    "│ Lines like `1.234 [INFO] [led] ...` are the firmware's log (its RAM ring log, printed as written).",
    opts.consoleTty === null
      ? "│ The console is on this terminal: type `help` (ps, log cat, services, service stop env, led fast, ...)."
      : `│ The console is on ${opts.consoleTty} (115200 baud); this terminal shows the log only.`,
    "│ Simulated hardware, from the console:",
    ...STIMULUS_HELP.map((l) => `│   ${l}`),
    `│ Service settings (service enable/disable, args) persist in ${path.relative(process.cwd(), PREFS_FILE) || PREFS_FILE}.`,
    `│ ${opts.forSeconds !== null ? `Stops after ${opts.forSeconds} s; ` : ""}Ctrl-C${opts.consoleTty === null ? " (on an empty line) or Ctrl-D" : ""} quits` +
      `${opts.consoleTty === null ? ` (piped input: once answered${opts.forSeconds !== null ? ", or with --for when the time is up" : ""})` : ""}.`,
    "└──────────────────────────────────────────────────────────────────────────────────────────",
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
    out(`demo: end of input; the dashboard serves on until SIGTERM${opts.forSeconds !== null ? " or --for" : ""} (pid ${process.pid})`);
    return;
  }
  if (!t.interactive && opts.forSeconds !== null) return;
  shutdown(0, t.interactive ? "demo: Ctrl-D, bye" : "demo: end of input, bye");
}

// --console-tty: the bridge to the pty or serial device; when it goes away (socat restarted, adapter
// unplugged), say so and reopen it once it is back.
let simConsole: SimSerialPort | null = null;
function openTty(first: boolean): void {
  const p = opts.consoleTty!;
  const sp = new SerialPort({ path: p, baudRate: 115200 }, (err) => {
    if (!err) {
      if (!first) out(`demo: console ${p} is back`);
      return;
    }
    if (first) shutdown(1, `npm start: cannot open ${p}: ${err.message}`);
    else setTimeout(() => openTty(false), 500);
  });
  tty = sp;
  if (detach !== null) detach();
  detach = attachStdio(simConsole!, sp, sp);
  sp.on("close", () => {
    if (exiting || tty !== sp) return;
    out(`demo: console ${p} closed; reopening it when it comes back`);
    setTimeout(() => openTty(false), 500);
  });
  sp.on("error", () => undefined);
}

// Moddable's trace(), for any firmware code that calls it directly.
(globalThis as unknown as { trace: (...a: unknown[]) => void }).trace = (...a: unknown[]): void => void process.stdout.write(a.map(String).join(""));

// Ctrl-C: the terminal clears a half-typed line itself (host/terminal.ts); a SIGINT that reaches us quits
// with 128 + 2, as a shell reports an interrupted program.
process.on("SIGINT", () => shutdown(130, "\ndemo: Ctrl-C, bye"));
process.on("SIGTERM", () => shutdown(0, "demo: SIGTERM, bye"));
process.on("SIGHUP", () => shutdown(0, "demo: SIGHUP (terminal gone), bye"));
watchLauncher();

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
        shutdown(0, `demo: the process that started it (pid ${pid}) is gone, bye`);
        return;
      }
    }
  }, 1000);
  timer.unref();
}

for (const l of banner()) out(l);

useNode();
run(function* main(): Gen<void> {
  const sim = createSimBoard();
  (globalThis as unknown as { device: unknown }).device = sim;
  sim.onSerialOpen((n, port) => {
    if (n === SIM_CONSOLE_PORT) attachConsole(port);
  });
  const config = simAppConfig(sim, {
    boardName: "the simulated board",
    crlf: opts.consoleTty !== null,
    logOnConsole: opts.consoleTty === null,
    prefs: new FilePrefs(PREFS_FILE),
    print: out,
    onReady: (demo) => {
      if (demo.console !== null) addStimulusCommands(demo.console, sim);
      if (web.port !== null) openDashboard(web.port, sim, demo, SIM_CONSOLE_PORT, out, (why) => shutdown(1, why));
    },
  });
  const task = spawn("app", app, config);
  if (opts.forSeconds === null) {
    yield* task.join();
    return;
  }
  yield* sleepMs(opts.forSeconds * 1000);
  out(`demo: ${opts.forSeconds} s are up (--for), bye`);
}).then(
  () => shutdown(0),
  (e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    shutdown(1);
  },
);
