// The round loop at its edges: a task alone in the run queue, and the end of the program.
import { assert } from "./lib/assert";
import { Log } from "./helpers";
import { VirtualHost, runOn, sleepMs, spawn, type Gen } from "../firmware/sched/index";

declare const setImmediate: (cb: () => void) => unknown;

describe("round edges", () => {
  it("a task alone in the run queue (nobody joins it) checkpoints with bare yields, round after round", async () => {
    const host = new VirtualHost();
    const log = new Log();
    await runOn(host, function* (): Gen<void> {
      spawn("alone", function* () {
        for (let i = 0; i < 3; i++) {
          yield;
          log.add(`round ${i}`);
        }
      });
      yield* sleepMs(10); // main waits in the timer heap: the child is alone in the queue
    });
    assert.deepEqual(log.items, ["round 0@0", "round 1@0", "round 2@0"]);
    assert.deepEqual(host.lines, []);
  });

  it("when main returns, the virtual clock stays where it ended: a sleeper left behind does not move it", async () => {
    const host = new VirtualHost();
    await runOn(host, function* (): Gen<void> {
      spawn("left behind", function* () {
        yield* sleepMs(100);
      });
      yield* sleepMs(10);
    });
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    assert.equal(host.now(), 10);
  });

  for (const stepCost of [0, 0.001]) {
    it(`when main returns, the tasks after it in the same round stay frozen (stepCost ${stepCost}: the ${stepCost === 0 ? "hot" : "general"} path)`, async () => {
      const log: string[] = [];
      await runOn(new VirtualHost({ stepCost }), function* (): Gen<void> {
        for (const name of ["b", "c"]) {
          spawn(name, function* () {
            for (let i = 0; ; i++) {
              log.push(`${name} ${i}`);
              yield* sleepMs(1);
            }
          });
        }
        yield* sleepMs(3); // main wakes with b and c in the same round, ahead of them
        log.push("main returns");
      });
      await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
      assert.deepEqual(log, ["b 0", "c 0", "b 1", "c 1", "b 2", "c 2", "main returns"]);
    });
  }
});
