import type { Host } from "./host";

/** Options for {@link VirtualHost}. */
export interface VirtualHostOptions {
  /** Virtual ms charged per task step (default 0). A few µs (e.g. 0.005) makes checkpoint loops let time pass. */
  stepCost?: number;
  /** Jump to the next deadline whenever the scheduler is idle (default true, trio's autojump MockClock). */
  autojump?: boolean;
  /** Starting time in ms (default 0). */
  start?: number;
  /** Where diagnostics go (default: collected in `lines`). */
  print?: (line: string) => void;
  /** How to reach the next host turn; default `setImmediate` (Node and host XS have it). */
  soon?: (cb: () => void) => void;
}

declare const setImmediate: (cb: () => void) => unknown;

/**
 * A clock for tests: time stands still while tasks run and jumps to the next deadline as soon as every
 * task is blocked, so a 10-second timeout test takes microseconds. With `autojump: false`, time moves
 * only through {@link advance}.
 */
export class VirtualHost implements Host {
  readonly stepCost: number;
  readonly lines: string[] = [];
  private t: number;
  private readonly autojump: boolean;
  private readonly out: ((line: string) => void) | undefined;
  private readonly turn: (cb: () => void) => void;
  private deadline = Infinity;
  private cb: (() => void) | null = null;
  private gen = 0;
  /** host turns asked for with soon() that have not run yet: the autojump waits for them */
  private soonPending = 0;

  constructor(opts: VirtualHostOptions = {}) {
    this.stepCost = opts.stepCost ?? 0;
    this.autojump = opts.autojump ?? true;
    this.t = opts.start ?? 0;
    this.out = opts.print;
    this.turn = opts.soon ?? ((cb) => void setImmediate(cb));
  }

  now(): number {
    return this.t;
  }

  soon(cb: () => void): void {
    this.soonPending++;
    this.turn(() => {
      this.soonPending--;
      cb();
    });
  }

  setTimer(deadline: number, cb: () => void): void {
    this.deadline = deadline;
    this.cb = cb;
    const g = ++this.gen;
    if (this.autojump) {
      const jump = (): void => {
        if (g !== this.gen || this.cb === null) return;
        // something became ready since the timer was armed (a promise job woke a task): it runs first,
        // as it would on a real clock, where the deadline is not due yet
        if (this.soonPending > 0) return this.turn(jump);
        if (this.t < this.deadline) this.t = this.deadline;
        this.fire();
      };
      this.turn(jump);
    } else if (deadline <= this.t) {
      this.turn(() => {
        if (g === this.gen) this.fire();
      });
    }
  }

  clearTimer(): void {
    this.gen++;
    this.cb = null;
    this.deadline = Infinity;
  }

  print(line: string): void {
    if (this.out) this.out(line);
    else this.lines.push(line);
  }

  charge(ms: number): void {
    this.t += ms;
  }

  /** Move time forward by `ms` by hand (for `autojump: false`); fires the armed timer if it is due. */
  advance(ms: number): void {
    this.t += ms;
    if (this.cb !== null && this.deadline <= this.t) this.fire();
  }

  private fire(): void {
    const cb = this.cb;
    this.cb = null;
    this.deadline = Infinity;
    this.gen++;
    if (cb) cb();
  }
}
