#!/usr/bin/env -S npx tsx
// `npm run console -- --port <dev> [--baud 115200] [--history <file>]`: the firmware's console, from the host,
// on a real board's serial port (MoaT's transparent link: you drive the device while it keeps running).
// Lines you type are sent on Enter, with line editing and a history kept across sessions; whatever the
// device prints appears above the prompt as it arrives. Ctrl-D or Ctrl-C leaves. Local commands start
// with "." (.help, .exit). Lines go out one at a time, each once the previous one was answered (see
// host/line-pacer.ts), so a paste or a piped file is answered in full and in order: with piped input
// (`printf 'led on\nstatus\n' | npm run console -- --port ...`) the tool prints the answers, exits 0 once
// every line was answered, and exits 1 if the port closes first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { SerialPort } from "serialport";
import { LinePacer } from "../../host/line-pacer";

interface Args {
  port: string;
  baud: number;
  history: string;
}

function usage(msg: string): never {
  process.stderr.write(`console: ${msg}\nusage: npm run console -- --port <device> [--baud 115200] [--history <file>]\n`);
  process.exit(2);
}

export function parseArgs(argv: string[]): Args {
  let port = "";
  let baud = 115200;
  let history = path.join(os.homedir(), ".xs-async-console-history");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--port" || a === "-p") port = next();
    else if (a === "--baud" || a === "-b") {
      baud = Number(next());
      if (!Number.isInteger(baud) || baud <= 0) usage(`bad baud rate ${argv[i]}`);
    } else if (a === "--history") history = next();
    else usage(`unknown argument ${a}`);
  }
  if (port === "") usage("--port is required");
  return { port, baud, history };
}

const HISTORY_MAX = 500;

function loadHistory(file: string): string[] {
  try {
    return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0).reverse().slice(0, HISTORY_MAX);
  } catch {
    return [];
  }
}

function saveHistory(file: string, lines: string[]): void {
  try {
    fs.writeFileSync(file, lines.slice(0, HISTORY_MAX).reverse().join("\n") + "\n");
  } catch {
    // a history that cannot be saved is not worth failing over
  }
}

async function openPort(args: Args): Promise<SerialPort> {
  if (!fs.existsSync(args.port)) {
    let listed = "";
    try {
      const ports = await SerialPort.list();
      listed = ports.length > 0 ? ` Ports present: ${ports.map((p) => p.path).join(", ")}.` : " No serial ports found.";
    } catch {
      // listing needs udevadm; without it we just don't list
    }
    throw new Error(`${args.port} does not exist.${listed}`);
  }
  const sp = new SerialPort({ path: args.port, baudRate: args.baud, autoOpen: false });
  await new Promise<void>((resolve, reject) => sp.open((e) => (e ? reject(new Error(`cannot open ${args.port}: ${e.message}`)) : resolve())));
  return sp;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sp = await openPort(args);
  const interactive = process.stdin.isTTY === true;
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
    history: interactive ? loadHistory(args.history) : [],
    historySize: HISTORY_MAX,
    prompt: interactive ? "> " : "",
  });
  const out = (text: string): void => {
    if (interactive) {
      // print above the line being edited, then redraw it
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
      process.stdout.write(text);
      rl.prompt(true);
    } else process.stdout.write(text);
  };
  const pacer = new LinePacer({ write: (text) => void sp.write(text) });
  let pending = "";
  sp.on("data", (chunk: Buffer) => {
    pacer.received(chunk);
    pending += chunk.toString("utf8");
    const nl = pending.lastIndexOf("\n");
    if (nl < 0) return;
    out(pending.slice(0, nl + 1).replace(/\r\n/g, "\n"));
    pending = pending.slice(nl + 1);
  });
  let closing = false;
  const close = (code: number): void => {
    if (closing) return;
    closing = true;
    if (interactive) saveHistory(args.history, (rl as unknown as { history: string[] }).history);
    pacer.close();
    rl.close();
    sp.close(() => process.exit(code));
  };
  sp.on("close", () => {
    if (!closing) {
      const left = pacer.pending + (pacer.idle ? 0 : 1);
      process.stderr.write(`\nconsole: ${args.port} closed (board reset or unplugged?)${left > 0 ? `; ${left} lines not answered` : ""}\n`);
      closing = true;
      pacer.close();
      rl.close();
      process.exit(1);
    }
  });
  sp.on("error", (e: Error) => process.stderr.write(`console: ${e.message}\n`));
  rl.on("line", (line) => {
    if (line === ".exit") return close(0);
    if (line === ".help") {
      out("local commands: .help, .exit (Ctrl-D also leaves); anything else goes to the device\n");
      return;
    }
    pacer.send(line);
    if (interactive) rl.prompt();
  });
  // end of input (Ctrl-D, or the end of a pipe): leave once every line sent was answered
  rl.on("close", () => {
    if (closing) return;
    void pacer.drained().then(() => {
      if (pacer.unanswered > 0) process.stderr.write(`console: ${pacer.unanswered} lines got no answer within 3 s\n`);
      close(0);
    });
  });
  if (interactive) {
    process.stdout.write(`connected to ${args.port} at ${args.baud} baud; .help for local commands, Ctrl-D to leave\n`);
    rl.prompt();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`console: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
