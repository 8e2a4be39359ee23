import { composite, currentTask, type Op, type Gen, moveOnAfter } from "../../firmware/sched/kernel";
import { Lock } from "../../firmware/sync/lock";
import { LineTooLongError, type UartReader } from "./reader";
import type { UartWriter } from "./writer";

/** Defaults of a {@link HalfDuplex}. */
export interface HalfDuplexOptions {
  /** The reply is over when no line arrives for this long after the last one (default 100 ms). */
  quietMs?: number;
  /** How long to wait for the first reply line (default 1000 ms); a silent device gives []. */
  timeoutMs?: number;
  /** Appended to each command (default "\r\n"). */
  eol?: string;
  /**
   * A reply line longer than the reader's maxLine (line noise, a runaway device): "throw" ends the command
   * with LineTooLongError (the default); "drop" leaves it out of the reply, counts it in `droppedLines`,
   * and goes on collecting.
   */
  longLines?: "throw" | "drop";
}

/** Per-command overrides. */
export interface CommandOptions {
  quietMs?: number;
  timeoutMs?: number;
}

function checkMs(ms: number, what: string): number {
  if (typeof ms !== "number" || !(ms >= 0)) throw new RangeError(`${what} must be a number of milliseconds >= 0, got ${String(ms)}`);
  return ms;
}

function strip(line: string): string {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  return line.slice(0, end);
}

function* readLineGen(h: HalfDuplex): Gen<string | null> {
  if (!h.dropLong) return yield* h.reader.readLine();
  try {
    return yield* h.reader.readLine();
  } catch (e) {
    if (!(e instanceof LineTooLongError)) throw e;
    h.droppedLines++;
    return null; // dropped: like a line, it restarts the quiet period
  }
}

function* commandGen(h: HalfDuplex, text: string, quietMs: number, timeoutMs: number): Gen<string[]> {
  yield* h.lock.acquire();
  try {
    h.reader.discard();
    yield* h.writer.write(text);
    const lines: string[] = [];
    for (let wait = timeoutMs; ; wait = quietMs) {
      const r = yield* moveOnAfter(wait, readLineGen, h);
      if (r.timedOut) return lines;
      if (r.value === null) continue;
      const s = strip(r.value!);
      if (s !== "") lines.push(s);
    }
  } finally {
    h.lock.release();
  }
}

/**
 * Command/response over a half-duplex device that only speaks when spoken to (an AT modem;
 * micropython-async's auart_hd): `command(line)` sends the line, then collects reply lines, restarting
 * a quiet-period timer on each one; when `quietMs` pass without a line the reply is complete and the
 * lines are returned. A device that never answers gives [] after `timeoutMs`.
 *
 * Timeline: the command is handed to the port at t0; the first line must arrive by t0 + timeoutMs; each
 * line at t restarts the wait, so the result is returned at (last line) + quietMs. Lines are returned
 * without their "\r\n"; empty lines restart the timer but are not returned. Bytes buffered before the
 * command (late replies to an earlier one) are discarded first. A device that never stops talking
 * keeps the command going: bound it with failAfter.
 *
 * Concurrent commands are serialised (a FIFO Lock): each gets the reader to itself.
 * Cancel-safe: a cancelled command releases the lock; the bytes of its command already handed to the
 * port still go out, reply bytes stay buffered until the next command discards them.
 * Errors: ClosedError when the port is closed; LineTooLongError for a reply line over the reader's
 * maxLine (unless longLines is "drop"); RangeError for a negative time.
 * Memory: the returned array and strings; one generator (or promise) and a timeout scope per line.
 * @example
 *   const modem = new HalfDuplex(uart, { quietMs: 100, timeoutMs: 2000 });
 *   const lines = yield* modem.command("AT+CSQ");      // ["+CSQ: 20,0", "OK"] or [] if silent
 */
export class HalfDuplex {
  /** @internal serialises commands */ readonly lock = new Lock();
  /** @internal */ readonly reader: UartReader;
  /** @internal */ readonly writer: UartWriter;
  readonly quietMs: number;
  readonly timeoutMs: number;
  readonly eol: string;
  /** @internal longLines is "drop" */ readonly dropLong: boolean;
  /** Reply lines dropped for being too long (option longLines "drop"). */
  droppedLines = 0;
  /** Commands sent. */
  commands = 0;

  constructor(port: { readonly reader: UartReader; readonly writer: UartWriter }, options: HalfDuplexOptions = {}) {
    this.reader = port.reader;
    this.writer = port.writer;
    this.quietMs = checkMs(options.quietMs ?? 100, "quietMs");
    this.timeoutMs = checkMs(options.timeoutMs ?? 1000, "timeoutMs");
    this.eol = options.eol ?? "\r\n";
    const ll = options.longLines ?? "throw";
    if (ll !== "throw" && ll !== "drop") throw new RangeError(`longLines is "throw" or "drop", got ${String(ll)}`);
    this.dropLong = ll === "drop";
  }

  /** Send `line` (plus eol) and return the reply lines (see the class comment for the timing). */
  command(line: string, options: CommandOptions = {}): Op<string[]> {
    const quiet = checkMs(options.quietMs ?? this.quietMs, "quietMs");
    const timeout = checkMs(options.timeoutMs ?? this.timeoutMs, "timeoutMs");
    const text = line + this.eol;
    this.commands++;
    return composite(currentTask(), () => commandGen(this, text, quiet, timeout));
  }

  /** Number of commands waiting for their turn. */
  get waiting(): number {
    return this.lock.waiting;
  }

  /** Counters: commands sent, reply lines dropped as too long, commands waiting. */
  stats(): { commands: number; droppedLines: number; waiting: number } {
    return { commands: this.commands, droppedLines: this.droppedLines, waiting: this.lock.waiting };
  }
}
