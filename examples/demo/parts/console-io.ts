// The console's line stream over a UART: bytes from the reader go through a LineSplitter (CR, LF or CRLF
// end a line, bad UTF-8 becomes U+FFFD, an overlong line is refused whole), answers go out through the writer.
// Input lost to a full receive buffer is reported, and never glues two lines into one command.
import { UartOverflowError, type UartReader, type UartWriter } from "xs-async/drivers/uart";
import { ConsoleLineTooLongError as LineTooLongError, type LineIO } from "xs-async/control";
import { LineSplitter } from "xs-async/control";
import { composite } from "xs-async";
import { currentTask, now, type Gen, type Op } from "xs-async";

/** A pause in the input this long (ms) after a gap means the next bytes start a new line. */
const IDLE_MS = 20;

/**
 * A {@link LineIO} on a UART's reader and writer. `readLine` returns the next line without its end of
 * line (ClosedError once the port is closed; LineTooLongError, which the console answers "line too long (N
 * bytes, max M)", for a line over `maxLineBytes`: none of it runs, and reading resumes after its end); `write` turns "\n" into "\r\n" when `crlf` is set (what a
 * serial terminal wants). One reader at a time; writes may overlap a pending read.
 * Overruns: with a reader made with `overflow: "error"` (what the demo uses), bytes lost because the
 * receive buffer was full are counted in `overrunBytes` and answered `input overrun: N bytes dropped`;
 * the line the gap cut is discarded whole (its part before the gap and its part after, up to the next
 * line end, unless the input paused for 20 ms after the gap), so the bytes around a gap never join
 * into a command.
 * Cancel-safe: a cancelled readLine consumes nothing it has not returned (complete lines stay queued).
 * Memory: the splitter's buffer (`maxLineBytes`) and the queued lines.
 */
export class UartLineIO implements LineIO {
  /** Bytes lost to receive overruns so far. */
  overrunBytes = 0;
  /** Overruns reported so far (each discarded the line it cut). */
  overruns = 0;
  private readonly splitter: LineSplitter;
  /** complete lines, or the byte count of a line refused as too long */
  private readonly lines: (string | number)[] = [];
  /** after a gap: the next line end closes the cut line, whose tail is dropped */
  private skipTail = false;
  private readonly pushLine = (l: string | number): void => {
    if (this.skipTail) this.skipTail = false;
    else this.lines.push(l);
  };

  constructor(
    readonly reader: UartReader,
    readonly writer: UartWriter,
    readonly crlf = true,
    maxLineBytes = 256,
  ) {
    this.splitter = new LineSplitter(maxLineBytes);
  }

  readLine(): Op<string> {
    return composite(currentTask(), () => this.readGen());
  }

  write(text: string): Op<void> {
    return this.writer.write(this.crlf ? text.replace(/\r?\n/g, "\r\n") : text) as Op<unknown> as Op<void>;
  }

  private *readGen(): Gen<string> {
    while (this.lines.length === 0) {
      let bytes: Uint8Array;
      const t0 = now();
      try {
        bytes = yield* this.reader.read(128);
        // input that starts after a pause is a new line, not the tail of the one the gap cut
        if (this.skipTail && now() - t0 >= IDLE_MS) this.skipTail = false;
      } catch (e) {
        if (!(e instanceof UartOverflowError)) throw e;
        this.overrun(e.bytes);
        yield* this.write(`input overrun: ${e.bytes} bytes dropped\n`);
        continue;
      }
      this.splitter.push(bytes, this.pushLine, this.pushLine);
    }
    const l = this.lines.shift()!;
    if (typeof l === "number") throw new LineTooLongError(l, this.splitter.maxBytes);
    return l;
  }

  private overrun(bytes: number): void {
    this.overruns++;
    this.overrunBytes += bytes;
    this.splitter.reset();
    this.skipTail = true;
  }

}
