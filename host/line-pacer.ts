// Node only: paces the lines a host sends to the firmware's console, so that a paste or a piped file
// is answered in full and in order. The firmware reads a line, runs it and writes the answer at the
// line rate; its receive buffer is small (256 bytes in the demo), so lines sent faster than they are
// answered overrun it (it then says `input overrun: N bytes dropped`). Used by both host senders: the
// `npm start` terminal (host/terminal.ts) and `npm run console` (scripts/console/console.ts).

/** Options of {@link LinePacer}. */
export interface LinePacerOptions {
  /** Sends one line, "\n" included, to the device. */
  write: (text: string) => void;
  /** After an answer line, this long (ms) without output means the answer is complete (default 40). */
  quietMs?: number;
  /** The longest wait for an answer (ms) before the next line goes anyway (default 3000): a command may answer nothing until later (e.g. `log follow`). */
  maxWaitMs?: number;
}

/**
 * A queue of lines for the device: one line at a time, the next one once the device has answered the
 * previous one (at least one line end came back, then `quietMs` of silence) or after `maxWaitMs`.
 * Blank lines are sent without waiting (the console answers nothing to them).
 * @example
 *   const pacer = new LinePacer({ write: (t) => port.write(t) });
 *   port.on("data", (d) => pacer.received(d));
 *   rl.on("line", (l) => pacer.send(l));
 *   await pacer.drained();
 */
export class LinePacer {
  /** Lines sent so far. */
  sent = 0;
  /** Lines whose answer did not come within maxWaitMs. */
  unanswered = 0;
  private readonly queue: string[] = [];
  private waiting = false;
  private answered = false;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private maxTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly opts: LinePacerOptions) {
    this.quietMs = opts.quietMs ?? 40;
    this.maxWaitMs = opts.maxWaitMs ?? 3000;
  }

  /** Queue a line (without its line end). */
  send(line: string): void {
    if (this.closed) return;
    this.queue.push(line);
    this.pump();
  }

  /** Feed everything the device sends back. */
  received(chunk: string | Uint8Array): void {
    if (!this.waiting) return;
    const hasEol = typeof chunk === "string" ? chunk.includes("\n") : chunk.indexOf(10) >= 0;
    if (hasEol) this.answered = true;
    if (this.answered) {
      if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => this.next(), this.quietMs);
    }
  }

  /** Lines queued and not yet sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** True when every queued line was sent and answered (or given up on). */
  get idle(): boolean {
    return !this.waiting && this.queue.length === 0;
  }

  /** Resolves once the pacer is idle. */
  drained(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drop what is queued and stop the timers. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.clearTimers();
    this.waiting = false;
    this.settle();
  }

  private next(): void {
    this.clearTimers();
    this.waiting = false;
    this.pump();
  }

  private pump(): void {
    while (!this.waiting && this.queue.length > 0 && !this.closed) {
      const line = this.queue.shift()!;
      this.sent++;
      this.opts.write(line + "\n");
      if (line.trim() === "") continue;
      this.waiting = true;
      this.answered = false;
      this.maxTimer = setTimeout(() => {
        this.unanswered++;
        this.next();
      }, this.maxWaitMs);
    }
    this.settle();
  }

  private settle(): void {
    if (!this.idle) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private clearTimers(): void {
    if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
    if (this.maxTimer !== undefined) clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
  }
}
