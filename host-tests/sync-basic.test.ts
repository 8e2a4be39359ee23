import { assert } from "./lib/assert";
import { Log, raised, rejection, vrun } from "./helpers";
import { InvalidStateError, ClosedError, TimeoutError, spawn, sleepMs, checkpoint, failAfter, moveOnAfter, type Gen } from "../firmware/sched/index";
import { Event, Lock, Queue, QueueEmpty, QueueFull } from "../firmware/sync/index";

describe("Event", () => {
  it("set() wakes every waiter in FIFO order with the value; waiting on a set event returns at once", async () => {
    const log = new Log();
    await vrun(function* () {
      const e = new Event<string>();
      for (const n of ["a", "b", "c"]) spawn(function* () { const v = yield* e.wait(); log.add(`${n}:${v}`); });
      yield* sleepMs(10);
      assert.equal(e.waiting, 3);
      e.set("go");
      yield* sleepMs(1);
      log.add(`again:${yield* e.wait()}`);
    });
    assert.deepEqual(log.items, ["a:go@10", "b:go@10", "c:go@10", "again:go@11"]);
  });

  it("set-then-clear before the waiters ran still releases them", async () => {
    const log: string[] = [];
    await vrun(async () => {
      const e = new Event();
      const ts = [spawn(async () => { await e.wait(); log.push("w1"); }), spawn(function* () { yield* e.wait(); log.push("w2"); })];
      await checkpoint();
      e.set();
      e.clear();
      assert.equal(e.isSet, false);
      for (const t of ts) await t.join();
    });
    assert.deepEqual(log, ["w1", "w2"]);
  });

  it("a set/clear/wait loop cannot monopolise the scheduler", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const e = new Event();
      const other = spawn(function* () { for (let i = 0; i < 3; i++) { log.push("other"); yield* checkpoint(); } });
      spawn(function* () { for (;;) { e.set(); e.clear(); log.push("looper"); yield* checkpoint(); } });
      yield* other.join();
    });
    assert.deepEqual(log.slice(0, 4), ["other", "looper", "other", "looper"]);
  });

  it("a cancel after set() but before the waiter ran wins, and the waiter leaves no trace", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const e = new Event();
      const w = spawn(function* () { try { yield* e.wait(); log.push("woke"); } catch (x) { log.push((x as Error).name); } });
      yield* checkpoint();
      e.set();
      w.cancel();
      yield* w.join();
      const t = spawn(function* () { yield* failAfter(5, function* () { e.clear(); yield* e.wait(); }); });
      try { yield* t.join(); } catch (x) { log.push((x as Error).name); }
      assert.equal(e.waiting, 0);
    });
    assert.deepEqual(log, ["CancelledError", "TimeoutError"]);
  });

  it("set() from an IO callback wakes a waiting async task", async () => {
    const r = await vrun(async () => {
      const e = new Event<number>();
      setImmediate(() => e.set(7));
      return await e.wait();
    });
    assert.equal(r, 7);
  });
});

describe("Lock", () => {
  it("hands off FIFO: release gives the lock to the longest waiter", async () => {
    const log = new Log();
    await vrun(function* () {
      const l = new Lock();
      const user = (n: string, ms: number) => function* () {
        yield* l.acquire();
        log.add(`${n} in`);
        yield* sleepMs(ms);
        log.add(`${n} out`);
        l.release();
      };
      const ts = [spawn(user("a", 10)), spawn(user("b", 5)), spawn(user("c", 1))];
      for (const t of ts) yield* t.join();
      assert.equal(l.locked, false);
    });
    assert.deepEqual(log.items, ["a in@0", "a out@10", "b in@10", "b out@15", "c in@15", "c out@16"]);
  });

  it("a waiter timing out as the holder releases: the next waiter gets the lock", async () => {
    const log = new Log();
    await vrun(function* () {
      const l = new Lock();
      yield* l.acquire();
      const impatient = spawn(function* () {
        try { yield* failAfter(10, function* () { yield* l.acquire(); log.add("impatient got it"); l.release(); }); }
        catch (e) { log.add(`impatient ${(e as Error).name}`); }
      });
      const patient = spawn(function* () { yield* l.acquire(); log.add("patient got it"); l.release(); });
      yield* sleepMs(10); // the deadline fires at 10: impatient is cancelled in the same round we release
      l.release();
      yield* impatient.join();
      yield* patient.join();
      assert.equal(l.locked, false);
    });
    assert.deepEqual(log.items, ["impatient TimeoutError@10", "patient got it@10"]);
  });

  it("a waiter cancelled after the hand-off, before it ran, passes the lock on", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const l = new Lock();
      yield* l.acquire();
      const a = spawn(function* () { yield* l.acquire(); log.push("a"); l.release(); });
      const b = spawn(function* () { yield* l.acquire(); log.push("b"); l.release(); });
      yield* checkpoint();
      l.release(); // handed to a
      a.cancel(); // before a ran: it passes the lock to b
      try { yield* a.join(); } catch (e) { log.push(`a ${(e as Error).name}`); }
      yield* b.join();
      assert.equal(l.locked, false);
    });
    assert.deepEqual(log, ["b", "a CancelledError"]); // b runs in the round where a unwinds
  });

  it("hold() always releases: on return, error and cancel; a cancelled wait releases nothing", async () => {
    await vrun(function* () {
      const l = new Lock();
      assert.equal(yield* l.hold(function* (x: number) { yield* sleepMs(1); return x + 1; }, 1), 2);
      assert.equal(l.locked, false);
      assert.match(((yield* raised(l.hold(async () => { throw new Error("inside"); }))) as Error).message, /inside/);
      assert.equal(l.locked, false);
      const r = yield* moveOnAfter(5, function* () { yield* l.hold(function* () { yield* sleepMs(100); }); });
      assert.equal(r.timedOut, true);
      assert.equal(l.locked, false);
      // a task waiting for the lock is cancelled: the holder keeps it
      yield* l.acquire();
      const w = spawn(function* () { yield* l.hold(function* () { yield* sleepMs(1); }); });
      yield* sleepMs(1);
      w.cancel();
      yield* checkpoint();
      assert.equal(l.locked, true);
      l.release();
    });
  });

  it("releasing an unlocked lock, or re-acquiring one you hold, is an InvalidStateError", async () => {
    await vrun(function* () {
      const l = new Lock();
      assert.throws(() => l.release(), InvalidStateError);
      yield* l.acquire();
      let err: unknown;
      try { yield* l.acquire(); } catch (e) { err = e; }
      assert.ok(err instanceof InvalidStateError);
      l.release();
      assert.equal(l.tryAcquire(), true);
      assert.equal(l.tryAcquire(), false);
    });
  });
});

describe("Queue", () => {
  it("FIFO with blocking put/get and maxsize; waiters served first come, first served", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<number>(2);
      const producer = spawn(function* () { for (let i = 0; i < 5; i++) { yield* q.put(i); log.add(`put ${i}`); } });
      yield* sleepMs(10);
      assert.equal(q.full, true);
      for (let i = 0; i < 5; i++) { log.add(`got ${yield* q.get()}`); yield* sleepMs(1); }
      yield* producer.join();
    });
    assert.deepEqual(log.items, [
      "put 0@0", "put 1@0", "got 0@10", "put 2@10", "got 1@11", "put 3@11", "got 2@12", "put 4@12", "got 3@13", "got 4@14",
    ]);
  });

  it("several getters are served in the order they waited", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const q = new Queue<string>();
      const ts = ["g1", "g2", "g3"].map((n) => spawn(function* () { log.push(`${n}:${yield* q.get()}`); }));
      yield* checkpoint();
      q.putNowait("a"); q.putNowait("b"); q.putNowait("c");
      for (const t of ts) yield* t.join();
    });
    assert.deepEqual(log, ["g1:a", "g2:b", "g3:c"]);
  });

  it("cancelling a getter while an item arrives loses no item", async () => {
    const got: string[] = [];
    await vrun(function* () {
      const q = new Queue<string>();
      const g1 = spawn(function* () { got.push(yield* q.get()); });
      const g2 = spawn(function* () { got.push(yield* q.get()); });
      yield* checkpoint();
      q.putNowait("x"); // handed to g1
      g1.cancel(); // before g1 ran: "x" must go to g2
      yield* g2.join();
      q.putNowait("y");
      const g3 = spawn(function* () { yield* failAfter(5, function* () { got.push(yield* q.get()); }); });
      yield* g3.join();
      assert.equal(q.size, 0);
    });
    assert.deepEqual(got, ["x", "y"]);
  });

  it("a getter that times out leaves the queue: the next item goes to the next getter", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<string>();
      spawn(function* () { try { yield* failAfter(5, function* () { yield* q.get(); }); } catch (e) { log.add((e as Error).name); } });
      const g = spawn(function* () { log.add(`g ${yield* q.get()}`); });
      yield* sleepMs(10);
      assert.equal(q.stats().getters, 1);
      q.putNowait("item");
      yield* g.join();
    });
    assert.deepEqual(log.items, ["TimeoutError@5", "g item@10"]);
  });

  it("a putter cancelled after its item was taken in, before it ran, takes the item back", async () => {
    await vrun(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const p = spawn(function* () { yield* q.put("second"); });
      yield* checkpoint();
      assert.equal(q.getNowait(), "first"); // frees the slot: "second" goes in, p is woken
      assert.equal(q.size, 1);
      p.cancel();
      assert.equal(q.size, 0);
      let err: unknown;
      try { yield* p.join(); } catch (e) { err = e; }
      assert.equal((err as Error).name, "CancelledError");
    });
  });

  it("nowait twins throw QueueFull / QueueEmpty and lose nothing", async () => {
    await vrun(function* () {
      const q = new Queue<number>(1);
      assert.throws(() => q.getNowait(), QueueEmpty);
      q.putNowait(1);
      assert.throws(() => q.putNowait(2), QueueFull);
      assert.equal(q.size, 1);
      assert.equal(q.getNowait(), 1);
      assert.throws(() => new Queue(-1), RangeError);
      yield* checkpoint();
    });
  });

  it("close(): waiters get ClosedError, remaining items drain, async iteration ends", async () => {
    const got: number[] = [];
    await vrun(async () => {
      const q = new Queue<number>();
      const consumer = spawn(async () => { for await (const x of q) got.push(x); return "ended"; });
      for (let i = 0; i < 3; i++) await q.put(i);
      await sleepMs(1);
      q.putNowait(3);
      q.close();
      assert.equal(await consumer.join(), "ended");
      await assert.rejects(Promise.resolve().then(() => q.put(9)), ClosedError);
    });
    assert.deepEqual(got, [0, 1, 2, 3]);
  });

  it("works from async tasks under timeouts", async () => {
    const r = await vrun(async () => {
      const q = new Queue<string>();
      assert.ok((await rejection(() => failAfter(10, async () => q.get()))) instanceof TimeoutError);
      spawn(async () => { await sleepMs(5); await q.put("late"); });
      return await q.get();
    });
    assert.equal(r, "late");
  });
});

export type { Gen };
