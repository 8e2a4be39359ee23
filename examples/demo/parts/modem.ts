// The modem: a half-duplex AT command/response exchange on its own UART. Every period the demo asks for
// the signal quality (AT+CSQ) and logs the reply lines; a silent modem is logged as "no answer".
import { HalfDuplex, Uart, type UartSerialOptions } from "xs-async/drivers/uart";
import type { RingLog } from "xs-async/control";
import type { StatsBoard } from "xs-async/control";
import type { SerialConstructor } from "xs-async/io";
import { every } from "xs-async/control";
import { InvalidStateError, now, type Gen } from "xs-async";

/** `+CSQ: 23,0` → -67 dBm (27.007: 0 is -113 dBm or less, 31 is -51 or more, 99 unknown); null otherwise. */
export function csqDbm(line: string): number | null {
  const m = /^\+CSQ:\s*(\d+)\s*,/.exec(line);
  if (m === null) return null;
  const v = Number(m[1]);
  return v <= 31 ? -113 + 2 * v : null;
}

/** The modem part: opened by its task, closed when that task ends; `command()` also serves the console. */
export class Modem {
  /** The last reply (lines) and when it came, for the status summary. */
  lastReply: string[] | null = null;
  lastAt = 0;
  commands = 0;
  silent = 0;
  /** Reply lines left out: too long (line noise) or garbled (not printable ASCII). */
  garbled = 0;
  private uart: Uart | null = null;
  private hd: HalfDuplex | null = null;

  constructor(
    readonly Serial: SerialConstructor,
    readonly serial: UartSerialOptions,
    readonly log: RingLog,
    /** Where the UART's and the AT exchange's counters are listed while open (`modem.rx`, `modem.tx`, `modem.at`). */
    readonly board: StatsBoard | null = null,
  ) {}

  /** The part's own counters (they survive restarts). */
  stats(): { commands: number; silent: number; garbled: number } {
    return { commands: this.commands, silent: this.silent, garbled: this.garbled };
  }

  get isOpen(): boolean {
    return this.uart !== null;
  }

  open(): void {
    if (this.uart !== null) throw new InvalidStateError("modem is already open");
    this.uart = new Uart(this.Serial, this.serial, { bufferSize: 256 });
    this.hd = new HalfDuplex(this.uart, { quietMs: 100, timeoutMs: 1000, longLines: "drop" });
    this.board?.attach("modem.rx", this.uart.reader);
    this.board?.attach("modem.tx", this.uart.writer);
    this.board?.attach("modem.at", this.hd);
  }

  /** Send `line` and log the reply lines (or "no answer"); returns them. */
  *command(line: string): Gen<string[]> {
    const hd = this.hd;
    if (hd === null) throw new InvalidStateError("modem service is not running");
    this.commands++;
    const longBefore = hd.droppedLines;
    const raw = yield* hd.command(line);
    // noise on the line: over-long lines were dropped by the driver, garbled ones are dropped here
    const reply = raw.filter(printable);
    const bad = raw.length - reply.length + hd.droppedLines - longBefore;
    if (bad > 0) {
      this.garbled += bad;
      this.log.warn(`${line}: ${bad} garbled line${bad === 1 ? "" : "s"} dropped`, "modem");
    }
    this.lastReply = reply;
    this.lastAt = now();
    if (reply.length === 0) {
      this.silent++;
      this.log.warn(`no answer to ${line}`, "modem");
      return reply;
    }
    let extra = "";
    for (const l of reply) {
      const dbm = csqDbm(l);
      if (dbm !== null) extra = ` (signal ${dbm} dBm)`;
    }
    this.log.info(`${line} -> ${reply.join(" | ")}${extra}`, "modem");
    return reply;
  }

  close(): void {
    if (this.uart !== null && this.hd !== null) {
      this.board?.detach("modem.rx", this.uart.reader);
      this.board?.detach("modem.tx", this.uart.writer);
      this.board?.detach("modem.at", this.hd);
    }
    this.uart?.close();
    this.uart = null;
    this.hd = null;
  }
}

/** A modem's reply line: printable ASCII only. */
function printable(line: string): boolean {
  return /^[\x20-\x7e]*$/.test(line);
}

function* ask(m: Modem, command: string): Gen<void> {
  yield* m.command(command);
}

/**
 * The modem service's task: open the UART, say "AT" once, then send `command` now and every `periodMs`
 * (a drift-free schedule; one exchange at a time). Closes the port however it ends.
 */
export function* modemTask(m: Modem, periodMs: number, command: string): Gen<void> {
  try {
    m.open();
    yield* m.command("AT");
    yield* every(periodMs, ask, m, command).body();
  } finally {
    m.close();
  }
}
