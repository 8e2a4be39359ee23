import { composite, ClosedError, InvalidStateError, TimeoutError, isCancelled, nameErrorClass, currentTask, type Op, now, spawn, sleepMs, type Gen, type Task } from "../../firmware/sched/kernel";
import { Lock } from "../../firmware/sync/lock";
import type { I2C } from "../../firmware/platform/io";
import type { ResourceHandle } from "../resource/managed";
import { openI2CDevice, type I2CDeviceOptions } from "../resource/device";

/** The chip's fixed 7-bit address (datasheet, "Communication protocol": 0x40). */
export const HTU21D_ADDRESS = 0x40;

/** Commands (HTU21D(F) datasheet, "Sensor commands" table). The driver uses the no-hold ones only. */
export const HTU21D_COMMAND = Object.freeze({
  MEASURE_T_HOLD: 0xe3,
  MEASURE_RH_HOLD: 0xe5,
  MEASURE_T: 0xf3,
  MEASURE_RH: 0xf5,
  WRITE_USER: 0xe6,
  READ_USER: 0xe7,
  SOFT_RESET: 0xfe,
});

/** User register bits (datasheet, "User register"): resolution bits 7 and 0, end of battery, heater. */
export const HTU21D_USER = Object.freeze({
  RESOLUTION_MASK: 0x81,
  END_OF_BATTERY: 0x40,
  HEATER: 0x04,
  /** Value after power-on and soft reset (OTP reload disabled). */
  DEFAULT: 0x02,
});

/** Resolution settings (user register bits 7 and 0): relative humidity bits / temperature bits. */
export const Resolution = Object.freeze({ RH12_T14: 0x00, RH8_T12: 0x01, RH10_T13: 0x80, RH11_T11: 0x81 } as const);
export type Resolution = (typeof Resolution)[keyof typeof Resolution];

/** Maximum conversion times in ms per resolution (datasheet, "Measuring time" table). */
export const HTU21D_CONVERSION_MS: Readonly<Record<Resolution, { readonly temperature: number; readonly humidity: number }>> = Object.freeze({
  0x00: Object.freeze({ temperature: 50, humidity: 16 }),
  0x01: Object.freeze({ temperature: 13, humidity: 3 }),
  0x80: Object.freeze({ temperature: 25, humidity: 5 }),
  0x81: Object.freeze({ temperature: 7, humidity: 8 }),
});

/** Wait after a soft reset before the chip answers again (datasheet, "Soft reset": 15 ms). */
export const HTU21D_RESET_MS = 15;

/** A reading whose CRC byte does not match its data: the reading is discarded, never returned. */
export class CrcError extends Error {
  constructor(message: string) {
    super(message);
  }
}
nameErrorClass(CrcError, "CrcError");

/** CRC-8 of the HTU21D: polynomial x^8+x^5+x^4+1 (0x31), initial value 0, MSB first, over MSB and LSB. */
export function htu21dCrc(msb: number, lsb: number): number {
  let crc = 0;
  for (const byte of [msb, lsb]) {
    crc ^= byte;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** °C from a raw temperature word (status bits masked): T = -46.85 + 175.72 · raw / 65536. */
export function temperatureFromRaw(raw: number): number {
  return -46.85 + (175.72 * (raw & 0xfffc)) / 65536;
}

/** %RH from a raw humidity word (status bits masked), clamped to 0–100: RH = -6 + 125 · raw / 65536. */
export function humidityFromRaw(raw: number): number {
  const rh = -6 + (125 * (raw & 0xfffc)) / 65536;
  return rh < 0 ? 0 : rh > 100 ? 100 : rh;
}

/** What {@link HTU21D.sample} returns (the ECMA-419 sensor shape). */
export interface HTU21DSample {
  thermometer: { temperature: number };
  hygrometer: { humidity: number };
}

/** A sample of the continuous mode, with the time it completed (ms on the scheduler's clock). */
export interface HTU21DReading extends HTU21DSample {
  at: number;
}

/** Counters (see {@link HTU21D.stats}). */
export interface HTU21DStats {
  /** Successful temperature or humidity readings. */
  readings: number;
  /** Successful samples (both values). */
  samples: number;
  crcErrors: number;
  /** Transactions the chip did not acknowledge (including reads retried while it converted). */
  nacks: number;
  /** Reads repeated because the chip was still converting. */
  retries: number;
  /** Measurements given up because the chip stayed busy. */
  timeouts: number;
  /** Failed samples in continuous mode. */
  errors: number;
  /** The last error of the continuous mode. */
  lastError: unknown;
}

/** Settings common to both ways of constructing the driver. */
export interface HTU21DSettings {
  /** Written to the user register before the first measurement (default: keep the chip's). */
  resolution?: Resolution;
  /** Heater on or off, written likewise (default: keep the chip's). */
  heater?: boolean;
  /** Extra reads when the chip still converts after the datasheet time (default 5). */
  readRetries?: number;
  /** Sleep between those reads in ms (default 2). */
  retryMs?: number;
}

/**
 * Either a handle whose bus is an `I2C` (or `SMBus`) instance addressed to the chip (the driver does not
 * close it), or the shared resource plus the IO class and pins: the driver then opens the instance at
 * 0x40, makes its own handle, and closes both on close().
 */
export type HTU21DOptions = HTU21DSettings & I2CDeviceOptions;

const T = 0;
const RH = 1;

/**
 * HTU21D temperature and humidity sensor on a shared bus. Every measurement uses the no-hold commands:
 * write the command, release the bus and sleep the datasheet's conversion time for the configured
 * resolution (other tasks and devices run meanwhile; nothing blocks the VM), then read MSB, LSB, CRC.
 * Operations on one driver are serialised (a sample from the continuous mode and one from a caller queue).
 *
 * Cancel/timeout: every operation is cancel-safe for the bus (the handle releases it); a measurement
 * cancelled during its conversion leaves the chip converting, and the next command waits out the rest.
 * Errors: CrcError (bad CRC: counted in `crcErrors`, never a wrong value); the bus's Error when the chip
 * does not acknowledge a command (absent, resetting: counted in `nacks`); TimeoutError when it still
 * converts after `readRetries` more reads (stuck busy); ClosedError after close().
 * Memory: one object, a Lock, two small buffers; a measurement allocates the 3-byte read buffer; in an
 * async task each operation runs as a joined child task (the driver's bodies are generators).
 * @example
 *   const i2c = new ManagedResource(null, { name: "i2c0" });
 *   const htu = new HTU21D({ resource: i2c, io: device.io.I2C, i2c: { ...device.I2C.default, hz: 100_000 } });
 *   const { thermometer, hygrometer } = yield* htu.sample();     // 66 ms at the default resolution
 *   htu.start(1000);  ...  htu.latest?.thermometer.temperature;   // continuous mode, read at once
 */
export class HTU21D {
  private readonly handle: ResourceHandle<I2C>;
  private readonly ownedIo: I2C | null;
  private readonly ownsHandle: boolean;
  private readonly lock = new Lock();
  private readonly count: HTU21DStats = { readings: 0, samples: 0, crcErrors: 0, nacks: 0, retries: 0, timeouts: 0, errors: 0, lastError: undefined };
  private readonly readRetries: number;
  private readonly retryMs: number;
  private wantResolution: Resolution | undefined;
  private wantHeater: boolean | undefined;
  /** the user register as last read or written; null: unknown (re-read before the next measurement) */
  private reg: number | null = null;
  private busyUntil = -Infinity;
  private task: Task | null = null;
  private last: HTU21DReading | null = null;
  private closed = false;
  // preallocated transfer state and bodies, so a measurement allocates no closures
  private readonly out1 = new Uint8Array(1);
  private readonly out2 = new Uint8Array(2);
  private out: Uint8Array = this.out1;
  private readLen = 3;
  private readonly send = (bus: I2C): void => {
    try {
      bus.write(this.out);
    } catch (e) {
      this.count.nacks++;
      throw e;
    }
  };
  private readonly receive = (bus: I2C): Uint8Array | null => {
    try {
      return new Uint8Array(bus.read(this.readLen));
    } catch (e) {
      if (!isReadNack(e)) throw e; // a closed bus, a bug: not "still converting"
      this.count.nacks++;
      return null;
    }
  };

  /** Validates everything before opening anything; if opening fails half-way, what was opened is closed. */
  constructor(options: HTU21DOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("HTU21D needs options: { handle } or { resource, io, i2c }");
    if (options.resolution !== undefined) checkResolution(options.resolution);
    this.wantResolution = options.resolution;
    this.wantHeater = options.heater;
    this.readRetries = whole(options.readRetries ?? 5, "readRetries");
    this.retryMs = whole(options.retryMs ?? 2, "retryMs");
    const device = openI2CDevice("HTU21D", options, HTU21D_ADDRESS, "htu21d");
    this.handle = device.handle;
    this.ownedIo = device.ownedIo;
    this.ownsHandle = device.ownsHandle;
  }

  /**
   * Measure temperature, then humidity: `{ thermometer: { temperature }, hygrometer: { humidity } }`
   * (°C, %RH clamped to 0–100). Takes the two conversion times (66 ms at RH12_T14) plus any wait for the bus.
   * @example const s = yield* htu.sample()
   */
  sample(): Op<HTU21DSample> {
    return this.run(sampleGen);
  }

  /** Measure the temperature only (°C). */
  readTemperature(): Op<number> {
    return this.run(temperatureGen);
  }

  /** Measure the humidity only (%RH, clamped to 0–100). */
  readHumidity(): Op<number> {
    return this.run(humidityGen);
  }

  /**
   * Read the user register from the chip (resolution bits 7/0, end of battery bit 6, heater bit 2),
   * after applying the driver's pending settings.
   */
  readUserRegister(): Op<number> {
    return this.run(userRegisterGen);
  }

  /**
   * Set the resolution and/or the heater: read-modify-write of the user register (reserved bits kept).
   * Throws RangeError for an unknown resolution (before touching the chip).
   */
  configure(settings: { resolution?: Resolution; heater?: boolean }): Op<void> {
    if (settings === null || typeof settings !== "object") throw new TypeError("configure({ resolution?, heater? })");
    if (settings.resolution !== undefined) checkResolution(settings.resolution);
    const { resolution, heater } = settings;
    return this.run(function* configureGen(d: HTU21D): Gen<void> {
      d.want(resolution, heater);
      yield* d.configured();
    });
  }

  /**
   * Soft reset (0xFE) and the datasheet's 15 ms wait (a scheduler sleep; the bus is free meanwhile).
   * The chip returns to its default resolution (heater bit kept); the driver re-applies its settings
   * before the next measurement.
   */
  reset(): Op<void> {
    return this.run(resetGen);
  }

  /** The resolution the chip is known to use, or null before the driver has read the user register. */
  get resolution(): Resolution | null {
    return this.reg === null ? null : ((this.reg & HTU21D_USER.RESOLUTION_MASK) as Resolution);
  }

  /** Whether the heater is on, or null while unknown. */
  get heater(): boolean | null {
    return this.reg === null ? null : (this.reg & HTU21D_USER.HEATER) !== 0;
  }

  /** Conversion times in ms for the known (else the default) resolution. */
  get conversionMs(): { readonly temperature: number; readonly humidity: number } {
    return HTU21D_CONVERSION_MS[this.resolution ?? Resolution.RH12_T14];
  }

  /**
   * Continuous mode: sample now and then every `periodMs` (drift-free; a period missed is skipped) in a
   * task of its own, keeping {@link latest}. Failures are counted (`errors`, `lastError`) and the mode
   * goes on. Throws InvalidStateError if already started, ClosedError after close().
   */
  start(periodMs: number): void {
    if (this.closed) throw new ClosedError("HTU21D closed");
    if (this.task !== null) throw new InvalidStateError("HTU21D continuous mode already started");
    if (!(periodMs > 0)) throw new RangeError(`periodMs must be > 0, got ${periodMs}`);
    this.task = spawn("htu21d", continuousGen, this, periodMs);
  }

  /** Stop the continuous mode (its sample in progress is cancelled; the bus is released). Idempotent. */
  stop(): void {
    const t = this.task;
    this.task = null;
    if (t !== null && !t.done) t.cancel();
  }

  /** True while the continuous mode runs. */
  get running(): boolean {
    return this.task !== null;
  }

  /** The last sample of the continuous mode with its time, or null: readable at once, never waits. */
  get latest(): HTU21DReading | null {
    return this.last;
  }

  /** Counters (a copy). */
  stats(): HTU21DStats {
    return { ...this.count };
  }

  /** Stop the continuous mode; close the handle and the I2C instance if the driver opened them. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    if (this.ownsHandle) this.handle.close();
    if (this.ownedIo !== null) this.ownedIo.close();
  }

  private run<R>(body: (d: HTU21D) => Gen<R>): Op<R> {
    if (this.closed) throw new ClosedError("HTU21D closed");
    const t = currentTask();
    return composite(t, () => lockedGen(this, body));
  }

  // ---- internals used by the generator bodies below --------------------------------------

  /** @internal */
  *command(cmd: number, value?: number): Gen<void> {
    if (value === undefined) {
      this.out1[0] = cmd;
      this.out = this.out1;
    } else {
      this.out2[0] = cmd;
      this.out2[1] = value;
      this.out = this.out2;
    }
    yield* this.handle.use(this.send);
  }

  /** @internal one read of `n` bytes; null when NACKed */
  *readBytes(n: number): Gen<Uint8Array | null> {
    this.readLen = n;
    return yield* this.handle.use(this.receive);
  }

  /** @internal wait out a conversion or reset that an earlier, cancelled operation left running */
  *idle(): Gen<void> {
    const left = this.busyUntil - now();
    if (left > 0) yield* sleepMs(left);
  }

  /** @internal new wanted settings: the register is rewritten before the next measurement */
  want(resolution: Resolution | undefined, heater: boolean | undefined): void {
    if (resolution !== undefined) this.wantResolution = resolution;
    if (heater !== undefined) this.wantHeater = heater;
    this.reg = null;
  }

  /** @internal make the user register match the wanted settings (read it first if unknown) */
  *configured(): Gen<void> {
    if (this.reg !== null) return;
    yield* this.idle();
    const reg = yield* this.readRegister();
    let want = reg & ~HTU21D_USER.END_OF_BATTERY;
    if (this.wantResolution !== undefined) want = (want & ~HTU21D_USER.RESOLUTION_MASK) | this.wantResolution;
    if (this.wantHeater !== undefined) want = this.wantHeater ? want | HTU21D_USER.HEATER : want & ~HTU21D_USER.HEATER;
    if (want !== (reg & ~HTU21D_USER.END_OF_BATTERY)) yield* this.command(HTU21D_COMMAND.WRITE_USER, want);
    this.reg = want;
  }

  /** @internal read the user register (and remember it) */
  *readRegister(): Gen<number> {
    yield* this.command(HTU21D_COMMAND.READ_USER);
    const b = yield* this.readBytes(1);
    if (b === null) throw new Error("HTU21D: user register read not acknowledged");
    this.reg = b[0]! & ~HTU21D_USER.END_OF_BATTERY;
    return b[0]!;
  }

  /** @internal one no-hold measurement: raw word with the status bits masked */
  *measure(what: number): Gen<number> {
    yield* this.configured();
    yield* this.idle();
    const ms = what === T ? this.conversionMs.temperature : this.conversionMs.humidity;
    yield* this.command(what === T ? HTU21D_COMMAND.MEASURE_T : HTU21D_COMMAND.MEASURE_RH);
    this.busyUntil = now() + ms;
    yield* sleepMs(ms); // the bus is free meanwhile
    let b = yield* this.readBytes(3);
    for (let i = 0; b === null; i++) {
      if (i >= this.readRetries) {
        this.count.timeouts++;
        throw new TimeoutError(`HTU21D: still converting ${this.readRetries * this.retryMs} ms after the ${ms} ms conversion time (${this.readRetries + 1} reads NACKed: stuck busy or gone)`);
      }
      this.count.retries++;
      yield* sleepMs(this.retryMs);
      b = yield* this.readBytes(3);
    }
    const crc = htu21dCrc(b[0]!, b[1]!);
    if (crc !== b[2]) {
      this.count.crcErrors++;
      throw new CrcError(`HTU21D: CRC mismatch: data 0x${hex4((b[0]! << 8) | b[1]!)} has CRC 0x${crc.toString(16)}, chip sent 0x${b[2]!.toString(16)}`);
    }
    this.count.readings++;
    return ((b[0]! << 8) | b[1]!) & 0xfffc;
  }

  /** @internal */
  *softReset(): Gen<void> {
    yield* this.idle();
    yield* this.command(HTU21D_COMMAND.SOFT_RESET);
    this.reg = null;
    this.busyUntil = now() + HTU21D_RESET_MS;
    yield* sleepMs(HTU21D_RESET_MS);
  }

  /** @internal */
  counted(): HTU21DStats {
    return this.count;
  }

  /** @internal */
  setLatest(r: HTU21DReading): void {
    this.last = r;
  }

  /** @internal */
  get driverLock(): Lock {
    return this.lock;
  }
}

function* lockedGen<R>(d: HTU21D, body: (d: HTU21D) => Gen<R>): Gen<R> {
  return yield* d.driverLock.hold(body, d);
}

function* sampleGen(d: HTU21D): Gen<HTU21DSample> {
  const temperature = temperatureFromRaw(yield* d.measure(T));
  const humidity = humidityFromRaw(yield* d.measure(RH));
  d.counted().samples++;
  return { thermometer: { temperature }, hygrometer: { humidity } };
}

function* temperatureGen(d: HTU21D): Gen<number> {
  return temperatureFromRaw(yield* d.measure(T));
}

function* humidityGen(d: HTU21D): Gen<number> {
  return humidityFromRaw(yield* d.measure(RH));
}

function* userRegisterGen(d: HTU21D): Gen<number> {
  yield* d.configured();
  return yield* d.readRegister();
}

function* resetGen(d: HTU21D): Gen<void> {
  yield* d.softReset();
}

function* continuousGen(d: HTU21D, periodMs: number): Gen<void> {
  let next = now();
  for (;;) {
    try {
      const s = yield* d.driverLock.hold(sampleGen, d);
      d.setLatest({ thermometer: s.thermometer, hygrometer: s.hygrometer, at: now() });
    } catch (e) {
      if (isCancelled(e)) throw e;
      d.counted().errors++;
      d.counted().lastError = e;
    }
    next += periodMs;
    const t = now();
    if (next < t) next = t + periodMs - ((t - next) % periodMs); // skip missed periods, stay on the grid
    yield* sleepMs(next - t);
  }
}

/**
 * True for the error an ECMA-419 I2C read raises when the device does not acknowledge its address: a plain
 * Error "read failed..." (Moddable's ports: modules/io/i2c/{pico,esp32}; the simulated bus says the same).
 * The HTU21D NACKs its read address while it converts; any other error (a closed bus, a TypeError) is
 * not that and is raised.
 */
export function isReadNack(e: unknown): boolean {
  return e instanceof Error && e.name === "Error" && e.message.startsWith("read failed");
}

function checkResolution(r: unknown): void {
  if (r !== 0x00 && r !== 0x01 && r !== 0x80 && r !== 0x81) throw new RangeError(`HTU21D: unknown resolution ${String(r)} (use Resolution.*)`);
}

function whole(n: number, what: string): number {
  if (typeof n !== "number" || !(n >= 0) || n !== Math.floor(n)) throw new RangeError(`HTU21D: ${what} must be a whole number >= 0, got ${String(n)}`);
  return n;
}

function hex4(n: number): string {
  return ("000" + n.toString(16)).slice(-4);
}
