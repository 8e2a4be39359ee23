// A host of one's own needs only what the Host interface requires: now, soon, setTimer, clearTimer and print
// (stepCost, batchMs and charge are optional). A program runs on such a host as on the VirtualHost.
import { assert } from "./lib/assert";
import { Log } from "./helpers";
import { Scheduler, callSoon, sleepMs, spawn, type Gen, type Host } from "../firmware/sched/index";

declare const setImmediate: (cb: () => void) => unknown;

/** A clock that jumps to the armed deadline on the next host turn; nothing optional. */
function minimalHost(): Host & { lines: string[] } {
  let t = 0;
  let armed = 0;
  const lines: string[] = [];
  return {
    lines,
    now: () => t,
    soon: (cb) => void setImmediate(cb),
    setTimer(deadline, cb) {
      const mine = ++armed;
      setImmediate(() => {
        if (mine !== armed) return;
        if (t < deadline) t = deadline;
        cb();
      });
    },
    clearTimer() {
      armed++;
    },
    print: (line) => void lines.push(line),
  };
}

describe("a host with only the required methods", () => {
  it("runs generator and async tasks, callbacks, sleeps and a task's failure report", async () => {
    const host = minimalHost();
    const log = new Log();
    const result = await new Scheduler(host).run(function* (): Gen<string> {
      callSoon(() => log.add("callback"));
      const a = spawn("async", async () => {
        await sleepMs(3);
        log.add("async slept");
        return "a";
      });
      const g = spawn("gen", function* () {
        yield;
        log.add("gen checkpointed");
        yield* sleepMs(1);
        log.add("gen slept");
        return "g";
      });
      spawn("failing", function* () {
        yield* sleepMs(2);
        throw new Error("unjoined");
      });
      const r = (yield* g.join()) + (yield* a.join());
      yield* sleepMs(1);
      return r;
    });
    assert.equal(result, "ga");
    assert.deepEqual(log.items, ["callback@0", "gen checkpointed@0", "gen slept@1", "async slept@3"]);
    assert.deepEqual(host.lines.map((l) => l.split("\n")[0]), ["task failing: unhandled error in a task nobody awaits: Error: unjoined"]);
  });
});
