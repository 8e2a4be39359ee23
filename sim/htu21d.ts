// The HTU21D model for the simulated I2C bus (sim/i2c.ts).
import { SimI2CModel } from "./i2c";

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

