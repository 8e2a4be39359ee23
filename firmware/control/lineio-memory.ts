import { ClosedError, ready, type Op } from "../sched/kernel";
import { Queue } from "../sync/queue";
import type { LineIO } from "./console";
import { LineSplitter } from "./linesplit";
import { utf8Fit, utf8Write } from "../text/utf8";

/**
 * An in-memory {@link LineIO} for tests and simulations: `feed()` text or `feedBytes()` raw bytes (partial
 * lines, any bytes: they go through a {@link LineSplitter}); what the console writes accumulates in
 * `output`. `close()` ends the stream: readLine returns the lines still queued, then ClosedError.
 * Safe to feed from outside tasks (IO callbacks, the test's main).
 */
export class MemoryLineIO implements LineIO {
  /** Everything written so far. */
  output = "";
  private readonly lines = new Queue<string>();
  private readonly splitter: LineSplitter;
  private closed = false;
  private onWrite: ((text: string) => void) | null = null;

  constructor(maxLineBytes = 1024) {
    this.splitter = new LineSplitter(maxLineBytes);
  }

  /** Feed text (UTF-8 encoded, then split like bytes from a wire). */
  feed(text: string): void {
    const f = utf8Fit(text, Infinity);
    const b = new Uint8Array(f.bytes);
    utf8Write(text, f.units, b, 0);
    this.feedBytes(b);
  }

  /** Feed raw bytes. */
  feedBytes(bytes: ArrayLike<number>): void {
    if (this.closed) throw new ClosedError("line stream closed");
    this.splitter.push(bytes, (l) => this.lines.putNowait(l));
  }

  /** End of input. */
  close(): void {
    this.closed = true;
    this.lines.close();
  }

  /** Call `fn` with each write (e.g. to feed the next line once an answer came). */
  watch(fn: ((text: string) => void) | null): void {
    this.onWrite = fn;
  }

  /** Take and clear the output. */
  take(): string {
    const s = this.output;
    this.output = "";
    return s;
  }

  readLine(): Op<string> {
    return this.lines.get();
  }

  write(text: string): Op<void> {
    this.output += text;
    if (this.onWrite !== null) this.onWrite(text);
    return ready(undefined);
  }
}
