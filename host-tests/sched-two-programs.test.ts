// Two programs on two schedulers at once (a test runner, a simulated board next to the real one): one
// ending leaves the other in charge of the calls made outside any task.
import { assert } from "./lib/assert";
import { VirtualHost, activeScheduler, callSoon, runOn, sleepMs } from "../firmware/sched/index";
import { Event } from "../firmware/sync/index";

describe("two programs at once", () => {
  it("when the first program ends, callSoon() from outside any task goes to the one still running", async () => {
    const log: string[] = [];
    const woken = new Event();
    const first = runOn(new VirtualHost(), function* () {
      yield* sleepMs(5);
      return "first done";
    });
    const second = runOn(new VirtualHost(), function* () {
      yield* woken.wait();
      return "second woken";
    });
    log.push(await first);
    callSoon(() => {
      log.push("callback ran");
      woken.set();
    });
    log.push(await second);
    assert.deepEqual(log, ["first done", "callback ran", "second woken"]);
    assert.throws(() => activeScheduler(), { name: "InvalidStateError", message: "no scheduler is running: start one with run(fn, ...args)" });
  });
});
