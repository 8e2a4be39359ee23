import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { InvalidStateError, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Barrier, BoundedSemaphore, Condition, Event, Lock, Queue, RingbufQueue, Semaphore, ThreadSafeFlag } from "../firmware/sync/index";

// Every wait of every primitive works the same from generator and async tasks, and a wait misused (an
// operation started without yield* just before it) is reported, not silently dropped.
describe("primitives from both kinds of task", () => {
  it("async tasks wait on every primitive and are woken in order", async () => {
    const log = new Log();
    await vrun(async () => {
      const ev = new Event<string>();
      const q = new Queue<string>(1);
      const q2 = new Queue<string>(1);
      q2.putNowait("first");
      const lock = new Lock();
      const sem = new Semaphore(0);
      const rb = new RingbufQueue<string>(2);
      const flag = new ThreadSafeFlag();
      const cond = new Condition();
      const barrier = new Barrier(2);
      const waiters = [
        spawn(async () => log.add(`event ${await ev.wait()}`)),
        spawn(async () => log.add(`queue ${await q.get()}`)),
        spawn(async () => { await q2.put("second"); log.add("queue put"); }),
        spawn(async () => { await lock.acquire(); log.add("lock"); lock.release(); }),
        spawn(async () => { await sem.acquire(); log.add("semaphore"); }),
        spawn(async () => log.add(`ring ${await rb.get()}`)),
        spawn(async () => { await flag.wait(); log.add("flag"); }),
        spawn(async () => { await cond.acquire(); const r = await cond.wait(); log.add(`condition ${r}`); cond.release(); }),
        spawn(async () => { await barrier.wait(); log.add("barrier"); }),
      ];
      await lock.acquire();
      await sleepMs(10);
      ev.set("set");
      q.putNowait("first");
      lock.release();
      sem.release();
      rb.put("put");
      flag.set();
      await cond.acquire();
      cond.notify();
      cond.release();
      log.add(`took ${q2.getNowait()}`);
      await barrier.wait();
      await sleepMs(10);
      log.add(`queue holds ${q2.getNowait()}`);
      for (const w of waiters) await w.join();
    });
    assert.deepEqual(log.items, [
      "took first@10", "event set@10", "queue first@10", "lock@10", "semaphore@10", "ring put@10", "flag@10", "condition true@10",
      "queue put@10", "barrier@10", "queue holds second@20",
    ]);
  });

  it("a Condition wait returns true when notified, in a generator task too", async () => {
    const r = await vrun(function* () {
      const cond = new Condition();
      const results: boolean[] = [];
      const w = (): Gen<void> => (function* () { yield* cond.acquire(); results.push(yield* cond.wait()); cond.release(); })();
      spawn(w);
      spawn(w);
      yield* sleepMs(1);
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* sleepMs(1);
      return results;
    });
    assert.deepEqual(r, [true, true]);
  });

  it("an operation started without yield* right before a wait is reported at that wait (Event, Queue get and put)", async () => {
    const waits: Array<[string, () => unknown]> = [
      ["Event.wait", () => new Event().wait()],
      ["Queue.get", () => new Queue().get()],
      ["Queue.put", () => new Queue().put(1)],
    ];
    for (const [what, w] of waits) {
      await assert.rejects(
        vrun(function* () { void sleepMs(1); yield* w() as Gen<unknown>; }),
        (e: Error) => e instanceof InvalidStateError && e.message === "task main: an operation was started but never run (missing yield*?)",
        what,
      );
    }
  });

  it("an async task that yields* a primitive's wait, or a generator task that awaits one, gets a clear error", async () => {
    await assert.rejects(
      vrun(function* () { yield* sleepMs(1); const ev = new Event(); ev.set(); yield (ev.wait() as unknown); }),
      /yield\*/,
    );
  });

  it("ThreadSafeFlag: a set taken back from a waiter cancelled before it ran goes to the next waiter", async () => {
    const log = new Log();
    await vrun(function* () {
      const flag = new ThreadSafeFlag();
      const first = spawn(function* () { try { yield* flag.wait(); log.add("first woke"); } catch (e) { log.add(`first ${(e as Error).name}`); } });
      yield* sleepMs(1);
      flag.set(); // first is woken...
      first.cancel(); // ...and cancelled before it ran: the set is pending again
      yield* sleepMs(1);
      const second = spawn(function* () { yield* flag.wait(); log.add("second woke"); });
      yield* second.join();
      // a set whose waiter is cancelled after a new waiter has parked goes to that one
      const third = spawn(function* () { try { yield* flag.wait(); log.add("third woke"); } catch (e) { log.add(`third ${(e as Error).name}`); } });
      yield* sleepMs(1);
      const fourth = spawn(function* () { yield* flag.wait(); log.add("fourth woke"); }); // runs first: parks once third was woken
      spawn(function* () { third.cancel(); }); // runs next, before third
      flag.set(); // wakes third, which is queued behind both
      yield* fourth.join();
    });
    assert.deepEqual(log.items, ["first CancelledError@1", "second woke@2", "third CancelledError@3", "fourth woke@3"]);
  });

  it("Semaphore.locked is true exactly when no permit is free; a BoundedSemaphore refuses a release past its value", async () => {
    const r = await vrun(function* () {
      const s = new Semaphore(2);
      const out: string[] = [`free 2: ${s.locked}`];
      s.tryAcquire();
      out.push(`free 1: ${s.locked}`);
      s.tryAcquire();
      out.push(`free 0: ${s.locked}`);
      const b = new BoundedSemaphore(1);
      yield* b.acquire();
      const waiter = spawn(function* () { yield* b.acquire(); return "got it"; });
      yield* sleepMs(1);
      b.release(); // to the waiter: allowed even though the count is back at its bound
      out.push(yield* waiter.join());
      b.release();
      try { b.release(); } catch (e) { out.push((e as Error).message); }
      return out;
    });
    assert.deepEqual(r, ["free 2: false", "free 1: false", "free 0: true", "got it", "BoundedSemaphore released more often than acquired (value 1)"]);
  });
});
