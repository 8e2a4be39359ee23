// Everything the demo does goes to the RAM ring log; this task prints every record as it is written,
// so the output shows what is happening and `log cat` on the console shows the same lines afterwards.
import type { RingLog } from "xs-async/control";
import { checkpoint, type Gen } from "xs-async";

/**
 * Follow `log` from its oldest kept record and `print` each one formatted (`12.500 [INFO] [led] ...`).
 * Records dropped from the ring before they were printed are reported as a gap.
 */
export function* printTask(log: RingLog, print: (line: string) => void): Gen<void> {
  for (let cursor = log.first; ; ) {
    const e = yield* log.next(cursor);
    if (e.seq > cursor) print(`(${e.seq - cursor} log records dropped before they were printed)`);
    print(log.format(e));
    cursor = e.seq + 1;
    // a burst of records would otherwise print in one step: on a device trace() to USB takes ~1 ms a
    // line, and the burst at boot kept the loop busy for 200 ms
    yield* checkpoint();
  }
}
