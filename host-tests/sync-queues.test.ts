import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { CancelledError, ClosedError, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Queue, QueueEmpty, QueueFull, RingbufQueue } from "../firmware/sync/index";

/** Drain `q` without waiting. */
function drain<T>(q: Queue<T> | RingbufQueue<T>): T[] {
  const out: T[] = [];
  while (q.size > 0) out.push(q.getNowait());
  return out;
}

// Queues keep every item, in order, whatever the buffer does underneath (wrap-around, growth, items
// handed back by cancelled getters or taken back from cancelled putters).
describe("queue delivery", () => {
  it("an unbounded queue keeps FIFO order while its buffer wraps around and grows", async () => {
    const r = await vrun(function* () {
      const q = new Queue<number>();
      for (let i = 1; i <= 3; i++) q.putNowait(i);
      const first = [q.getNowait(), q.getNowait()];
      for (let i = 4; i <= 30; i++) q.putNowait(i);
      return [first, q.size, drain(q), q.empty];
    });
    assert.deepEqual(r, [[1, 2], 28, Array.from({ length: 28 }, (_v, i) => i + 3), true]);
  });

  it("full and empty: an unbounded queue is never full; a bounded one is full at maxsize", async () => {
    const r = await vrun(function* () {
      const unbounded = new Queue<number>();
      const bounded = new Queue<number>(2);
      const out: string[] = [`new: empty ${unbounded.empty}/${bounded.empty}, full ${unbounded.full}/${bounded.full}`];
      for (let i = 0; i < 100; i++) unbounded.putNowait(i);
      bounded.putNowait(1);
      out.push(`one in: empty ${bounded.empty}, full ${bounded.full}; 100 in unbounded: full ${unbounded.full}, empty ${unbounded.empty}`);
      bounded.putNowait(2);
      out.push(`two in: full ${bounded.full}`);
      try { bounded.putNowait(3); } catch (e) { out.push(`third: ${(e as Error).name}`); }
      const big = new Queue<number>(100);
      for (let i = 0; i < 100; i++) big.putNowait(i); // past the 64 slots it starts with
      out.push(`Queue(100) took 100: full ${big.full}, first ${big.getNowait()}, size ${big.size}`);
      return out;
    });
    assert.deepEqual(r, [
      "new: empty true/true, full false/false",
      "one in: empty false, full false; 100 in unbounded: full false, empty false",
      "two in: full true", "third: QueueFull",
      "Queue(100) took 100: full true, first 0, size 99",
    ]);
  });

  it("a putter blocked on a full queue gets in when an item is taken, in the order the putters came", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<string>(1);
      q.putNowait("a");
      spawn(function* () { yield* q.put("b"); log.add("b in"); });
      spawn(function* () { yield* q.put("c"); log.add("c in"); });
      yield* sleepMs(10);
      log.add(`got ${yield* q.get()}`);
      yield* sleepMs(10);
      log.add(`got ${yield* q.get()}`);
      yield* sleepMs(10);
      log.add(`got ${yield* q.get()}, left ${q.size}`);
    });
    assert.deepEqual(log.items, ["got a@10", "b in@10", "got b@20", "c in@20", "got c, left 0@30"]);
  });

  it("a putter let in and cancelled before it ran takes exactly its item out again, from the middle of a wrapped buffer", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<string>(3);
      for (const x of ["a", "b", "c"]) q.putNowait(x);
      const putter = (item: string) => function* (): Gen<void> {
        try { yield* q.put(item); log.add(`${item} put`); } catch (e) { log.add(`${item}: ${(e as Error).name}`); }
      };
      const d = spawn(putter("d"));
      spawn(putter("e"));
      yield* sleepMs(1);
      const taken = [q.getNowait(), q.getNowait()]; // d and e move in behind c
      d.cancel(); // d has not run yet: its item leaves the queue again
      log.add(`took ${taken.join("")}, then ${drain(q).join("")}`);
      yield* sleepMs(1);
    });
    assert.deepEqual(log.items, ["took ab, then ce@1", "d: CancelledError@1", "e put@1"]);
  });

  it("a putter whose item was already taken when it is cancelled keeps its put; the cancel comes at its next operation", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<string>(1);
      q.putNowait("a");
      const p = spawn(function* () {
        yield* q.put("b");
        log.add("b put");
        try { yield* sleepMs(1); } catch (e) { log.add(`then ${(e as Error).name}`); }
      });
      yield* sleepMs(1);
      log.add(`took ${q.getNowait()}${q.getNowait()}`);
      p.cancel();
      yield* p.join();
    });
    assert.deepEqual(log.items, ["took ab@1", "b put@1", "then CancelledError@1"]);
  });

  it("an item handed to a getter cancelled before it ran goes back to the front, also when the buffer must wrap or grow", async () => {
    const r = await vrun(function* () {
      const out: string[] = [];
      for (const after of [0, 1, 8]) {
        const q = new Queue<string>();
        const g = spawn(function* () { return yield* q.get(); });
        yield* sleepMs(1);
        q.putNowait("x"); // handed to the waiting getter
        for (let i = 0; i < after; i++) q.putNowait(`${i}`);
        g.cancel();
        let got = "";
        try { got = yield* g.join(); } catch (e) { got = (e as Error).name; }
        out.push(`${after} after: getter ${got}, queue ${drain(q).join(",")}`);
      }
      return out;
    });
    assert.deepEqual(r, [
      "0 after: getter CancelledError, queue x",
      "1 after: getter CancelledError, queue x,0",
      "8 after: getter CancelledError, queue x,0,1,2,3,4,5,6,7",
    ]);
  });

  it("close() wakes waiting putters and getters with ClosedError; putNowait after close and a second close", async () => {
    const log = new Log();
    await vrun(function* () {
      const full = new Queue<number>(1);
      full.putNowait(1);
      const empty = new Queue<number>();
      spawn(function* () { try { yield* full.put(2); } catch (e) { log.add(`putter ${(e as Error).name}`); } });
      spawn(function* () { try { yield* empty.get(); } catch (e) { log.add(`getter ${(e as Error).name}`); } });
      yield* sleepMs(5);
      full.close();
      empty.close();
      empty.close();
      yield* sleepMs(1);
      try { full.putNowait(3); } catch (e) { log.add(`putNowait ${(e as Error).name}`); }
      log.add(`drained ${yield* full.get()}`);
      try { yield* full.get(); } catch (e) { log.add(`then ${(e as Error).name}`); }
    });
    assert.deepEqual(log.items, ["putter ClosedError@5", "getter ClosedError@5", "putNowait ClosedError@6", "drained 1@6", "then ClosedError@6"]);
  });

  it("async iteration ends when the queue is closed and drained, but a cancel of the reader is raised", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<number>();
      const reader = spawn(async () => {
        for await (const x of q) log.add(`item ${x}`);
        log.add("loop ended");
      });
      const stuck = spawn(async () => {
        try {
          for await (const x of new Queue<number>()) log.add(`never ${x}`);
        } catch (e) { log.add(`stuck reader: ${(e as Error).name}`); }
      });
      q.putNowait(1);
      yield* sleepMs(5);
      q.putNowait(2);
      q.close();
      yield* reader.join();
      stuck.cancel();
      yield* stuck.join();
    });
    assert.deepEqual(log.items, ["item 1@0", "item 2@5", "loop ended@5", "stuck reader: CancelledError@5"]);
  });

  it("QueueFull and QueueEmpty are WouldBlock errors with their own names", () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    assert.throws(() => q.putNowait(2), (e: Error) => e instanceof QueueFull && e.name === "QueueFull" && e.message === "queue full");
    q.getNowait();
    assert.throws(() => q.getNowait(), (e: Error) => e instanceof QueueEmpty && e.name === "QueueEmpty" && e.message === "queue empty");
    q.close();
    assert.throws(() => q.putNowait(1), (e: Error) => e instanceof ClosedError && e.message === "queue closed");
  });
});

describe("ring buffer queue delivery", () => {
  it("an item handed to a getter cancelled before it ran goes to the next getter, or back to the front (also at slot 0)", async () => {
    const log = new Log();
    await vrun(function* () {
      const rb = new RingbufQueue<string>(3);
      const getter = (name: string) => function* (): Gen<void> {
        try { log.add(`${name} got ${yield* rb.get()}`); } catch (e) { log.add(`${name}: ${(e as Error).name}`); }
      };
      const a = spawn(getter("a"));
      spawn(getter("b"));
      yield* sleepMs(1);
      rb.put("x"); // to a
      a.cancel(); // a gives it to b
      yield* sleepMs(1);
      const c = spawn(getter("c"));
      yield* sleepMs(1);
      rb.put("y"); // to c; the buffer is empty and starts at slot 0
      c.cancel(); // y goes back to the front
      rb.put("z");
      yield* sleepMs(1);
      log.add(`left ${drain(rb).join("")}, overwritten ${rb.overwritten}, empty ${rb.empty}`);
    });
    assert.deepEqual(log.items, ["a: CancelledError@1", "b got x@1", "c: CancelledError@3", "left yz, overwritten 0, empty true@4"]);
  });

  it("a given-back item that finds the ring full again is the one dropped", async () => {
    const log = new Log();
    await vrun(function* () {
      const rb = new RingbufQueue<string>(2);
      const g = spawn(function* () { try { yield* rb.get(); } catch (e) { log.add((e as Error).name); } });
      yield* sleepMs(1);
      rb.put("old"); // to g
      rb.put("p");
      rb.put("q"); // full
      g.cancel();
      yield* sleepMs(1);
      log.add(`left ${drain(rb).join("")}, overwritten ${rb.overwritten}, full? ${rb.full}`);
    });
    assert.deepEqual(log.items, ["CancelledError@1", "left pq, overwritten 1, full? false@2"]);
  });

  it("cancel of a getter that already ran with its item changes nothing", async () => {
    const r = await vrun(function* () {
      const rb = new RingbufQueue<number>(2);
      const g = spawn(function* () { const v = yield* rb.get(); yield* sleepMs(10); return v; });
      yield* sleepMs(1);
      rb.put(7);
      yield* sleepMs(1);
      g.cancel(new CancelledError("late"));
      let out: unknown;
      try { out = yield* g.join(); } catch (e) { out = (e as Error).message; }
      return [out, rb.size];
    });
    assert.deepEqual(r, ["late", 0]);
  });
});
