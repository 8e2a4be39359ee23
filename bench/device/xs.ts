// The device benchmark on host XS (xsnap, the device model), for quick feedback between device builds:
//   node scripts/xs/run-entry.mjs bench/device/xs.ts [scale]
// The engine is the device's, the machine is not: read the ratios, not the µs. No heap readings.
import { setDefaultHost } from "../../firmware/sched/api";
import { PollingHost } from "../../scripts/bench/harness";
import { bench } from "./bench";

declare const performance: { now(): number };
declare function print(s: string): void;
const args = (globalThis as unknown as { XS_ARGS?: string[] }).XS_ARGS ?? [];


setDefaultHost(new PollingHost(Number(args[1] ?? 2), (line) => print(line)));
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
