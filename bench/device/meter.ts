// The device benchmark on host XS, counted in XS meter units instead of time: deterministic, so two
// versions of the scheduler can be compared on a loaded machine where wall-clock readings are noise.
//   node scripts/xs/run-entry.mjs bench/device/meter.ts [scale] [sleepers]   (sleepers: the big sleep row, 100 by default)
// xsnap's meter counts the bytecodes the engine runs (plus a charge for native calls). The "ms" column
// is thousands of meter units and "us/op" is meter units per operation. It is a model of the device's
// cost, not a measure of it: a property access is one unit here whatever the object's size, where the
// device walks the object's slots. The emulated device bench (docs/bench.md) has the last word.
import { setDefaultHost } from "../../firmware/sched/api";
import { VirtualHost } from "../../firmware/sched/virtual";
import { bench } from "./bench";

declare function print(s: string): void;
declare function resetMeter(limit: number, index: number): number;
const args = (globalThis as unknown as { XS_ARGS?: string[] }).XS_ARGS ?? [];

/** The meter reading, left running. */
function meter(): number {
  const m = resetMeter(0, 0);
  resetMeter(0, m);
  return m;
}

/**
 * Virtual time: a sleeper wakes when the clock jumps, so the sleep rows count the work per wake-up only.
 * With the device host's batch of 2 ms, and a clock that stands still while tasks run, ready tasks run
 * in one batch until none is ready, as on a device whose rounds are short.
 */
class DeviceLikeHost extends VirtualHost {
  readonly batchMs = 2;
}
setDefaultHost(new DeviceLikeHost());
bench({
  name: "host XS (xsnap), meter units",
  nowMs: () => meter() / 1000,
  clockName: "xsnap meter (1 unit = 1 us in the table)",
  print: (line) => print(line),
  gc: () => {},
  heapBytes: () => undefined,
  heapName: "n/a",
  scale: Number(args[0] ?? 1),
  sleepers: Number(args[1] ?? 100),
  warmHeapBytes: 0,
}).catch((e: unknown) => print(`bench failed: ${e instanceof Error ? String(e.stack) : String(e)}`));
