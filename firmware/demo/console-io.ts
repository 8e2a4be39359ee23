// The console's line stream over a UART: bytes from the reader go through a LineSplitter (CR, LF or CRLF
// end a line, bad UTF-8 becomes U+FFFD, overlong lines are cut), answers go out through the writer.
import type { UartReader, UartWriter } from "../../drivers/uart/index";
import type { LineIO } from "../control/console";
import { LineSplitter } from "../control/linesplit";
import { composite } from "../sched/body";
import { currentTask, type Gen, type Op } from "../sched/index";

/**
 * A {@link LineIO} on a UART's reader and writer. `readLine` returns the next line without its end of
 * line (ClosedError once the port is closed); `write` turns "\n" into "\r\n" when `crlf` is set (what a
 * serial terminal wants). One reader at a time; writes may overlap a pending read.
 * Cancel-safe: a cancelled readLine consumes nothing it has not returned (complete lines stay queued).
 * Memory: the splitter's buffer (`maxLineBytes`) and the queued lines.
 */
export class UartLineIO implements LineIO {
  private readonly splitter: LineSplitter;
  private readonly lines: string[] = [];
  private readonly pushLine = (l: string): void => {
    this.lines.push(l);
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
    while (this.lines.length === 0) this.splitter.push(yield* this.reader.read(128), this.pushLine);
    return this.lines.shift()!;
  }

}
