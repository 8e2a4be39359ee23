// The device benchmark's entry module (this directory's manifest "main"). Prints the table of
// docs/bench.md on the console, then "bench done". Build: mcconfig -m -p pico -t build in this directory.
import Time from "time";
import Timer from "timer";
import Debug from "debug";
import { useModdable } from "firmware/platform/moddable";
import { bench } from "./bench";

/** XS's `native("name")` (xs/includes/xs.d.ts): the C function of that name, here from ./heapstats.c. */
declare function native(name: string): (...args: unknown[]) => unknown;
const heapUsed = native("xs_bench_heap_used") as () => number;
const heapReserved = native("xs_bench_heap_reserved") as () => number;
const collect = native("xs_bench_collect") as (on: boolean) => void;

/** Time.microseconds when the build has it (esp32 with the microseconds module), else Time.ticks. */
function clock(): { nowMs(): number; clockName: string } {
  if (Time.microseconds !== undefined) {
    return { nowMs: (): number => Time.microseconds! / 1000, clockName: "Time.microseconds" };
  }
  let last = Time.ticks;
  let acc = 0;
  return {
    nowMs(): number {
      const t = Time.ticks;
      acc += Time.delta(last, t);
      last = t;
      return acc;
    },
    clockName: "Time.ticks (1 ms)",
  };
}

/** Board name from the host provider: the Pico's names its LED 25 and has I2C data 4. */
function boardName(): string {
  type Provider = { pin?: { led?: number }; I2C?: { default?: { data?: number } } };
  const d = (globalThis as unknown as { device?: Provider }).device;
  return d?.pin?.led === 25 && d.I2C?.default?.data === 4 ? "pico" : "esp32";
}

export default function (): void {
  useModdable();
  // Watchdog outside the scheduler: if one measurement runs for more than 20 s, say which.
  let current = "start";
  let since = Time.ticks;
  const watchdog = Timer.repeat(() => {
    if (Time.delta(since, Time.ticks) > 20_000) {
      trace(`bench: "${current}" has not finished after ${Time.delta(since, Time.ticks)} ms\n`);
      since = Time.ticks;
    }
  }, 5000);
  bench({
    name: boardName(),
    ...clock(),
    print: (line) => trace(line + "\n"),
    gc: () => Debug.gc(),
    heapBytes: () => {
      Debug.gc();
      return heapUsed();
    },
    heapReservedBytes: heapReserved,
    heapAllocatedBytes: heapUsed,
    collect,
    heapName: "XS slots + chunks in use after Debug.gc()",
    modulesPreloaded: Object.isFrozen(useModdable),
    phase: (label) => {
      current = label;
      since = Time.ticks;
      if (label === "done") Timer.clear(watchdog);
    },
  }).catch((e: unknown) => trace(`bench failed in "${current}": ${String(e)}\n${e instanceof Error ? String(e.stack) : ""}\n`));
}
