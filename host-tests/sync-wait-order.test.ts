import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { WaitQueue, op, sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";
import { Lock } from "../firmware/sync/index";

/** Tasks that each take `lock`, log, hold it 1 ms and release it. */
function contender(lock: Lock, log: Log, name: string): () => Gen<void> {
  return function* () {
    try {
      yield* lock.acquire();
    } catch (e) {
      log.add(`${name} ${(e as Error).name}`);
      return;
    }
    log.add(`${name} has it`);
    yield* sleepMs(1);
    lock.release();
  };
}

// Waiters are served first come, first served, whatever happens to the wait queue between hand-offs:
// newcomers join at the back, a cancelled waiter leaves from any place.
describe("wait order", () => {
  it("a waiter that arrives between hand-offs queues behind the ones already waiting", async () => {
    const log = new Log();
    await vrun(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      for (const n of ["a", "b", "c"]) spawn(contender(lock, log, n));
      yield* sleepMs(1);
      lock.release(); // to a
      yield* sleepMs(0.5);
      spawn(contender(lock, log, "d")); // arrives while b and c wait
      yield* sleepMs(10);
    });
    assert.deepEqual(log.items, ["a has it@1", "b has it@2", "c has it@3", "d has it@4"]);
  });

  it("a cancelled waiter leaves from the middle or the end of the queue; later ones still queue behind the rest", async () => {
    const log = new Log();
    await vrun(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const tasks = ["a", "b", "c", "d"].map((n) => spawn(contender(lock, log, n)));
      yield* sleepMs(1);
      tasks[1]!.cancel(); // the middle
      tasks[3]!.cancel(); // the last
      spawn(contender(lock, log, "e"));
      yield* sleepMs(1);
      lock.release();
      yield* sleepMs(10);
    });
    assert.deepEqual(log.items, ["b CancelledError@1", "d CancelledError@1", "a has it@2", "c has it@3", "e has it@4"]);
  });

  it("WaitQueue, for primitives of your own: FIFO, forEach visits the waiters in order, remove unlinks from anywhere", async () => {
    const r = await vrun(function* () {
      const q = new WaitQueue();
      const park = (t: Task): unknown => { q.push(t); return t.sched.park(t, { abortWait: (w: Task) => { q.remove(w); return false; } }); };
      const tasks = ["w1", "w2", "w3"].map((n) => spawn(n, function* () { yield* op(park, null); return n; }));
      yield* sleepMs(1);
      const names: string[] = [];
      q.forEach((t) => names.push(t.name));
      const removed = [q.remove(tasks[1]!), q.remove(tasks[1]!)];
      const lengths = [q.length];
      tasks[1]!.cancel();
      for (let t = q.shift(); t !== null; t = q.shift()) t.sched.wake(t, undefined);
      lengths.push(q.length);
      const results: string[] = [];
      for (const t of [tasks[0]!, tasks[2]!]) results.push(yield* t.join());
      return [names, removed, lengths, results, q.first];
    });
    assert.deepEqual(r, [["w1", "w2", "w3"], [true, false], [2, 0], ["w1", "w3"], null]);
  });
});
