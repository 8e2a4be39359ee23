import { assert } from "./lib/assert";
import { TimeoutError, failAfter, runOn, sleepMs, spawn } from "../firmware/sched/index";
import { NodeHost } from "../host/node-host";
import { setThreadRunner, toThread } from "../drivers/thread/index";
import { installNodeThreads } from "../host/thread-node";

/** Blocking work: a busy loop for `ms` of wall time, returning how many rounds it made. */
function spin(ms: number): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

describe("toThread on Node (worker_threads)", () => {
  before(() => installNodeThreads());
  after(() => setThreadRunner(null));

  it("runs blocking work in a worker while the scheduler keeps running tasks", async () => {
    await runOn(new NodeHost(), function* () {
      let ticks = 0;
      const ticker = spawn(function* () {
        for (;;) {
          yield* sleepMs(5);
          ticks++;
        }
      });
      const rounds = yield* toThread(spin, 300);
      ticker.cancel();
      assert.ok(rounds > 0);
      assert.ok(ticks > 0, "the loop ran while the worker spun (blocking on the loop would leave 0)");
    });
  });

  it("brings back errors, and a timeout terminates the worker", async () => {
    await runOn(new NodeHost(), async () => {
      await assert.rejects(async () => toThread(() => { throw new RangeError("in the worker"); }), /in the worker/);
      await assert.rejects(async () => failAfter(100, () => toThread(spin, 5000)), TimeoutError);
      assert.equal(await toThread((a: number[]) => a.reduce((x, y) => x + y, 0), [1, 2, 3]), 6);
    });
  });
});
