// Entry of the IO latency bench (./case.ts) for the Pico: edges on pin 15 (the demo board's IR input),
// time-stamped by the edge capture, wake a task while busy tasks keep the scheduler's batches full.
// Build: node scripts/build.mjs pico ... with this manifest (docs/bench.md, "IO latency"). Send edges at least
// 20 ms apart, e.g. from the emulator's script (`MS pin 15 0|1`); it prints one line per batch size.
import { useModdable } from "xs-async/platform/moddable";
import { PinEdges } from "xs-async/drivers/pin";
import { ioLatency } from "./case";

const PIN = 15;

export default function (): void {
  const host = useModdable();
  const Digital = device.io.Digital;
  trace("io-latency: waiting for edges on pin 15\n");
  ioLatency({
    print: (line) => trace(line + "\n"),
    host,
    openEdges: () => new PinEdges({ Digital, pin: PIN, mode: Digital.InputPullUp, capacity: 8 }),
    samples: 30,
  }).catch((e: unknown) => trace(`io-latency failed: ${String(e)}\n`));
}
