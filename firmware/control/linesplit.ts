import { utf8Read } from "../text/utf8";

/**
 * Turns a byte stream (a UART's chunks) into text lines: splits at LF (a CR before it, or a lone CR, also
 * ends a line), decodes UTF-8 (invalid bytes become U+FFFD), and keeps at most `maxBytes` of a line. An
 * overlong line (`overflowed` counts them) goes whole to `tooLong` with its length in bytes, if given: nothing
 * of it is delivered, and the next line starts after its end of line; without `tooLong` it is delivered cut.
 * Partial lines wait for their end across chunks.
 * Memory: one Uint8Array of `maxBytes`, allocated once.
 */
export class LineSplitter {
  /** Lines that were cut. */
  overflowed = 0;
  private readonly buf: Uint8Array;
  private n = 0;
  private over = false;
  /** bytes of the current line, kept or not */
  private total = 0;
  private lastCR = false;

  constructor(readonly maxBytes = 1024) {
    this.buf = new Uint8Array(maxBytes);
  }

  /** Feed bytes; calls `line` for each completed line, in order (`tooLong` with the byte count of an overlong one). */
  push(bytes: ArrayLike<number>, line: (text: string) => void, tooLong?: (bytes: number) => void): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]! & 0xff;
      if (b === 10 && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = b === 13;
      if (b === 10 || b === 13) {
        const over = this.over;
        const total = this.total;
        const s = over && tooLong !== undefined ? "" : utf8Read(this.buf.subarray(0, this.n), 0, this.n);
        if (over) this.overflowed++;
        this.n = this.total = 0;
        this.over = false;
        if (over && tooLong !== undefined) tooLong(total);
        else line(s);
        continue;
      }
      this.total++;
      if (this.n < this.maxBytes) this.buf[this.n++] = b;
      else this.over = true;
    }
  }

  /** Forget the partial line (e.g. input was lost after it); the next byte starts a new line. */
  reset(): void {
    this.n = this.total = 0;
    this.over = false;
    this.lastCR = false;
  }

  /** Bytes of a partial line waiting for its end. */
  get pending(): number {
    return this.n;
  }
}
