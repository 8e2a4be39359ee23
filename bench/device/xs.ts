// The device benchmark on host XS (xsnap, the device model), for quick feedback between device builds:
//   node scripts/xs/run-entry.mjs bench/device/xs.ts [scale]
// The engine is the device's, the machine is not: read the ratios, not the µs. No heap readings.
import { setDefaultHost } from "../../firmware/sched/api";
import type { Host } from "../../firmware/sched/host";
import { bench } from "./bench";

declare const performance: { now(): number };
declare function setImmediate(cb: () => void): void;
declare function print(s: string): void;
const args = (globalThis as unknown as { XS_ARGS?: string[] }).XS_ARGS ?? [];

/** A host with a real clock like ModdableHost's (2 ms batches); the timer polls through setImmediate. */
class XsHost implements Host {
  readonly batchMs = Number(args[1] ?? 2);
  private gen = 0;
  now(): number {
    return performance.now();
  }
  soon(cb: () => void): void {
    setImmediate(cb);
  }
  setTimer(deadline: number, cb: () => void): void {
    const g = ++this.gen;
    const poll = (): void => {
      if (g !== this.gen) return;
      if (this.now() >= deadline) cb();
      else setImmediate(poll);
    };
    setImmediate(poll);
  }
  clearTimer(): void {
    this.gen++;
  }
  print(line: string): void {
    print(line);
  }
}

setDefaultHost(new XsHost());
bench({
  name: "host XS (xsnap)",
  nowMs: () => performance.now(),
  clockName: "performance.now()",
  print: (line) => print(line),
  gc: () => {},
  heapBytes: () => undefined,
  heapName: "n/a",
  scale: Number(args[0] ?? 10),
  warmHeapBytes: 0,
}).catch((e: unknown) => print(`bench failed: ${e instanceof Error ? String(e.stack) : String(e)}`));
