import type { ByteBuffer, I2C, I2CConstructor, I2COptions, SMBus, SMBusConstructor } from "../firmware/platform/io";
import { SimClock } from "./time";
import { chargeCpu, cpuMs, type SimCpuOptions } from "./cpu";

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
  /** Simulated CPU time per transfer: the fixed part and per byte (address included); see sim/cpu. Default 0. */
  cpu?: Pick<SimCpuOptions, "i2cTransferMs" | "i2cByteMs">;
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
  /** Transactions to an unselected address while `checkSelection` is on (the last `logLimit`). */
  readonly violations: string[] = [];
  checkSelection = false;
  /** The emulated chip-select: the address a handle currently holds the bus for, or null. */
  selected: number | null = null;
  logging: boolean;
  logLimit: number;
  private readonly devices = new Map<number, SimI2CModel>();
  private readonly transferMs: number;
  private readonly byteMs: number;

  constructor(readonly clock: SimClock = new SimClock(), options: SimI2CBusOptions = {}) {
    this.transferMs = cpuMs(options.cpu?.i2cTransferMs, "SimI2CBus cpu.i2cTransferMs");
    this.byteMs = cpuMs(options.cpu?.i2cByteMs, "SimI2CBus cpu.i2cByteMs");
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
    chargeCpu(this.clock, this.transferMs + this.byteMs * (1 + data.length)); // a blocking transfer: time passes
    if (!ok) throw new Error(`write failed: no ACK from 0x${hex(address)}`);
  }

  /** @internal */
  read(address: number, count: number): ArrayBuffer {
    const now = this.clock.nowMs();
    this.check(address, "read", now);
    const m = this.devices.get(address);
    const v = m !== undefined ? m.transferRead(count, now) : null;
    this.record({ at: now, address, op: "read", bytes: v === null ? [] : Array.from(v), ack: v !== null });
    chargeCpu(this.clock, this.transferMs + this.byteMs * (1 + count));
    if (v === null) throw new Error(`read failed: no ACK from 0x${hex(address)}`);
    const out = new Uint8Array(count);
    out.set(v.subarray(0, count));
    return out.buffer;
  }

  private check(address: number, what: string, now: number): void {
    if (this.checkSelection && this.selected !== address) {
      if (this.violations.length >= this.logLimit) this.violations.shift();
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
