import { utf8Read } from "../text/utf8";

/**
 * Turns a byte stream (a UART's chunks) into text lines: splits at LF (a CR before it, or a lone CR, also
 * ends a line), decodes UTF-8 (invalid bytes become U+FFFD), and keeps at most `maxBytes` of a line: the
 * rest of an overlong line is dropped (the line is delivered cut, with `overflowed` counting such lines).
 * Partial lines wait for their end across chunks.
 * Memory: one Uint8Array of `maxBytes`, allocated once.
 */
export class LineSplitter {
  /** Lines that were cut. */
  overflowed = 0;
  private readonly buf: Uint8Array;
  private n = 0;
  private over = false;
  private lastCR = false;

  constructor(readonly maxBytes = 1024) {
    this.buf = new Uint8Array(maxBytes);
  }

  /** Feed bytes; calls `line` for each completed line, in order. */
  push(bytes: ArrayLike<number>, line: (text: string) => void): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]! & 0xff;
      if (b === 10 && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = b === 13;
      if (b === 10 || b === 13) {
        const s = utf8Read(this.buf.subarray(0, this.n), 0, this.n);
        if (this.over) this.overflowed++;
        this.n = 0;
        this.over = false;
        line(s);
        continue;
      }
      if (this.n < this.maxBytes) this.buf[this.n++] = b;
      else this.over = true;
    }
  }

  /** Forget the partial line (e.g. input was lost after it); the next byte starts a new line. */
  reset(): void {
    this.n = 0;
    this.over = false;
    this.lastCR = false;
  }

  /** Bytes of a partial line waiting for its end. */
  get pending(): number {
    return this.n;
  }
}
