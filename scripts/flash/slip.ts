// SLIP framing as used by the ESP32 ROM bootloader: every frame is 0xC0 <payload> 0xC0, with 0xC0 sent
// as DB DC and 0xDB as DB DD inside the payload.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export function slipEncode(payload: Uint8Array): Uint8Array {
  const out: number[] = [SLIP_END];
  for (const b of payload) {
    if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

/**
 * Incremental SLIP decoder: feed it bytes as they arrive, it calls `onFrame` for every complete, non-empty
 * frame. Bytes outside a frame (boot messages, noise) go to `onNoise`. A bad escape drops the frame.
 */
export class SlipDecoder {
  private frame: number[] | null = null;
  private escaping = false;

  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly onNoise: (byte: number) => void = () => {},
  ) {}

  /** Forget a partial frame (e.g. after a reset). */
  reset(): void {
    this.frame = null;
    this.escaping = false;
  }

  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.frame === null) {
        if (b === SLIP_END) this.frame = [];
        else this.onNoise(b);
        continue;
      }
      if (this.escaping) {
        this.escaping = false;
        if (b === SLIP_ESC_END) this.frame.push(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.frame.push(SLIP_ESC);
        else this.frame = null; // invalid escape: drop the frame
        continue;
      }
      if (b === SLIP_ESC) {
        this.escaping = true;
      } else if (b === SLIP_END) {
        if (this.frame.length === 0) continue; // back-to-back ends: treat the second as a new start
        const done = Uint8Array.from(this.frame);
        this.frame = null;
        this.onFrame(done);
      } else {
        this.frame.push(b);
      }
    }
  }
}
