// Portable benchmark helpers: run on Node and on XS (xsnap). No Node APIs here.
import { external } from "../../firmware/sched/index";
import type { Host } from "../../firmware/sched/host";
declare const performance: { now(): number };

interface BenchGlobals {
  print?: (s: string) => void;
  console?: { log(s: string): void };
  gc?: () => void;
  /** Set by the runner: "node" or "xs". */
  BENCH_ENGINE?: string;
  /** Set by the runner: the memory measurement to make, if any. */
  BENCH_ARGS?: string[];
  /** Node: heap size after gc. */
  benchHeapUsed?: () => number;
}
export const G = globalThis as unknown as BenchGlobals;

export function emit(record: Record<string, unknown>): void {
  const line = "BENCH " + JSON.stringify(record);
  if (G.print) G.print(line);
  else G.console!.log(line);
}

export function nowMs(): number {
  return performance.now();
}

/** Let the host event loop turn (setImmediate exists on Node and xsnap). */
export function turn(): Promise<void> {
  return new Promise((r) => (globalThis as unknown as { setImmediate(cb: () => void): void }).setImmediate(r));
}

/**
 * Ask for the process's memory at this point: on Node the heap after gc, on XS the runner reads the
 * process's resident size while this spins for a moment.
 */
export async function memProbe(label: string): Promise<number | undefined> {
  if (G.benchHeapUsed) return G.benchHeapUsed();
  if (G.gc) G.gc();
  emit({ probe: label });
  const until = nowMs() + 150;
  // called from a task: a host turn is a foreign promise, so it goes through external()
  while (nowMs() < until) await external(turn());
  return undefined;
}

/**
 * A real-clock host like ModdableHost: `batchMs` batches, host turns through setImmediate, and its one timer
 * polled on host turns (xsnap has no setTimeout). Shared by the host bench and the device bench on host XS.
 */
export class PollingHost implements Host {
  private gen = 0;
  constructor(
    readonly batchMs: number,
    private readonly out: (line: string) => void = () => {},
  ) {}
  now(): number {
    return nowMs();
  }
  soon(cb: () => void): void {
    (globalThis as unknown as { setImmediate(cb: () => void): void }).setImmediate(cb);
  }
  setTimer(deadline: number, cb: () => void): void {
    const g = ++this.gen;
    const poll = (): void => {
      if (g !== this.gen) return;
      if (nowMs() >= deadline) cb();
      else this.soon(poll);
    };
    this.soon(poll);
  }
  clearTimer(): void {
    this.gen++;
  }
  print(line: string): void {
    this.out(line);
  }
}
