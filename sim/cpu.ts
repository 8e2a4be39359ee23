import type { SimClock } from "./time";

/**
 * Simulated CPU time: work that takes time on a device (a blocking I2C transfer, a console line written, a
 * task step) moves the virtual clock forward while it runs, so pin callbacks and timers that fall due
 * meanwhile run late, as on a busy device. Without it the simulator's virtual time stands still while code
 * runs, and every input looks punctual.
 *
 * Charging needs a host that can advance its clock (VirtualHost: `charge`); on a real-time host (Node) the
 * real CPU time passes anyway and nothing is charged. The per-step cost is the VirtualHost's `stepCost`
 * (firmware/sched/virtual); I2C and console costs are options of the simulated bus and serial port, which
 * createSimBoard takes from `cpu`.
 */
export interface SimCpuOptions {
  /** Per scheduler step (ms): give it to the VirtualHost as `stepCost`; the board does not read it. */
  stepMs?: number;
  /** Per I2C transfer (a write or a read), fixed part (ms; default 0). */
  i2cTransferMs?: number;
  /** Per I2C byte, address byte included (ms; default 0). At 100 kHz a byte is 9 bit times: 0.09 ms. */
  i2cByteMs?: number;
  /** Per line the console port writes (ms; default 0): formatting and a blocking write on a device. */
  consoleLineMs?: number;
}

/** Realistic costs of an RP2040 at 125 MHz running XS (the device measurements, rounded up). */
export const PICO_CPU: Readonly<Required<SimCpuOptions>> = Object.freeze({ stepMs: 0.05, i2cTransferMs: 0.2, i2cByteMs: 0.09, consoleLineMs: 1 });

/** Advance the clock's virtual time by `ms` of CPU work (no-op on a host that cannot, or for ms <= 0). */
export function chargeCpu(clock: SimClock, ms: number): void {
  if (!(ms > 0)) return;
  const host = clock.sched.host;
  if (host.charge !== undefined) host.charge(ms);
}

/** Check an option: a finite number >= 0 (or undefined: 0). */
export function cpuMs(value: number | undefined, name: string): number {
  const v = value ?? 0;
  if (typeof v !== "number" || !(v >= 0) || v === Infinity) throw new RangeError(`${name} must be a finite number of ms >= 0, got ${String(value)}`);
  return v;
}
