// The NEC IR remote: a few keys drive the LED; repeats (key held) are ignored; decoding errors are logged.
import { NEC, type NecCode } from "xs-async/drivers/nec";
import { NecReceiver } from "xs-async/drivers/nec";
import type { RingLog } from "xs-async/control";
import type { StatsBoard } from "xs-async/control";
import type { DigitalConstructor } from "xs-async/io";
import type { Gen } from "xs-async";
import type { Led, LedMode } from "./led";

/** Remote keys (command codes of a common 21-key NEC remote: CH-, CH, CH+, PREV) and the LED mode each sets. */
export const IR_KEYS: { readonly [code: number]: LedMode } = { 0x45: "on", 0x46: "off", 0x47: "slow", 0x44: "fast" };

const ERRORS: { [code: number]: string } = {};
for (const k of Object.keys(NEC) as (keyof typeof NEC)[]) ERRORS[NEC[k]] = k;

/** Where the receiver is and what it acts on. */
export interface IrSetup {
  Digital: DigitalConstructor;
  pin: number;
  /** µs clock for edge timestamps (a device: Time.microseconds; default: the scheduler clock). */
  nowUs?: () => number;
  led: Led;
  log: RingLog;
  /** Counters, for the status summary. */
  stats: IrStats;
  /** Where the receiver's counters are listed while it is open (`nec`). */
  board?: StatsBoard;
}

/** Counters of what the receiver got. */
export class IrStats {
  keys = 0;
  repeats = 0;
  errors = 0;
  stats(): { keys: number; repeats: number; errors: number } {
    return { keys: this.keys, repeats: this.repeats, errors: this.errors };
  }
}

/** `0x45` */
export function hex2(n: number): string {
  return `0x${n < 16 ? "0" : ""}${n.toString(16)}`;
}

/** What one result does: a mapped key sets the LED, others are logged. */
export function handleIr(r: NecCode, s: IrSetup): void {
  if (r.code === NEC.REPEAT) {
    s.stats.repeats++;
    return; // a held key: ignored
  }
  if (r.code < 0) {
    s.stats.errors++;
    s.log.warn(`bad frame: ${ERRORS[r.code] ?? r.code}`, "ir");
    return;
  }
  s.stats.keys++;
  const mode = IR_KEYS[r.code];
  if (mode === undefined) {
    s.log.info(`key ${hex2(r.code)} (address ${hex2(r.address)}): not mapped`, "ir");
    return;
  }
  s.log.info(`key ${hex2(r.code)} (address ${hex2(r.address)})`, "ir");
  s.led.set(mode, `IR key ${hex2(r.code)}`);
}

/** The IR task: owns the receiver (and its pin) and handles each result; releases it however it ends. */
export function* irTask(s: IrSetup): Gen<void> {
  const rx = new NecReceiver({ Digital: s.Digital, pin: s.pin, ...(s.nowUs !== undefined ? { nowUs: s.nowUs } : {}) });
  s.board?.attach("nec", rx);
  try {
    for (;;) handleIr(yield* rx.next(), s);
  } finally {
    s.board?.detach("nec", rx);
    rx.close();
  }
}
