// A 24C32-style EEPROM model for the simulated I2C bus (sim/i2c.ts).
import { SimI2CModel } from "./i2c";

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
