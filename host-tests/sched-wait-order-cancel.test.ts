// FIFO order of waiters after some of them gave up: a cancelled waiter leaves the line, and whoever comes
// later queues behind the ones still waiting (first, middle and last of the line).
import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { moveOnAfter, sleepMs, spawn, type Task } from "../firmware/sched/index";
import { Lock } from "../firmware/sync/index";

describe("waiters that give up leave the line in order", () => {
  it("a Lock's waiters: cancelling the last, then a middle, then the first keeps the rest first come, first served", async () => {
    const log = new Log();
    await vrun(function* () {
      const lock = new Lock();
      const waiter = (name: string): Task => spawn(name, function* () {
        yield* lock.acquire();
        log.add(`${name} has it`);
        yield* sleepMs(1);
        lock.release();
      });
      yield* lock.acquire();
      const w: Record<string, Task> = {};
      for (const name of ["w1", "w2", "w3"]) w[name] = waiter(name);
      yield* sleepMs(1); // all three wait
      w.w3.cancel(); // the last in line
      yield* sleepMs(1);
      w.w4 = waiter("w4");
      yield* sleepMs(1);
      w.w2.cancel(); // one in the middle
      yield* sleepMs(1);
      w.w5 = waiter("w5");
      yield* sleepMs(1);
      w.w1.cancel(); // the first
      yield* sleepMs(1);
      w.w6 = waiter("w6");
      yield* sleepMs(1);
      lock.release();
      // (a waiter lost from the line would keep the program waiting: give up after 50 ms and say so)
      const r = yield* moveOnAfter(50, function* () { for (const name of ["w4", "w5", "w6"]) yield* w[name].join(); });
      if (r.timedOut) log.add("a waiter never got the lock");
      log.add(`cancelled: ${["w1", "w2", "w3"].filter((n) => w[n].cancelled).join(" ")}`);
    });
    assert.deepEqual(log.items, ["w4 has it@7", "w5 has it@8", "w6 has it@9", "cancelled: w1 w2 w3@10"]);
  });
});
