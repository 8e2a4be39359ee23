// The device benchmark on Node, for comparison with a board (docs/bench.md):
//   node --expose-gc --import tsx bench/device/node.ts [scale]
// Same measurements as on the device; bytes per item from V8's heap after gc(), over 2000 items.
import { useNode } from "../../host/node-host";
import { bench } from "./bench";

const gcFn = (globalThis as { gc?: () => void }).gc;
const scale = Number(process.argv[2] ?? 10);
useNode();
bench({
  name: `Node ${process.version}`,
  nowMs: () => performance.now(),
  clockName: "performance.now()",
  print: (line) => console.log(line),
  gc: () => gcFn?.(),
  heapBytes: () => {
    if (gcFn === undefined) return undefined;
    gcFn();
    return process.memoryUsage().heapUsed;
  },
  heapName: gcFn !== undefined ? "V8 heapUsed after gc()" : "n/a (run node with --expose-gc)",
  scale,
  memN: 2000,
  warmHeapBytes: 0,
}).catch((e: unknown) => {
  console.log(`bench failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
