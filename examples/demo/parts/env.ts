// Environment: an HTU21D and a 24C32 EEPROM on one I2C bus shared through a ManagedResource. The sensor is
// sampled on a drift-free schedule; every reading is logged and stored in the EEPROM (a small record at
// address 0), so both devices really use the bus; at start the last stored record is read back.
import { HTU21D, Resolution } from "xs-async/drivers/htu21d";
import { ManagedResource, type ResourceHandle } from "xs-async/drivers/resource";
import type { RingLog } from "xs-async/control";
import type { StatsBoard } from "xs-async/control";
import { every, type Periodic } from "xs-async/control";
import type { I2C, I2CConstructor } from "xs-async/io";
import { InvalidStateError, isCancelled, now, sleepMs, type Gen } from "xs-async";

/** The bus pins and speed (Moddable's I2C options without the address). */
export interface I2CPins {
  data: number;
  clock: number;
  hz: number;
  port?: number;
}

/** The 24C32's address and the stored record (8 bytes at 0x0000). */
export const EEPROM_ADDRESS = 0x50;
const RECORD_MAGIC = 0xe5;
const RECORD_BYTES = 8;
/** ACK polling of the EEPROM: every 2 ms. */
const ACK_POLL_MS = 2;

/** A reading as the demo keeps it. */
export interface Reading {
  celsius: number;
  rh: number;
  /** Scheduler time (ms) of the sample. */
  at: number;
}

/** `21.50 °C, 45.0 %RH` */
export function formatReading(r: { celsius: number; rh: number }): string {
  return `${r.celsius.toFixed(2)} °C, ${r.rh.toFixed(1)} %RH`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Record: magic, sequence (u16), centi-°C (i16), deci-%RH (u16), checksum (sum of the others, low byte). */
export function encodeRecord(seq: number, r: { celsius: number; rh: number }): Uint8Array {
  const t = Math.round(r.celsius * 100) & 0xffff;
  const h = Math.round(r.rh * 10) & 0xffff;
  const b = Uint8Array.of(RECORD_MAGIC, (seq >> 8) & 0xff, seq & 0xff, t >> 8, t & 0xff, h >> 8, h & 0xff, 0);
  let sum = 0;
  for (let i = 0; i < RECORD_BYTES - 1; i++) sum += b[i]!;
  b[RECORD_BYTES - 1] = sum & 0xff;
  return b;
}

/** The record's content, or null if the bytes are not a valid record (a blank chip reads 0xFF). */
export function decodeRecord(b: Uint8Array): { seq: number; celsius: number; rh: number } | null {
  if (b.length < RECORD_BYTES || b[0] !== RECORD_MAGIC) return null;
  let sum = 0;
  for (let i = 0; i < RECORD_BYTES - 1; i++) sum += b[i]!;
  if ((sum & 0xff) !== b[RECORD_BYTES - 1]) return null;
  const t = (b[3]! << 8) | b[4]!;
  return { seq: (b[1]! << 8) | b[2]!, celsius: (t >= 0x8000 ? t - 0x10000 : t) / 100, rh: ((b[5]! << 8) | b[6]!) / 10 };
}

/**
 * The environment part: opened by its task (`envTask`), closed when that task ends. `sample()` may also be
 * called from elsewhere (a console command) while it is open: the driver serialises its operations.
 */
export class Env {
  latest: Reading | null = null;
  samples = 0;
  failures = 0;
  /** Records written to the EEPROM (the sequence number of the last one). */
  stored = 0;
  /** EEPROM probes (at open, and after a failure), and record writes that failed. */
  probes = 0;
  storeFailures = 0;
  private resource: ManagedResource<null> | null = null;
  private htu: HTU21D | null = null;
  private eeprom: ResourceHandle<I2C> | null = null;
  private eepromBus: I2C | null = null;
  /** How long a probe polls the EEPROM for its ACK (ms; default 20, twice its longest write cycle). */
  ackPollMs = 20;
  private eepromOk = false;
  private missingLogged = false;
  /** The running sampling schedule (null while the env task is not running). */
  private periodic: Periodic | null = null;
  private period = 5000;

  constructor(
    readonly io: I2CConstructor,
    readonly pins: I2CPins,
    readonly log: RingLog,
    /** Where the sensor's and the bus's counters are listed while open (`htu21d`, `i2c0`). */
    readonly board: StatsBoard | null = null,
  ) {}

  /** The part's own counters (they survive restarts). */
  stats(): { samples: number; failures: number; stored: number; probes: number; storeFailures: number } {
    return { samples: this.samples, failures: this.failures, stored: this.stored, probes: this.probes, storeFailures: this.storeFailures };
  }

  get isOpen(): boolean {
    return this.htu !== null;
  }

  /** The shared I2C bus while open (the LCD part takes a handle on it), else null. */
  get bus(): ManagedResource<null> | null {
    return this.resource;
  }

  /** The sampling period (ms) in use. */
  get periodMs(): number {
    return this.period;
  }

  /**
   * Change the sampling period live (the encoder does): the next sample comes the new period after the last
   * one (at once if that is past). Until the env task restarts: its stored args give the period it starts with.
   */
  setPeriod(ms: number): void {
    if (typeof ms !== "number" || !(ms >= 10 && ms <= 86400000)) throw new RangeError(`env: the period is a number of ms from 10 to 86400000, got ${String(ms)}`);
    this.period = ms;
    this.periodic?.setPeriod(ms);
  }

  /** Bus sharing counters (per device), for the console. */
  busLines(): string[] {
    if (this.resource === null) return ["i2c: not open (env service not running)"];
    const s = this.resource.stats();
    return [
      `i2c0: ${s.acquisitions} uses, ${s.waits} waited (max ${s.maxWaitMs.toFixed(1)} ms), held ${s.totalHoldMs.toFixed(1)} ms in all${s.locked ? `, held now by ${s.holder}` : ""}`,
      ...s.handles.map((h) => `  ${h.name}: ${h.acquisitions} uses, ${h.waits} waited, max hold ${h.maxHoldMs.toFixed(1)} ms`),
    ];
  }

  /** Open the bus share, the sensor and the EEPROM; read back the last stored record. */
  *open(): Gen<void> {
    if (this.htu !== null) throw new InvalidStateError("env is already open");
    const resource = new ManagedResource(null, { name: "i2c0" });
    this.resource = resource;
    this.htu = new HTU21D({ resource, io: this.io, i2c: this.pins, resolution: Resolution.RH12_T14 });
    this.eepromBus = new this.io({ ...this.pins, address: EEPROM_ADDRESS });
    this.eeprom = resource.handle({ name: "eeprom", bus: this.eepromBus });
    this.board?.attach("htu21d", this.htu);
    this.board?.attach("i2c0", resource);
    yield* this.probe(true);
  }

  /**
   * Find the EEPROM and read back its record. It does not answer its address during a write cycle (up to
   * 10 ms after a write: a restart right after one lands there), so poll for the ACK every 2 ms for
   * `ackPollMs` before giving up; then the next samples probe again until it answers.
   */
  /** @internal (a soak test replaces it to undo the fix) */
  *probe(first: boolean): Gen<void> {
    const eeprom = this.eeprom!;
    this.probes++;
    let bytes: Uint8Array | null = null;
    let err: unknown = null;
    for (let waited = 0; ; waited += ACK_POLL_MS) {
      try {
        bytes = yield* eeprom.use((bus) => {
          bus.write(Uint8Array.of(0, 0));
          return new Uint8Array(bus.read(RECORD_BYTES));
        });
        break;
      } catch (e) {
        if (isCancelled(e)) throw e; // never swallow a cancel: the service is being stopped
        err = e;
      }
      if (waited >= this.ackPollMs) break;
      yield* sleepMs(ACK_POLL_MS);
    }
    if (bytes === null) {
      if (first || !this.missingLogged) this.log.warn(`no EEPROM at 0x50 (${errorText(err)}): readings are not stored until it answers`, "env");
      this.eepromOk = false;
      this.missingLogged = true;
      return;
    }
    this.eepromOk = true;
    this.missingLogged = false;
    const rec = decodeRecord(bytes);
    if (rec === null) this.log.info("EEPROM at 0x50: no stored reading yet", "env");
    else {
      this.stored = rec.seq;
      this.log.info(`EEPROM at 0x50: last stored reading #${rec.seq}: ${formatReading(rec)}`, "env");
    }
  }

  /** Sample the sensor once; log the reading and store it. Failures are logged, never thrown. */
  *sample(): Gen<Reading | null> {
    const htu = this.htu;
    if (htu === null) throw new InvalidStateError("env service is not running");
    let r: Reading;
    try {
      const s = yield* htu.sample();
      r = { celsius: s.thermometer.temperature, rh: s.hygrometer.humidity, at: now() };
    } catch (e) {
      if (isCancelled(e)) throw e;
      this.failures++;
      this.log.warn(`sample failed: ${errorText(e)}`, "env");
      return null;
    }
    this.latest = r;
    if (!this.eepromOk && this.eeprom !== null) yield* this.probe(false);
    if (!this.eepromOk || this.eeprom === null) {
      this.logged("info", formatReading(r));
      return r;
    }
    const seq = (this.stored + 1) & 0xffff;
    const rec = encodeRecord(seq, r);
    try {
      yield* this.eeprom.use((bus) => bus.write(Uint8Array.of(0, 0, ...rec)));
    } catch (e) {
      if (isCancelled(e)) throw e;
      this.storeFailures++;
      this.eepromOk = false; // probe (with ACK polling) before the next record
      this.logged("warn", `${formatReading(r)} (not stored: ${errorText(e)})`);
      return r;
    }
    this.stored = seq;
    this.logged("info", `${formatReading(r)} (EEPROM record #${seq})`);
    yield* sleepMs(10); // the EEPROM's write cycle: the bus stays free for others meanwhile
    return r;
  }

  /**
   * A reading is counted where its line is logged, in one synchronous step: a cancel between the sample
   * and its storage (the service stopped during the EEPROM probe or write) can drop the reading from the
   * log, never split the count from the log.
   */
  private logged(level: "info" | "warn", line: string): void {
    this.samples++;
    this.log[level](line, "env");
  }

  /** @internal the env task's loop: sample every `periodMs` (drift-free; {@link setPeriod} changes it live). */
  *sampleEvery(periodMs: number): Gen<void> {
    this.period = periodMs;
    const p = every(periodMs, sampleOnce, this);
    this.periodic = p;
    try {
      yield* p.body();
    } finally {
      this.periodic = null;
    }
  }

  close(): void {
    if (this.htu !== null) this.board?.detach("htu21d", this.htu);
    if (this.resource !== null) this.board?.detach("i2c0", this.resource);
    this.htu?.close();
    this.eeprom?.close();
    this.eepromBus?.close();
    this.resource?.close();
    this.htu = this.eeprom = this.eepromBus = this.resource = null;
    this.eepromOk = this.missingLogged = false;
  }
}

function* sampleOnce(env: Env): Gen<void> {
  yield* env.sample();
}

/** The env service's task: open, then sample every `periodMs` (drift-free), close however it ends. */
export function* envTask(env: Env, periodMs: number): Gen<void> {
  try {
    yield* env.open();
    yield* env.sampleEvery(periodMs);
  } finally {
    env.close();
  }
}
