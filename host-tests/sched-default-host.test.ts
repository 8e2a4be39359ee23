// run() without a host: the program runs on the host the platform module installed (setDefaultHost).
// The platform modules install theirs on import; here a virtual one is installed, and left installed (there
// is no way to put back "none"): no test after this one calls run() without expecting some default host.
import { assert } from "./lib/assert";
import { Log } from "./helpers";
import { VirtualHost, run, setDefaultHost, sleepMs, spawn } from "../firmware/sched/index";

describe("run() on the default host", () => {
  it("runs the program on the host setDefaultHost installed: its clock and its output", async () => {
    const host = new VirtualHost({ start: 1000 });
    setDefaultHost(host);
    const log = new Log();
    const result = await run(function* (a: number, b: number) {
      const child = spawn(function* () {
        yield* sleepMs(5);
        throw new Error("nobody joins this");
      });
      yield* sleepMs(10);
      log.add(`main after 10 ms, child done: ${child.done}`);
      return a + b;
    }, 20, 22);
    assert.equal(result, 42);
    assert.deepEqual(log.items, ["main after 10 ms, child done: true@1010"]);
    assert.equal(host.lines.length, 1);
    assert.match(host.lines[0]!, /^task task\d+: unhandled error in a task nobody awaits: Error: nobody joins this/);
  });
});
