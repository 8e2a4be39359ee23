import { assert } from "./lib/assert";
import { Log, raised, vrun } from "./helpers";
import { InvalidStateError, TimeoutError, callLater, checkpoint, failAfter, moveOnAfter, sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";
import {
  Barrier, BoundedSemaphore, Condition, Lock, Message, QueueEmpty, RingbufQueue, Semaphore, ThreadSafeFlag,
} from "../firmware/sync/index";

const errName = (e: unknown): string => (e as Error).name;

/** Join `t` and return its error's name, or "ok:<result>". */
function* outcome(t: Task): Gen<string> {
  try {
    return `ok:${String(yield* t.join())}`;
  } catch (e) {
    return errName(e);
  }
}

describe("ThreadSafeFlag", () => {
  it("a set before the wait is remembered (several sets count as one); waking clears it", async () => {
    const log = new Log();
    await vrun(function* () {
      const f = new ThreadSafeFlag();
      f.set();
      f.set();
      assert.equal(f.isSet, true);
      yield* f.wait(); // at once
      assert.equal(f.isSet, false);
      log.add("first");
      const w = spawn(function* () { yield* f.wait(); log.add("second"); });
      yield* sleepMs(5);
      assert.equal(f.waiting, 1);
      callLater(5, () => f.set()); // from a callback, outside any task
      yield* w.join();
      assert.equal(f.isSet, false);
      assert.equal(f.waiting, 0);
    });
    assert.deepEqual(log.items, ["first@0", "second@10"]);
  });

  it("set() from an IO callback wakes an async waiter; clear() forgets a pending set", async () => {
    const r = await vrun(async () => {
      const f = new ThreadSafeFlag();
      f.set();
      f.clear();
      setImmediate(() => f.set());
      await f.wait();
      return f.isSet;
    });
    assert.equal(r, false);
  });

  it("a second concurrent waiter is an InvalidStateError; the first keeps waiting", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const f = new ThreadSafeFlag();
      const a = spawn(function* () { yield* f.wait(); log.push("a woke"); });
      yield* checkpoint();
      try { yield* f.wait(); } catch (e) { log.push(`second: ${errName(e)}`); }
      assert.equal(f.waiting, 1);
      f.set();
      yield* a.join();
    });
    assert.deepEqual(log, ["second: InvalidStateError", "a woke"]);
  });

  it("a cancelled or timed-out waiter leaves; cancelled after set() before it ran, it gives the set back", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const f = new ThreadSafeFlag();
      const r = yield* moveOnAfter(5, function* () { yield* f.wait(); });
      assert.equal(r.timedOut, true);
      assert.equal(f.waiting, 0);
      const w = spawn(function* () { yield* f.wait(); log.push("w woke"); });
      yield* checkpoint();
      f.set(); // w is woken and the flag consumed...
      assert.equal(f.isSet, false);
      w.cancel(); // ...but w is cancelled before it ran: the set is pending again
      log.push(yield* outcome(w));
      assert.equal(f.isSet, true);
      yield* f.wait(); // the next wait gets it
      assert.equal(f.isSet, false);
      log.push("main got the set");
    });
    assert.deepEqual(log, ["CancelledError", "main got the set"]);
  });
});

describe("Message", () => {
  it("set(data) wakes every waiter, FIFO, with the data; value outlives clear(); set message returns at once", async () => {
    const log = new Log();
    await vrun(function* () {
      const m = new Message<string>();
      for (const n of ["a", "b"]) spawn(function* () { log.add(`${n}:${yield* m.wait()}`); });
      spawn(async () => { log.add(`c:${await m.wait()}`); });
      yield* sleepMs(3);
      assert.equal(m.waiting, 3);
      callLater(2, () => m.set("hello")); // from a callback, at 5
      yield* sleepMs(5);
      log.add(`again:${yield* m.wait()}`);
      m.clear();
      assert.equal(m.isSet, false);
      assert.equal(m.value, "hello");
      const r = yield* moveOnAfter(1, function* () { return yield* m.wait(); });
      assert.equal(r.timedOut, true);
      assert.equal(m.waiting, 0);
    });
    assert.deepEqual(log.items, ["a:hello@5", "b:hello@5", "c:hello@5", "again:hello@8"]);
  });

  it("a waiter cancelled after set() before it ran sees CancelledError; the others still get the data", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const m = new Message<number>();
      const a = spawn(function* () { return yield* m.wait(); });
      const b = spawn(function* () { return yield* m.wait(); });
      yield* checkpoint();
      m.set(7);
      a.cancel();
      log.push(yield* outcome(a), yield* outcome(b));
      assert.equal(m.waiting, 0);
    });
    assert.deepEqual(log, ["CancelledError", "ok:7"]);
  });
});

describe("Semaphore", () => {
  it("limits concurrency and hands permits over FIFO", async () => {
    const log = new Log();
    await vrun(function* () {
      const s = new Semaphore(2);
      const user = (n: string, ms: number) => function* () {
        yield* s.acquire();
        log.add(`${n} in`);
        yield* sleepMs(ms);
        log.add(`${n} out`);
        s.release();
      };
      const ts = [spawn(user("a", 10)), spawn(user("b", 5)), spawn(user("c", 1)), spawn(user("d", 1))];
      yield* checkpoint();
      assert.deepEqual(s.stats(), { value: 0, waiting: 2 });
      for (const t of ts) yield* t.join();
      assert.equal(s.value, 2);
    });
    assert.deepEqual(log.items, ["a in@0", "b in@0", "b out@5", "c in@5", "c out@6", "d in@6", "d out@7", "a out@10"]);
  });

  it("a waiter timing out as a permit is released to it: the next waiter gets the permit", async () => {
    // 1 ms per scheduler step, so the release (in main's step at 12) and the deadline (12) meet:
    // the permit is handed to `impatient`, whose deadline fires before it runs.
    const log = new Log();
    await vrun(function* () {
      const s = new Semaphore(1);
      yield* s.acquire();
      const impatient = spawn(function* () {
        try { yield* failAfter(10, function* () { yield* s.acquire(); log.add("impatient got it"); s.release(); }); }
        catch (e) { log.add(`impatient ${errName(e)}`); }
      });
      const patient = spawn(function* () { yield* s.acquire(); log.add("patient got it"); s.release(); });
      yield* sleepMs(10);
      log.add("release");
      s.release(); // handed to impatient (woken, not yet run): patient still waits
      assert.deepEqual(s.stats(), { value: 0, waiting: 1 });
      yield* impatient.join();
      yield* patient.join();
      assert.deepEqual(s.stats(), { value: 1, waiting: 0 });
    }, { stepCost: 1 });
    assert.deepEqual(log.items, ["release@12", "impatient TimeoutError@13", "patient got it@14"]);
  });

  it("a waiter cancelled after the hand-off, before it ran, passes the permit on; a cancelled waiter leaves", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const s = new Semaphore(0);
      const a = spawn(function* () { yield* s.acquire(); log.push("a"); });
      const b = spawn(function* () { yield* s.acquire(); log.push("b"); });
      const c = spawn(async () => { await s.acquire(); log.push("c"); });
      yield* checkpoint();
      assert.equal(s.waiting, 3);
      c.cancel();
      assert.equal(s.waiting, 2);
      s.release(); // to a
      a.cancel(); // before a ran: to b
      log.push(yield* outcome(a), yield* outcome(b), yield* outcome(c));
      assert.deepEqual(s.stats(), { value: 0, waiting: 0 });
      s.release();
      assert.equal(s.value, 1);
    });
    assert.deepEqual(log, ["b", "CancelledError", "ok:undefined", "CancelledError"]);
  });

  it("hold() releases on return, error and cancel, in generator and async tasks", async () => {
    await vrun(function* () {
      const s = new Semaphore(1);
      assert.equal(yield* s.hold(function* (x: number) { yield* sleepMs(1); return x * 2; }, 21), 42);
      assert.equal(s.value, 1);
      assert.match(((yield* raised(s.hold(() => { throw new Error("inside"); }))) as Error).message, /inside/);
      assert.equal(s.value, 1);
      const t = spawn(async () => s.hold(async () => { await sleepMs(100); }));
      yield* sleepMs(1);
      assert.equal(s.locked, true);
      t.cancel();
      yield* outcome(t);
      assert.equal(s.value, 1);
      assert.throws(() => s.hold(42 as never), TypeError);
    });
  });

  it("tryAcquire never waits; bad values are RangeErrors; a plain Semaphore may grow", async () => {
    await vrun(function* () {
      const s = new Semaphore(1);
      assert.equal(s.tryAcquire(), true);
      assert.equal(s.tryAcquire(), false);
      s.release();
      s.release();
      assert.equal(s.value, 2);
      for (const bad of [-1, 1.5, NaN, Infinity, "2"]) assert.throws(() => new Semaphore(bad as number), RangeError);
      assert.equal(new Semaphore().value, 1);
      yield* checkpoint();
    });
  });

  it("BoundedSemaphore: a release beyond the initial value is an InvalidStateError and changes nothing", async () => {
    await vrun(function* () {
      const s = new BoundedSemaphore(2);
      assert.throws(() => s.release(), InvalidStateError);
      assert.equal(s.value, 2);
      yield* s.acquire();
      yield* s.acquire();
      const w = spawn(function* () { yield* s.acquire(); });
      yield* checkpoint();
      s.release(); // handed to w: allowed
      yield* w.join();
      s.release();
      s.release();
      assert.equal(s.value, 2);
      assert.throws(() => s.release(), InvalidStateError);
      assert.equal(s.value, 2);
    });
  });
});

describe("Condition", () => {
  it("notify wakes FIFO (CPython order, not micropython-async's LIFO); notify(2), then notifyAll", async () => {
    const log = new Log();
    await vrun(function* () {
      const c = new Condition();
      const ts = ["w1", "w2", "w3", "w4"].map((n) => spawn(function* () {
        yield* c.hold(function* () { yield* c.wait(); log.add(n); });
      }));
      yield* sleepMs(1);
      assert.equal(c.waiting, 4);
      yield* c.hold(function* () { c.notify(2); });
      yield* sleepMs(1);
      yield* c.hold(function* () { c.notify(); });
      yield* sleepMs(1);
      yield* c.hold(function* () { c.notifyAll(); c.notify(5); });
      for (const t of ts) yield* t.join();
      assert.equal(c.locked, false);
    });
    assert.deepEqual(log.items, ["w1@1", "w2@1", "w3@2", "w4@3"]);
  });

  it("waitFor(predicate) re-checks after each notify, holding the lock (async and generator tasks)", async () => {
    const log = new Log();
    await vrun(async () => {
      const c = new Condition(new Lock());
      const items: number[] = [];
      const consumer = spawn(async () => c.hold(async () => {
        const n = await c.waitFor(() => items.length >= 2 && items.length);
        log.add(`consumer saw ${n} locked=${c.locked}`);
        return items.splice(0);
      }));
      const gen = spawn(function* () {
        yield* c.acquire();
        const v = yield* c.waitFor(() => items.length >= 3 && "three");
        log.add(`gen saw ${v}`);
        c.release();
      });
      for (let i = 1; i <= 3; i++) {
        await sleepMs(1);
        await c.acquire();
        items.push(i);
        c.notifyAll();
        c.release();
      }
      assert.deepEqual(await consumer.join(), [1, 2]);
      await sleepMs(1);
      await c.hold(async () => { items.push(4, 5, 6); c.notifyAll(); });
      await gen.join();
    });
    assert.deepEqual(log.items, ["consumer saw 2 locked=true@2", "gen saw three@4"]);
  });

  it("a wait cancelled re-acquires the lock before CancelledError propagates", async () => {
    const log = new Log();
    await vrun(function* () {
      const c = new Condition();
      const w: Task = spawn(function* () {
        yield* c.acquire();
        try { yield* c.wait(); }
        catch (e) { log.add(`w ${errName(e)} holds=${c.lock.holder === w}`); }
        finally { c.release(); }
      });
      yield* sleepMs(1);
      yield* c.acquire(); // main holds the lock while w waits for a notify
      w.cancel();
      assert.equal(c.waiting, 0); // left the notify queue at once
      yield* checkpoint();
      assert.equal(c.stats().lockWaiting, 1); // and now waits for the lock
      yield* sleepMs(5);
      log.add("main releases");
      c.release();
      yield* w.join();
      assert.equal(c.locked, false);
    });
    assert.deepEqual(log.items, ["main releases@6", "w CancelledError holds=true@6"]);
  });

  it("a wait timing out also re-acquires the lock first (async task)", async () => {
    const log = new Log();
    await vrun(async () => {
      const c = new Condition();
      spawn(function* () { yield* sleepMs(3); yield* c.acquire(); yield* sleepMs(10); log.add("holder releases"); c.release(); });
      await c.acquire();
      try { await failAfter(5, async () => c.wait()); } catch (e) { log.add(`${errName(e)} locked=${c.locked}`); }
      c.release();
    });
    assert.deepEqual(log.items, ["holder releases@13", "TimeoutError locked=true@13"]);
  });

  it("a waiter cancelled after notify, before it ran, passes the notification to the next waiter", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const c = new Condition();
      const mk = (n: string) => spawn(function* () {
        yield* c.hold(function* () { yield* c.wait(); log.push(`${n} notified`); });
      });
      const w1 = mk("w1");
      const w2 = mk("w2");
      const w3 = mk("w3");
      yield* checkpoint();
      yield* c.acquire();
      c.notify(); // wakes w1
      w1.cancel(); // before it ran: w2 is notified instead
      c.release();
      log.push(`w1 ${yield* outcome(w1)}`);
      yield* w2.join();
      assert.equal(c.waiting, 1);
      w3.cancel();
      log.push(`w3 ${yield* outcome(w3)}`);
      assert.equal(c.waiting, 0);
    });
    // w2 logs in its own step; main logs w1's outcome after joining it
    assert.deepEqual(log, ["w2 notified", "w1 CancelledError", "w3 CancelledError"]);
  });

  it("wait/notify without holding the lock is an InvalidStateError", async () => {
    await vrun(function* () {
      const c = new Condition();
      assert.throws(() => c.notify(), InvalidStateError);
      assert.throws(() => c.notifyAll(), InvalidStateError);
      assert.throws(() => c.wait(), InvalidStateError);
      assert.throws(() => c.waitFor(() => true), InvalidStateError);
      const other = spawn(function* () { yield* c.acquire(); yield* sleepMs(5); c.release(); });
      yield* checkpoint();
      assert.throws(() => c.notify(), InvalidStateError); // held by another task
      yield* other.join();
      assert.throws(() => new Condition({} as Lock), TypeError);
      yield* c.acquire();
      assert.throws(() => c.waitFor(5 as never), TypeError);
      c.release();
    });
    await vrun(async () => {
      const c = new Condition();
      await assert.rejects(Promise.resolve().then(() => c.wait()), InvalidStateError);
    });
  });
});

describe("Barrier", () => {
  it("the last arrival runs the callback exactly once per round, to completion, before anyone is released (3 rounds)", async () => {
    const log = new Log();
    let calls = 0;
    await vrun(function* () {
      const b = new Barrier(3, function* (tag: string) {
        calls++;
        log.add(`${tag} start`);
        yield* sleepMs(1);
        log.add(`${tag} end`);
      }, "cb");
      const party = (n: string, ms: number) => function* () {
        for (let r = 0; r < 3; r++) {
          yield* sleepMs(ms);
          log.add(`${n} arrive`);
          yield* b.wait();
          log.add(`${n} pass`);
        }
      };
      const ts = [spawn(party("a", 1)), spawn(party("b", 2)), spawn(party("c", 3))];
      for (const t of ts) yield* t.join();
      assert.equal(b.waiting, 0);
    });
    assert.equal(calls, 3);
    const round = (t: number) => [
      `a arrive@${t + 1}`, `b arrive@${t + 2}`, `c arrive@${t + 3}`, `cb start@${t + 3}`, `cb end@${t + 4}`,
      `c pass@${t + 4}`, `a pass@${t + 4}`, `b pass@${t + 4}`,
    ];
    assert.deepEqual(log.items, [...round(0), ...round(4), ...round(8)]);
  });

  it("a plain-function callback, async and generator parties, arrive() alias", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const b = new Barrier(2, (x: number) => log.push(`cb ${x}`), 7);
      assert.equal(b.parties, 2);
      const a = spawn(async () => { await b.arrive(); log.push("async passed"); });
      yield* checkpoint();
      assert.equal(b.waiting, 1);
      yield* b.wait();
      log.push("gen passed");
      yield* a.join();
      const c = spawn(function* () { yield* b.wait(); log.push("gen2 passed"); });
      yield* checkpoint();
      yield* spawn(async () => { await b.wait(); log.push("async2 passed"); }).join();
      yield* c.join();
    });
    assert.deepEqual(log, ["cb 7", "gen passed", "async passed", "cb 7", "async2 passed", "gen2 passed"]);
  });

  it("an async callback run by a generator arrival, and a generator callback run by an async arrival, complete first", async () => {
    const log = new Log();
    await vrun(function* () {
      const b1 = new Barrier(2, async () => { await sleepMs(2); log.add("async cb done"); });
      const a = spawn(function* () { yield* b1.wait(); log.add("a passed"); });
      yield* checkpoint();
      yield* b1.wait(); // main (generator) is last: the async callback runs in a child task, joined
      log.add("main passed");
      yield* a.join();
      const b2 = new Barrier(2, function* () { yield* sleepMs(3); log.add("gen cb done"); });
      const c = spawn(function* () { yield* b2.wait(); log.add("c passed"); });
      yield* checkpoint();
      yield* spawn(async () => { await b2.wait(); log.add("async last passed"); }).join();
      yield* c.join();
    });
    assert.deepEqual(log.items, ["async cb done@2", "main passed@2", "a passed@2", "gen cb done@5", "async last passed@5", "c passed@5"]);
  });

  it("a cancelled waiter leaves and no longer counts towards the round", async () => {
    const log = new Log();
    await vrun(function* () {
      const b = new Barrier(2);
      const a = spawn(function* () { yield* b.wait(); log.add("a passed"); });
      yield* sleepMs(1);
      a.cancel();
      assert.equal(b.waiting, 0);
      log.add(`a ${yield* outcome(a)}`);
      const c = spawn(function* () { yield* b.wait(); log.add("c passed"); });
      const r = yield* moveOnAfter(2, function* () { yield* b.wait(); });
      assert.equal(r.timedOut, false); // c and main make the round
      log.add("main passed");
      yield* c.join();
      const t = yield* moveOnAfter(2, function* () { yield* b.wait(); });
      assert.equal(t.timedOut, true);
      assert.equal(b.waiting, 0);
    });
    // c had not started when main arrived: main waits, c is the last arrival and goes on first
    assert.deepEqual(log.items, ["a CancelledError@1", "c passed@1", "main passed@1"]);
  });

  it("a waiter released and then cancelled before it ran still passes; the cancel arrives at its next wait", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const b = new Barrier(2);
      const a = spawn(function* () {
        yield* b.wait();
        log.push("a passed");
        yield* sleepMs(1);
        log.push("a slept");
      });
      yield* checkpoint();
      yield* b.wait(); // last arrival: releases a
      a.cancel(); // a has not run yet
      log.push(yield* outcome(a));
    });
    assert.deepEqual(log, ["a passed", "CancelledError"]);
  });

  it("a throwing callback fails the last arrival only; the round completes; bad arguments are rejected", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const b = new Barrier(2, () => { throw new Error("cb failed"); });
      const a = spawn(function* () { yield* b.wait(); log.push("a passed"); });
      yield* checkpoint();
      try { yield* b.wait(); } catch (e) { log.push((e as Error).message); }
      yield* a.join();
      assert.throws(() => new Barrier(0), RangeError);
      assert.throws(() => new Barrier(1.5), RangeError);
      assert.throws(() => new Barrier(2, "x" as never), TypeError);
      yield* new Barrier(1).wait(); // one party: passes at once
    });
    assert.deepEqual(log, ["cb failed", "a passed"]);
  });
});

describe("RingbufQueue", () => {
  it("never blocks the producer: capacity 4, 10 puts -> 6 overwritten, the last 4 in order", async () => {
    await vrun(function* () {
      const q = new RingbufQueue<number>(4);
      for (let i = 0; i < 10; i++) q.put(i);
      assert.equal(q.overwritten, 6);
      assert.equal(q.size, 4);
      assert.equal(q.full, true);
      assert.equal(q.capacity, 4);
      const got: number[] = [];
      for (let i = 0; i < 4; i++) got.push(yield* q.get());
      assert.deepEqual(got, [6, 7, 8, 9]);
      assert.throws(() => q.getNowait(), QueueEmpty);
      q.putNowait(10);
      q.put(11);
      assert.deepEqual([q.getNowait(), q.getNowait()], [10, 11]);
      assert.deepEqual(q.stats(), { size: 0, capacity: 4, overwritten: 6, getters: 0 });
      for (const bad of [0, -1, 2.5, Infinity, "4"]) assert.throws(() => new RingbufQueue(bad as number), RangeError);
    });
  });

  it("getters wait when empty and are served FIFO, also from IO callbacks; async iteration", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new RingbufQueue<string>(2);
      const gs = ["g1", "g2"].map((n) => spawn(function* () { log.add(`${n}:${yield* q.get()}`); }));
      const it = spawn(async () => {
        for await (const x of q) { log.add(`iter:${x}`); if (x === "z") break; }
      });
      yield* sleepMs(1);
      assert.equal(q.waiting, 3);
      callLater(1, () => { q.put("x"); q.put("y"); q.put("z"); }); // outside any task, at 2
      for (const g of gs) yield* g.join();
      yield* it.join();
      assert.equal(q.overwritten, 0);
    });
    assert.deepEqual(log.items, ["g1:x@2", "g2:y@2", "iter:z@2"]);
  });

  it("a getter cancelled after an item was handed to it, before it ran, gives it back to the front or the next getter", async () => {
    await vrun(function* () {
      const q = new RingbufQueue<string>(2);
      const g1 = spawn(function* () { return yield* q.get(); });
      const g2 = spawn(function* () { return yield* q.get(); });
      yield* checkpoint();
      q.put("a"); // handed to g1
      g1.cancel(); // to g2
      assert.equal(yield* outcome(g1), "CancelledError");
      assert.equal(yield* outcome(g2), "ok:a");
      const g3 = spawn(function* () { return yield* q.get(); });
      yield* checkpoint();
      q.put("b"); // handed to g3
      q.put("c");
      g3.cancel(); // "b" back at the front
      assert.equal(q.size, 2);
      assert.equal(q.getNowait(), "b");
      assert.equal(q.getNowait(), "c");
      const g4 = spawn(function* () { return yield* q.get(); });
      yield* checkpoint();
      q.put("d"); // handed to g4
      q.put("e");
      q.put("f"); // full again
      g4.cancel(); // "d" is now the oldest: it is the one dropped
      assert.equal(q.overwritten, 1);
      assert.deepEqual([q.getNowait(), q.getNowait()], ["e", "f"]);
      const r = yield* moveOnAfter(3, function* () { return yield* q.get(); });
      assert.equal(r.timedOut, true);
      assert.equal(q.waiting, 0);
      yield* outcome(g4);
    });
  });
});

export { TimeoutError };
