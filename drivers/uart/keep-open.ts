import type { ByteBuffer, Serial, SerialConstructor, SerialOptions } from "../../firmware/platform/io";
import { callSoon } from "../../firmware/sched/kernel";

/** One hardware port kept open, and who has it now. */
interface Kept {
  readonly serial: Serial;
  readonly options: string;
  lease: KeptSerial | null;
  /** free transmit space: the last onWritable, minus what was written since */
  free: number;
  /** bytes that arrived while nobody had the port (read and dropped) */
  dropped: number;
}

function portKey(o: SerialOptions): string {
  return `${o.port ?? "-"}/${o.transmit ?? "-"}/${o.receive ?? "-"}`;
}

function optionsKey(o: SerialOptions): string {
  return `${o.baud}/${o.flowControl ?? "none"}/${o.format ?? "buffer"}`;
}

/** A lease on a kept port: the Serial that `keepOpen(Serial)` constructs. */
class KeptSerial implements Serial {
  /** @internal */ readonly onReadable: ((this: Serial, bytes: number) => void) | undefined;
  /** @internal */ readonly onWritable: ((this: Serial, bytes: number) => void) | undefined;
  private k: Kept | null;

  /** @internal */
  constructor(k: Kept, options: SerialOptions) {
    this.k = k;
    this.onReadable = options.onReadable;
    this.onWritable = options.onWritable;
  }

  get format(): "number" | "buffer" {
    return this.port().format;
  }

  set format(f: "number" | "buffer") {
    this.port().format = f;
  }

  read(byteLength?: number): number | ArrayBuffer | undefined {
    return this.port().read(byteLength);
  }

  write(value: number | ByteBuffer): void {
    const k = this.live();
    k.serial.write(value);
    k.free -= typeof value === "number" ? 1 : value.byteLength;
  }

  flush(): void {
    this.port().flush();
  }

  set(options: { break?: boolean; requestToSend?: boolean; dataTerminalReady?: boolean }): void {
    this.port().set(options);
  }

  /** Give the port back: it stays open (bytes that arrive meanwhile are dropped and counted). Safe twice. */
  close(): void {
    const k = this.k;
    if (k === null) return;
    this.k = null;
    if (k.lease === this) k.lease = null;
  }

  private live(): Kept {
    if (this.k === null) throw new Error("Serial: closed");
    return this.k;
  }

  private port(): Serial {
    return this.live().serial;
  }
}

/**
 * A Serial class whose `close()` keeps the hardware port open, to be handed out again by the next
 * `new` with the same port and pins. Moddable's Pico Serial (SDK 8.2.3, modules/io/serial/pico) cannot be
 * closed safely: its close leaves the port marked in use (the next open throws "port in use") and leaves
 * a dangling pointer that the UART interrupt keeps serving, so the next byte on any UART aborts XS (a
 * reboot). Firmware that stops and starts a service owning a UART (the demo's modem) therefore keeps the
 * port open and leases it.
 *
 * A lease gets its own onReadable/onWritable: the kept port's callbacks forward to the current lease. A
 * new lease is told the free transmit space (onWritable, soon after construction, as ECMA-419 ports do);
 * bytes that arrive between leases are read and dropped (`dropped(port)` counts them). Opening a port
 * that is leased, or with other options (baud, flow control, format), throws RangeError like the device.
 * Memory: one small record per port ever opened; a lease is one object.
 * @example
 *   const Serial = keepOpen(board().io.Serial!);
 *   const uart = new Uart(Serial, { port: 1, receive: 5, transmit: 4, baud: 115200 });
 *   uart.close();                        // the hardware port stays open...
 *   const again = new Uart(Serial, { port: 1, receive: 5, transmit: 4, baud: 115200 });   // ...and is reused
 */
export function keepOpen(Base: SerialConstructor): SerialConstructor & { dropped(options: SerialOptions): number } {
  const kept = new Map<string, Kept>();
  const open = (key: string, options: SerialOptions): Kept => {
    const box: { k: Kept | null } = { k: null };
    const serial = new Base({
      ...options,
      onReadable(bytes: number): void {
        const c = box.k!;
        const l = c.lease;
        if (l !== null && l.onReadable !== undefined) l.onReadable.call(l, bytes);
        else if (bytes > 0) {
          c.serial.read(bytes);
          c.dropped += bytes;
        }
      },
      onWritable(bytes: number): void {
        const c = box.k!;
        c.free = bytes;
        const l = c.lease;
        if (l !== null && l.onWritable !== undefined) l.onWritable.call(l, bytes);
      },
    });
    const k: Kept = { serial, options: optionsKey(options), lease: null, free: 0, dropped: 0 };
    box.k = k;
    kept.set(key, k);
    return k;
  };
  class KeptPort extends KeptSerial {
    constructor(options: SerialOptions) {
      const key = portKey(options);
      let k = kept.get(key);
      const reused = k !== undefined;
      if (k !== undefined) {
        if (k.lease !== null) throw new RangeError(`Serial ${key}: port in use`);
        if (k.options !== optionsKey(options)) throw new RangeError(`Serial ${key}: kept open with ${k.options}, asked for ${optionsKey(options)}`);
      } else k = open(key, options);
      super(k, options);
      const c = k;
      c.lease = this;
      if (reused && c.free > 0 && this.onWritable !== undefined) {
        // the port announced its space to an earlier lease: tell this one (from the loop, not from `new`)
        callSoon(() => {
          if (c.lease === this && c.free > 0) this.onWritable!.call(this, c.free);
        });
      }
    }

    /** Bytes dropped on the port of `options` while nobody had it open. */
    static dropped(options: SerialOptions): number {
      return kept.get(portKey(options))?.dropped ?? 0;
    }
  }
  return KeptPort;
}
