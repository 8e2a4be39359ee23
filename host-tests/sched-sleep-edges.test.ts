// Sleeps at their edges: sleeping forever until cancelled, a checkpoint outside a task or after an operation
// that was started but not run, and the VirtualHost's own timer as a test uses it by hand.
import { assert } from "./lib/assert";
import { Log, errorText, raised, vrun } from "./helpers";
import { VirtualHost, checkpoint, runOn, isCancelled, sleepMs, spawn, type Gen } from "../firmware/sched/index";

describe("sleep edges", () => {
  it("sleepMs(Infinity) sleeps until cancelled; the cancel ends it with CancelledError and nothing is reported", async () => {
    const host = new VirtualHost();
    const log = new Log();
    await runOn(host, function* (): Gen<void> {
      const forever = spawn("forever", function* () {
        const e = yield* raised(sleepMs(Infinity));
        log.add(`woken by ${isCancelled(e) ? "a cancel" : errorText(e)}`);
      });
      yield* sleepMs(1000);
      forever.cancel();
      yield* forever.join();
    });
    assert.deepEqual(log.items, ["woken by a cancel@1000"]);
    assert.deepEqual(host.lines, []);
  });

  it("checkpoint() outside a task, or after an operation started without yield*, raises a clear error", async () => {
    assert.throws(() => checkpoint(), /no task is running here/);
    const log = new Log();
    await vrun(function* (): Gen<void> {
      void sleepMs(5); // started, never run
      const e = yield* raised((function* () { yield* checkpoint(); })());
      log.add(errorText(e));
      yield* sleepMs(1);
      log.add("the task goes on");
    });
    assert.deepEqual(log.items, ["InvalidStateError: task main: an operation was started but never run (missing yield*?)@0", "the task goes on@1"]);
  });
});

describe("VirtualHost's timer by hand (autojump off)", () => {
  it("advance() fires the armed timer once, when its deadline is reached; a replaced or cleared one never", () => {
    const host = new VirtualHost({ autojump: false });
    const fired: string[] = [];
    host.setTimer(10, () => fired.push(`a@${host.now()}`));
    host.advance(5);
    host.advance(5);
    host.advance(20);
    host.setTimer(40, () => fired.push(`b@${host.now()}`));
    host.setTimer(45, () => fired.push(`c@${host.now()}`));
    host.advance(15);
    host.setTimer(50, () => fired.push(`d@${host.now()}`));
    host.clearTimer();
    host.advance(100);
    assert.deepEqual(fired, ["a@10", "c@45"]);
  });
});
