import type { ByteBuffer, I2C, I2CConstructor, I2COptions, SMBus, SMBusConstructor } from "../firmware/platform/io";
import { SimClock } from "./time";

/**
 * A simulated I2C bus with device models, for tests and the simulated board. Behaves like Moddable's
 * `embedded:io/i2c` / `embedded:io/smbus`: one instance per device address on shared pins, `write` and
 * `read` are separate transactions (no repeated start), and a device that does not acknowledge makes
 * the call throw an Error. Transfers take no virtual time (3 bytes at 100 kHz take ~0.3 ms on a device).
 */

/** One transaction, as recorded in {@link SimI2CBus.log}. */
export interface I2CTransaction {
  /** Time (ms on the scheduler's clock). */
  at: number;
  address: number;
  op: "write" | "read";
  /** Bytes written, or bytes read (empty when NACKed). */
  bytes: number[];
  ack: boolean;
}

/**
 * A device on the simulated bus. Subclasses implement `onWrite` / `onRead`; the base adds fault injection.
 * A transaction the device refuses is a NACK: `onWrite` returns false, `onRead` returns null.
 */
export abstract class SimI2CModel {
  private nacks = 0;
  /** Transactions this device NACKed. */
  nacked = 0;

  /** Fault: NACK the next `count` transactions (reads or writes). */
  nackNext(count = 1): void {
    this.nacks += count;
  }

  /** @internal */
  transferWrite(data: Uint8Array, now: number): boolean {
    const ok = this.takeNack() ? false : this.onWrite(data, now);
    if (!ok) this.nacked++;
    return ok;
  }

  /** @internal */
  transferRead(count: number, now: number): Uint8Array | null {
    const v = this.takeNack() ? null : this.onRead(count, now);
    if (v === null) this.nacked++;
    return v;
  }

  private takeNack(): boolean {
    if (this.nacks === 0) return false;
    this.nacks--;
    return true;
  }

  /** A write transaction addressed to this device: return false to NACK. */
  protected abstract onWrite(data: Uint8Array, now: number): boolean;
  /** A read transaction of `count` bytes: return the bytes, or null to NACK. */
  protected abstract onRead(count: number, now: number): Uint8Array | null;
}

/** Options of {@link SimI2CBus}. */
export interface SimI2CBusOptions {
  /** Keep a transaction log (default true). */
  log?: boolean;
  /** At most this many entries are kept, oldest dropped (default 1000). */
  logLimit?: number;
}

/**
 * The simulated bus: attach models at addresses, open them with `new bus.I2C({...address})` or
 * `new bus.SMBus({...})`. An address with no model NACKs.
 *
 * Chip-select check: I2C has no chip select, but a test can emulate one to prove exclusive use: call
 * `bus.select(address)` in a handle's onAcquire and `bus.select(null)` in its onRelease, and set
 * `bus.checkSelection = true`; then every transaction to an address other than the selected one is
 * recorded in `bus.violations`.
 * Memory: the log is bounded by `logLimit`.
 * @example
 *   const bus = new SimI2CBus();
 *   const htu = bus.attach(0x40, new SimHTU21D());
 *   const i2c = new bus.I2C({ data: 4, clock: 5, hz: 100_000, address: 0x40 });
 */
export class SimI2CBus {
  /** `embedded:io/i2c` on this bus. */
  readonly I2C: I2CConstructor;
  /** `embedded:io/smbus` on this bus. */
  readonly SMBus: SMBusConstructor;
  /** Recent transactions, oldest first. */
  readonly log: I2CTransaction[] = [];
  /** Transactions to an unselected address while `checkSelection` is on. */
  readonly violations: string[] = [];
  checkSelection = false;
  /** The emulated chip-select: the address a handle currently holds the bus for, or null. */
  selected: number | null = null;
  logging: boolean;
  logLimit: number;
  private readonly devices = new Map<number, SimI2CModel>();

  constructor(readonly clock: SimClock = new SimClock(), options: SimI2CBusOptions = {}) {
    this.logging = options.log ?? true;
    this.logLimit = options.logLimit ?? 1000;
    const bus = this;
    this.I2C = class extends SimI2C {
      constructor(o: I2COptions) {
        super(bus, o);
      }
    };
    this.SMBus = class extends SimSMBus {
      constructor(o: I2COptions) {
        super(bus, o);
      }
    };
  }

  /** Put `model` at `address` (7-bit); returns the model. */
  attach<M extends SimI2CModel>(address: number, model: M): M {
    checkAddress(address);
    if (this.devices.has(address)) throw new Error(`address 0x${hex(address)} is taken`);
    this.devices.set(address, model);
    return model;
  }

  /** Remove the device at `address` (it then NACKs, like an unplugged chip). */
  detach(address: number): void {
    this.devices.delete(address);
  }

  /** The model at `address`, if any. */
  device(address: number): SimI2CModel | undefined {
    return this.devices.get(address);
  }

  /** Set the emulated chip-select (see the class comment). */
  select(address: number | null): void {
    this.selected = address;
  }

  /** Empty the log and the violations. */
  clearLog(): void {
    this.log.length = 0;
    this.violations.length = 0;
  }

  /** The log as short strings: "w40:f3@0" (written bytes), "w41:01 NACK@0", "r40:68,3a,7c@66" (bytes read), "r40:NACK@50". */
  trace(): string[] {
    return this.log.map((e) => {
      const data = e.op === "write" ? e.bytes.map(hex).join(",") + (e.ack ? "" : " NACK") : e.ack ? e.bytes.map(hex).join(",") : "NACK";
      return `${e.op === "write" ? "w" : "r"}${hex(e.address)}:${data}@${Math.round(e.at * 1000) / 1000}`;
    });
  }

  /** @internal */
  write(address: number, data: Uint8Array): void {
    const now = this.clock.nowMs();
    this.check(address, "write", now);
    const m = this.devices.get(address);
    const ok = m !== undefined && m.transferWrite(data, now);
    this.record({ at: now, address, op: "write", bytes: Array.from(data), ack: ok });
    if (!ok) throw new Error(`write failed: no ACK from 0x${hex(address)}`);
  }

  /** @internal */
  read(address: number, count: number): ArrayBuffer {
    const now = this.clock.nowMs();
    this.check(address, "read", now);
    const m = this.devices.get(address);
    const v = m !== undefined ? m.transferRead(count, now) : null;
    this.record({ at: now, address, op: "read", bytes: v === null ? [] : Array.from(v), ack: v !== null });
    if (v === null) throw new Error(`read failed: no ACK from 0x${hex(address)}`);
    const out = new Uint8Array(count);
    out.set(v.subarray(0, count));
    return out.buffer;
  }

  private check(address: number, what: string, now: number): void {
    if (this.checkSelection && this.selected !== address) {
      this.violations.push(`${what} 0x${hex(address)} at ${now} ms while ${this.selected === null ? "nothing" : "0x" + hex(this.selected)} was selected`);
    }
  }

  private record(e: I2CTransaction): void {
    if (!this.logging) return;
    if (this.log.length >= this.logLimit) this.log.shift();
    this.log.push(e);
  }
}

function hex(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16);
}

function checkAddress(a: number): void {
  if (typeof a !== "number" || !(a >= 0 && a <= 0x7f) || a !== Math.floor(a)) throw new RangeError(`invalid I2C address ${String(a)}`);
}

function bytesOf(b: ByteBuffer): Uint8Array {
  if (b instanceof ArrayBuffer) return new Uint8Array(b.slice(0));
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** `embedded:io/i2c` on a {@link SimI2CBus}. */
class SimI2C implements I2C {
  readonly address: number;
  private open = true;
  constructor(
    private readonly bus: SimI2CBus,
    options: I2COptions,
  ) {
    if (options === null || typeof options !== "object") throw new TypeError("I2C options required");
    checkAddress(options.address);
    if (typeof options.hz !== "number" || options.hz <= 0) throw new RangeError("I2C hz required");
    this.address = options.address;
  }
  write(buffer: ByteBuffer, _stop?: boolean): void {
    this.live();
    this.bus.write(this.address, bytesOf(buffer));
  }
  read(byteLength: number, _stop?: boolean): ArrayBuffer {
    this.live();
    return this.bus.read(this.address, byteLength);
  }
  close(): void {
    this.open = false;
  }
  private live(): void {
    if (!this.open) throw new Error("I2C closed");
  }
}

/** `embedded:io/smbus`: register operations as a write of the register, then a separate read. */
class SimSMBus extends SimI2C implements SMBus {
  readUint8(register: number): number {
    this.write(Uint8Array.of(register));
    return new Uint8Array(this.read(1))[0]!;
  }
  writeUint8(register: number, value: number): void {
    this.write(Uint8Array.of(register, value & 0xff));
  }
  readUint16(register: number, bigEndian = false): number {
    this.write(Uint8Array.of(register));
    const b = new Uint8Array(this.read(2));
    return bigEndian ? (b[0]! << 8) | b[1]! : (b[1]! << 8) | b[0]!;
  }
  writeUint16(register: number, value: number, bigEndian = false): void {
    const hi = (value >> 8) & 0xff;
    const lo = value & 0xff;
    this.write(bigEndian ? Uint8Array.of(register, hi, lo) : Uint8Array.of(register, lo, hi));
  }
  readBuffer(register: number, byteLength: number): ArrayBuffer {
    this.write(Uint8Array.of(register));
    return this.read(byteLength);
  }
  writeBuffer(register: number, buffer: ByteBuffer): void {
    const data = bytesOf(buffer);
    const out = new Uint8Array(data.length + 1);
    out[0] = register;
    out.set(data, 1);
    this.write(out);
  }
  sendByte(command: number): void {
    this.write(Uint8Array.of(command));
  }
  receiveByte(): number {
    return new Uint8Array(this.read(1))[0]!;
  }
}

// ---- HTU21D ---------------------------------------------------------------------------------

/** CRC-8 of the HTU21D (polynomial 0x31, init 0, MSB first): the model's own copy, independent of the driver's. */
export function simCrc8(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

// Datasheet (HTU21D(F), "Measuring time" table): maximum conversion times in ms, by resolution bits.
const T_BITS: Record<number, number> = { 0x00: 14, 0x01: 12, 0x80: 13, 0x81: 11 };
const RH_BITS: Record<number, number> = { 0x00: 12, 0x01: 8, 0x80: 10, 0x81: 11 };
const T_MS: Record<number, number> = { 14: 50, 13: 25, 12: 13, 11: 7 };
const RH_MS: Record<number, number> = { 12: 16, 11: 8, 10: 5, 8: 3 };

type HtuState =
  | { readonly kind: "idle" }
  | { readonly kind: "user" }
  | { readonly kind: "converting"; readonly raw: number; readonly until: number }
  | { readonly kind: "ready"; readonly raw: number };

const IDLE: HtuState = { kind: "idle" };

/**
 * HTU21D model: settable `temperature` (°C) and `humidity` (%RH); no-hold commands 0xF3/0xF5 convert in
 * the datasheet's maximum time for the resolution (times `conversionScale`) and NACK reads (and writes)
 * meanwhile; hold commands 0xE3/0xE5 answer at once and add the time a real chip would stretch the clock
 * (blocking the whole VM) to `stretchedMs`; user register 0xE7/0xE6 (resolution bits 7/0, heater bit 2,
 * end of battery bit 6 read-only from `lowBattery`); soft reset 0xFE (NACKs everything for 15 ms, then
 * the default register 0x02 with the heater bit kept). Reads are MSB, LSB (status bits: 00 temperature,
 * 10 humidity), CRC. The heater bit does not change readings.
 * Faults: `nackNext()`, `corruptNextCrc()`, `stuckBusy` (a started conversion never ends).
 */
export class SimHTU21D extends SimI2CModel {
  /** °C, sampled when a conversion starts. */
  temperature = 20;
  /** %RH, sampled when a conversion starts (values outside 0–100 are encoded as given). */
  humidity = 50;
  lowBattery = false;
  stuckBusy = false;
  /** Multiplies the conversion times (1 = the datasheet maximum). */
  conversionScale = 1;
  /** Total time hold-master commands would have stretched the clock. */
  stretchedMs = 0;
  /** Conversions started, soft resets seen. */
  conversions = 0;
  resets = 0;
  private reg = 0x02;
  private state: HtuState = IDLE;
  private resetUntil = -Infinity;
  private badCrc = 0;

  /** The user register as the chip holds it. */
  get userRegister(): number {
    return (this.reg & ~0x40) | (this.lowBattery ? 0x40 : 0);
  }

  /** Fault: the next measurement read carries a wrong CRC. */
  corruptNextCrc(count = 1): void {
    this.badCrc += count;
  }

  /** True while a conversion is running (or stuck). */
  busy(now: number): boolean {
    return this.state.kind === "converting" && (this.stuckBusy || now < this.state.until);
  }

  /** Conversion time in ms of a temperature (`"T"`) or humidity (`"RH"`) measurement at the current resolution. */
  conversionMs(what: "T" | "RH"): number {
    const res = this.reg & 0x81;
    return (what === "T" ? T_MS[T_BITS[res]!]! : RH_MS[RH_BITS[res]!]!) * this.conversionScale;
  }

  /** The raw 16-bit word (with status bits) a measurement of the current values gives. */
  rawFor(what: "T" | "RH"): number {
    const res = this.reg & 0x81;
    const bits = what === "T" ? T_BITS[res]! : RH_BITS[res]!;
    const x = what === "T" ? ((this.temperature + 46.85) * 65536) / 175.72 : ((this.humidity + 6) * 65536) / 125;
    const raw = Math.min(0xffff, Math.max(0, Math.floor(x)));
    return (raw & (0xffff << (16 - bits)) & 0xffff) | (what === "T" ? 0 : 2);
  }

  protected onWrite(data: Uint8Array, now: number): boolean {
    if (now < this.resetUntil || this.busy(now)) return false;
    if (data.length === 0) return true; // address probe
    switch (data[0]) {
      case 0xf3:
      case 0xf5: {
        const what = data[0] === 0xf3 ? "T" : "RH";
        this.conversions++;
        this.state = { kind: "converting", raw: this.rawFor(what), until: now + this.conversionMs(what) };
        return true;
      }
      case 0xe3:
      case 0xe5: {
        const what = data[0] === 0xe3 ? "T" : "RH";
        this.conversions++;
        this.stretchedMs += this.conversionMs(what);
        this.state = { kind: "ready", raw: this.rawFor(what) };
        return true;
      }
      case 0xe6:
        if (data.length > 1) this.reg = data[1]! & ~0x40;
        this.state = IDLE;
        return true;
      case 0xe7:
        this.state = { kind: "user" };
        return true;
      case 0xfe:
        this.resets++;
        this.reg = 0x02 | (this.reg & 0x04);
        this.state = IDLE;
        this.resetUntil = now + 15;
        return true;
      default:
        return false;
    }
  }

  protected onRead(count: number, now: number): Uint8Array | null {
    if (now < this.resetUntil || this.busy(now)) return null;
    const s = this.state;
    if (s.kind === "user") return new Uint8Array(count).fill(this.userRegister);
    if (s.kind !== "converting" && s.kind !== "ready") return null;
    this.state = IDLE;
    const msb = s.raw >> 8;
    const lsb = s.raw & 0xff;
    let crc = simCrc8([msb, lsb]);
    if (this.badCrc > 0) {
      this.badCrc--;
      crc ^= 0xff;
    }
    const out = new Uint8Array(Math.max(count, 3)).fill(0xff);
    out[0] = msb;
    out[1] = lsb;
    out[2] = crc;
    return out.subarray(0, count);
  }
}

// ---- 24C32 EEPROM ---------------------------------------------------------------------------

/** Options of {@link SimEeprom24C32}. */
export interface SimEepromOptions {
  /** Bytes (default 4096). */
  size?: number;
  /** Page size for writes (default 32). */
  pageSize?: number;
  /** Internal write cycle after a page write, during which the chip NACKs (default 10 ms). */
  writeCycleMs?: number;
}

/**
 * 24C32-style EEPROM: a write of [addrHi, addrLo] sets the address pointer; more bytes are a page write
 * (wrapping inside the page) followed by a write cycle during which every transaction NACKs (drivers poll
 * for the ACK); reads are sequential from the pointer, wrapping at the end of memory. Erased bytes are 0xFF.
 */
export class SimEeprom24C32 extends SimI2CModel {
  readonly size: number;
  readonly pageSize: number;
  writeCycleMs: number;
  /** Page writes completed. */
  writeCycles = 0;
  private readonly mem: Uint8Array;
  private ptr = 0;
  private busyUntil = -Infinity;

  constructor(options: SimEepromOptions = {}) {
    super();
    this.size = options.size ?? 4096;
    this.pageSize = options.pageSize ?? 32;
    this.writeCycleMs = options.writeCycleMs ?? 10;
    this.mem = new Uint8Array(this.size).fill(0xff);
  }

  /** Memory contents (a copy), for tests. */
  peek(address: number, length: number): number[] {
    return Array.from(this.mem.subarray(address, address + length));
  }

  /** True during a write cycle. */
  busy(now: number): boolean {
    return now < this.busyUntil;
  }

  protected onWrite(data: Uint8Array, now: number): boolean {
    if (this.busy(now)) return false;
    if (data.length < 2) return true; // ACK poll / probe
    this.ptr = ((data[0]! << 8) | data[1]!) % this.size;
    if (data.length === 2) return true;
    const page = this.ptr - (this.ptr % this.pageSize);
    let off = this.ptr - page;
    for (let i = 2; i < data.length; i++) {
      this.mem[page + off] = data[i]!;
      off = (off + 1) % this.pageSize;
    }
    this.ptr = page + off;
    this.writeCycles++;
    this.busyUntil = now + this.writeCycleMs;
    return true;
  }

  protected onRead(count: number, now: number): Uint8Array | null {
    if (this.busy(now)) return null;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.mem[this.ptr]!;
      this.ptr = (this.ptr + 1) % this.size;
    }
    return out;
  }
}
