import { edgeCaptureFor } from "../../firmware/platform/edges";
import type { Digital, DigitalConstructor, DigitalOptions } from "../../firmware/platform/io";

/** One edge-watching pin kept open, and who has it now. */
interface Kept {
  readonly io: Digital;
  readonly options: string;
  lease: KeptPin | null;
}

/** A lease on a kept pin. */
class KeptPin implements Digital {
  /** @internal */ readonly onReadable: (this: Digital) => void;
  private k: Kept | null;

  /** @internal */
  constructor(k: Kept, onReadable: (this: Digital) => void) {
    this.k = k;
    this.onReadable = onReadable;
  }

  read(): 0 | 1 {
    if (this.k === null) throw new Error("Digital: closed");
    return this.k.io.read();
  }

  write(value: 0 | 1): void {
    if (this.k === null) throw new Error("Digital: closed");
    this.k.io.write(value);
  }

  /** Give the pin back: it stays open, and its edges are ignored until the next lease. Safe twice. */
  close(): void {
    const k = this.k;
    if (k === null) return;
    this.k = null;
    if (k.lease === this) k.lease = null;
  }
}

/**
 * A Digital class whose pins that watch edges (`onReadable`) stay open when closed, to be handed out
 * again by the next `new` with the same pin, mode and edges. Moddable's Pico Digital (SDK 8.2.3,
 * modules/io/digital/pico) cannot close such a pin safely: its close removes the GPIO interrupt handler of
 * every pin (pico-sdk's callback is shared), and since it never installs it again, the next edge on any
 * pin halts the chip (seen in the emulator: the IR frame after `service stop led` / `service start led`).
 * Pins without `onReadable` (the LED) are opened and closed as usual.
 *
 * A lease gets its own onReadable; edges between leases are ignored (a driver reads the level when it
 * starts). Opening a pin that is leased, or with another mode or edge, throws like the device.
 * Memory: one small record per edge pin ever opened; a lease is one object.
 * @example
 *   const Digital = keepPinsOpen(device.io.Digital);
 *   const rx = new NecReceiver({ Digital, pin: 15 });
 *   rx.close();                          // the pin and its interrupt stay...
 *   const again = new NecReceiver({ Digital, pin: 15 });   // ...and are reused
 */
export function keepPinsOpen(Base: DigitalConstructor): DigitalConstructor {
  const kept = new Map<number, Kept>();
  const optionsKey = (o: DigitalOptions): string => `${o.mode}/${o.edge ?? 0}/${o.activeLow === true}`;
  function KeepPinsOpen(this: unknown, options: DigitalOptions): Digital {
    const onReadable = options.onReadable;
    if (onReadable === undefined) return new Base(options);
    let k = kept.get(options.pin);
    if (k !== undefined) {
      if (k.lease !== null) throw new Error(`Digital pin ${options.pin}: already in use`);
      if (k.options !== optionsKey(options)) throw new RangeError(`Digital pin ${options.pin}: kept open as ${k.options} (mode/edge/activeLow), asked for ${optionsKey(options)}`);
    } else {
      const box: { k: Kept | null } = { k: null };
      const io = new Base({
        ...options,
        onReadable(): void {
          const l = box.k!.lease;
          if (l !== null) l.onReadable.call(l);
        },
      });
      k = { io, options: optionsKey(options), lease: null };
      box.k = k;
      kept.set(options.pin, k);
    }
    const lease = new KeptPin(k, onReadable);
    k.lease = lease;
    return lease;
  }
  const C = KeepPinsOpen as unknown as { [k: string]: unknown };
  for (const name of ["Input", "InputPullUp", "InputPullDown", "InputPullUpDown", "Output", "OutputOpenDrain", "Rising", "Falling"] as const) {
    C[name] = Base[name];
  }
  // pins of the wrapped class have the base class's edge capture (read when a pin opens, so one installed later
  // counts): a captured pin is opened without onReadable, goes straight to Base, and closes for real
  Object.defineProperty(KeepPinsOpen, "edgeCapture", { get: () => edgeCaptureFor(Base) });
  return KeepPinsOpen as unknown as DigitalConstructor;
}
