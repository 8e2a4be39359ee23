// The primitive of docs/primitives.md, "Writing your own primitive" (examples/primitive/mailbox.ts), built on
// the kernel interface only: it hands items over in order, a cancelled taker leaves at once, and an item
// handed to a taker cancelled before it ran reaches the next taker, or goes back into the box.
import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { Mailbox } from "../examples/primitive/mailbox";
import * as kernel from "xs-async/kernel";
import * as publicApi from "../firmware/sched/index";
import { isCancelled, sleepMs, spawn, type Gen } from "xs-async/kernel";

describe("the kernel interface (firmware/sched/kernel.ts)", () => {
  it("names every export of the public API, each the same object (its list is kept by hand, for Node ESM's named-export detection)", () => {
    const missing = Object.keys(publicApi).filter((name) => (kernel as Record<string, unknown>)[name] !== (publicApi as Record<string, unknown>)[name]);
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(publicApi).length > 40, `${Object.keys(publicApi).length} exports compared`);
  });
});

describe("a primitive of your own (examples/primitive/mailbox.ts)", () => {
  it("hands items to takers in the order they came; a put into a full box is a RangeError", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      const box = new Mailbox<string>();
      const takers = ["a", "b"].map((name) => spawn(function* (): Gen<void> { log.add(`${name} took ${yield* box.take()}`); }));
      yield* sleepMs(1);
      assert.equal(box.waiting, 2);
      box.put("first");
      box.put("second");
      box.put("kept");
      assert.throws(() => box.put("one too many"), RangeError);
      for (const t of takers) yield* t.join();
      log.add(`later took ${yield* box.take()}`);
    });
    assert.deepEqual(log.items, ["a took first@1", "b took second@1", "later took kept@1"]);
  });

  it("a cancelled taker leaves at once; an item handed to a taker cancelled before it ran goes to the next one, or back into the box", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      const box = new Mailbox<string>();
      const taker = (name: string) => spawn(function* (): Gen<void> {
        try {
          log.add(`${name} took ${yield* box.take()}`);
        } catch (e) {
          if (!isCancelled(e)) throw e;
          log.add(`${name} cancelled`);
          throw e;
        }
      });
      const a = taker("a");
      const b = taker("b");
      yield* sleepMs(1);
      a.cancel(); // parked: leaves the queue now
      assert.equal(box.waiting, 1);
      box.put("x"); // handed to b ...
      b.cancel(); // ... which is cancelled before it ran: x goes back into the box
      const c = taker("c");
      yield* c.join();
      assert.deepEqual([a.cancelled, b.cancelled, box.waiting], [true, true, 0]);
    });
    assert.deepEqual(log.items, ["a cancelled@1", "b cancelled@1", "c took x@1"]);
  });
});
