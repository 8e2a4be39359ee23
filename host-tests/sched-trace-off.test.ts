// The trace records only while it is on: `trace stop` (TRACE.stop) stops every hook the scheduler calls,
// so a program that runs after it adds no record (and costs one read of `tracing` per event).
import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { TRACE, callLater, callSoon, now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Event } from "../firmware/sync/index";

describe("task trace, stopped", () => {
  afterEach(() => TRACE.stop());

  it("after stop(), spawns, steps, parks, wakes, timers, callbacks, cancels and ends add no record", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      TRACE.start(now, { records: 64 });
      yield* sleepMs(1); // a few records while on
      TRACE.stop();
    });
    const seq = TRACE.seq;
    assert.ok(seq > 0, "the trace recorded while it was on");
    await vrun(function* (): Gen<void> {
      const ev = new Event();
      callSoon(() => log.add("soon"));
      callLater(2, () => log.add("later"));
      const waiter = spawn("waiter", function* (): Gen<void> {
        yield* ev.wait();
        log.add("waiter woken");
      });
      const sleeper = spawn("sleeper", function* (): Gen<void> {
        try {
          yield* sleepMs(100);
        } finally {
          log.add("sleeper cancelled");
        }
      });
      const spinner = spawn("spinner", function* (): Gen<void> {
        for (let i = 0; i < 3; i++) yield;
        log.add("spinner done");
      });
      const asyncTask = spawn("async", async () => {
        await sleepMs(1);
        log.add("async done");
      });
      yield* sleepMs(5);
      ev.set();
      sleeper.cancel();
      yield* waiter.join();
      yield* spinner.join();
      yield* asyncTask.join();
      assert.equal(sleeper.cancelled, true);
    });
    assert.deepEqual(log.items, ["soon@0", "spinner done@0", "async done@1", "later@2", "waiter woken@5", "sleeper cancelled@5"]);
    assert.equal(TRACE.seq, seq);
  });
});
