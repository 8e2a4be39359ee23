import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { InvalidStateError, checkpoint, spawn, sleepMs, type Gen } from "../firmware/sched/index";
import { Broker, Lock, Queue } from "../firmware/sync/index";
import { isReadNack } from "../drivers/htu21d/htu21d";

// Regression tests for cancellation holes (issue "Cancellation and failures that user code cannot lose").
describe("cancel holes in the primitives", () => {
  it("Queue(1): a getter cancelled after its hand-off, once the queue has refilled, keeps its item: never 2 items", async () => {
    const log = new Log();
    await vrun(function* () {
      const q = new Queue<string>(1);
      const g = spawn(function* () {
        const v = yield* q.get();
        log.add(`g got ${v}`);
        yield* checkpoint(); // the cancel comes here
      });
      yield* checkpoint(); // g waits on the empty queue
      yield* q.put("A"); // handed to g directly
      yield* q.put("B"); // the queue's one slot
      g.cancel(); // before g ran: "A" cannot go back, the queue is full
      assert.equal(q.size, 1);
      try { yield* g.join(); } catch (e) { log.add(`g ${(e as Error).name}`); }
      assert.equal(q.size, 1);
      assert.equal(yield* q.get(), "B");
    });
    assert.deepEqual(log.items, ["g got A@0", "g CancelledError@0"]);
  });

  it("Queue: a getter cancelled after its hand-off with room left gives the item back to the front", async () => {
    await vrun(function* () {
      const q = new Queue<string>(2);
      const g = spawn(function* () { return yield* q.get(); });
      yield* checkpoint();
      yield* q.put("A"); // handed to g
      yield* q.put("B");
      g.cancel();
      try { yield* g.join(); } catch { /* cancelled */ }
      assert.deepEqual([q.getNowait(), q.getNowait()], ["A", "B"]);
    });
  });

  it("Queue: a cancelled putter takes back exactly its own item, even when an equal one follows", async () => {
    await vrun(function* () {
      const q = new Queue<number>(1);
      yield* q.put(0); // full
      const p1 = spawn(function* () { yield* q.put(1); });
      const p2 = spawn(function* () { yield* q.put(2); });
      const p3 = spawn(function* () { yield* q.put(1); });
      yield* checkpoint(); // all three wait
      assert.equal(q.getNowait(), 0); // p1's 1 moves in, p1 woken
      p1.cancel(); // before p1 ran: its 1 comes out, p2's 2 moves in
      try { yield* p1.join(); } catch { /* cancelled */ }
      const got: number[] = [];
      for (let i = 0; i < 2; i++) got.push(yield* q.get());
      yield* p2.join();
      yield* p3.join();
      assert.deepEqual(got, [2, 1]); // p3's 1, after p2's 2: order kept
      assert.equal(q.size, 0);
    });
  });

  it("Lock: a second release() during a hand-off raises InvalidStateError and the waiter keeps the lock", async () => {
    const log = new Log();
    await vrun(function* () {
      const l = new Lock();
      yield* l.acquire();
      const w = spawn(function* (): Gen<void> { yield* l.acquire(); log.add("w has it"); yield* sleepMs(5); l.release(); });
      yield* checkpoint();
      l.release(); // handed to w
      assert.throws(() => l.release(), InvalidStateError);
      log.add("second release: InvalidStateError");
      yield* w.join();
      assert.equal(l.locked, false);
    });
    assert.deepEqual(log.items, ["second release: InvalidStateError@0", "w has it@0"]);
  });
});

describe("HTU21D: only the bus's NACK means 'still converting'", () => {
  it("a read NACK is retried; a closed bus or any other error is raised as it is", () => {
    assert.equal(isReadNack(new Error("read failed: no ACK from 0x40")), true); // the simulated bus
    assert.equal(isReadNack(new Error("read failed")), true); // Moddable's pico and esp32 ports
    assert.equal(isReadNack(new Error("I2C closed")), false);
    assert.equal(isReadNack(new TypeError("read failed")), false);
    assert.equal(isReadNack(new RangeError("invalid count")), false);
    assert.equal(isReadNack("read failed"), false);
  });
});

describe("Broker: task subscribers are bounded", () => {
  it("a burst published from outside tasks starts at most maxTasks tasks; the rest are dropped and counted", async () => {
    const log = new Log();
    await vrun(function* () {
      const bus = new Broker();
      const sub = bus.subscribe("btn/#", function* (topic: string, n: number): Gen<void> {
        yield* sleepMs(10);
        log.add(`${topic} ${n}`);
      });
      sub.maxTasks = 2;
      let delivered = 0;
      for (let i = 0; i < 5; i++) delivered += bus.publish("btn/a", i); // as an IO callback would, in one go
      assert.equal(delivered, 2);
      assert.equal(sub.dropped, 3);
      yield* sleepMs(20);
      assert.equal(bus.publish("btn/a", 5), 1); // room again once they ended
      yield* sleepMs(20);
    });
    assert.deepEqual(log.items, ["btn/a 0@10", "btn/a 1@10", "btn/a 5@30"]);
  });
});
