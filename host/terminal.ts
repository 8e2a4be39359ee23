// Node only: the `npm start` console on this terminal. A line editor (node:readline: arrows, Home/End,
// history with Up/Down, Ctrl-R is not there) with a prompt; whatever is printed meanwhile (the firmware's
// log, the console's answers) goes above the line being typed, which is redrawn, so output never lands
// inside it. Lines typed or piped go to the firmware's console UART through a LinePacer, one at a time,
// so a paste or a piped file is answered in full and in order.
import readline from "node:readline";
import type { SimSerialPort } from "../sim/serial";
import { LinePacer } from "./line-pacer";

/** Options of {@link Terminal}. */
export interface TerminalOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Line editing and a prompt (default: whether input is a TTY). */
  interactive?: boolean;
  prompt?: string;
  historySize?: number;
}

/**
 * The terminal: `print` writes whole lines above the prompt; `onLine` gets each line typed; `onEnd` runs
 * once input ends (Ctrl-D on an empty line, or the end of a pipe).
 */
export class Terminal {
  readonly interactive: boolean;
  private readonly rl: readline.Interface;
  private readonly output: NodeJS.WritableStream;
  private closed = false;

  constructor(opts: TerminalOptions = {}) {
    const input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.interactive = opts.interactive ?? (input as { isTTY?: boolean }).isTTY === true;
    this.rl = readline.createInterface({
      input,
      output: this.output,
      terminal: this.interactive,
      historySize: opts.historySize ?? 200,
      prompt: this.interactive ? (opts.prompt ?? "> ") : "",
    });
    // readline takes Ctrl-C from a raw terminal: on a half-typed line it clears the line (as shells and the
    // Node REPL do); on an empty line it is passed on as the process's SIGINT
    this.rl.on("SIGINT", () => {
      if (this.rl.line !== "") {
        this.output.write("^C\n");
        (this.rl as unknown as { line: string; cursor: number }).line = "";
        (this.rl as unknown as { line: string; cursor: number }).cursor = 0;
        this.rl.prompt();
        return;
      }
      process.emit("SIGINT");
    });
    if (this.interactive) this.rl.prompt();
  }

  /** Print lines (a trailing "\n" is added to each) above the line being typed. */
  print(text: string): void {
    if (this.closed || !this.interactive) {
      this.output.write(text.endsWith("\n") ? text : text + "\n");
      return;
    }
    readline.clearLine(this.output, 0);
    readline.cursorTo(this.output, 0);
    this.output.write(text.endsWith("\n") ? text : text + "\n");
    this.rl.prompt(true);
  }

  onLine(cb: (line: string) => void): void {
    this.rl.on("line", (line) => {
      cb(line);
      if (this.interactive && !this.closed) this.rl.prompt();
    });
  }

  onEnd(cb: () => void): void {
    this.rl.on("close", () => {
      this.closed = true;
      cb();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rl.close();
  }
}

/**
 * Joins the far end of a console UART to a Terminal: typed lines go through a LinePacer, what the
 * firmware writes is printed line by line (a partial line waits up to 100 ms for its end, so a prompt
 * still shows). Returns the pacer and a detach function.
 */
export function attachTerminal(port: SimSerialPort, term: Terminal): { pacer: LinePacer; detach: () => void } {
  let attached = true;
  const decoder = new TextDecoder();
  let partial = "";
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const pacer = new LinePacer({
    write: (text) => {
      if (attached && !port.isClosed) port.peer.send(text);
    },
  });
  const flush = (): void => {
    flushTimer = undefined;
    if (partial !== "") term.print(partial);
    partial = "";
  };
  port.peer.onData((bytes) => {
    if (!attached) return;
    pacer.received(bytes);
    partial += decoder.decode(bytes, { stream: true });
    const nl = partial.lastIndexOf("\n");
    if (nl >= 0) {
      term.print(partial.slice(0, nl).replace(/\r/g, ""));
      partial = partial.slice(nl + 1);
    }
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    if (partial !== "") flushTimer = setTimeout(flush, 100);
  });
  term.onLine((line) => pacer.send(line));
  return {
    pacer,
    detach: () => {
      attached = false;
      pacer.close();
      if (flushTimer !== undefined) clearTimeout(flushTimer);
    },
  };
}
