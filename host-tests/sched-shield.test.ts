import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { CancelledError, TimeoutError, failAfter, moveOnAfter, shield, sleepMs, spawn, type Gen } from "../firmware/sched/index";

// shield(): cleanup that must finish even while the task is being cancelled. A cancel from outside waits
// for the end of the outermost shield and then applies; a deadline opened inside the shield still works.
describe("shield", () => {
  it("a cancel that arrives inside a shield waits for the block's end, then hits the next operation", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        const v = yield* shield(function* () {
          yield* sleepMs(50);
          log.add("shielded sleep done");
          yield* sleepMs(10); // a second operation inside the shield is not cancelled either
          return "goodbye sent";
        });
        log.add(`shield returned ${v}`);
        try { yield* sleepMs(1); } catch (e) { log.add(`then ${(e as Error).message}`); }
      });
      yield* sleepMs(10);
      t.cancel(new CancelledError("stop now"));
      yield* t.join();
    });
    assert.deepEqual(log.items, ["shielded sleep done@50", "shield returned goodbye sent@60", "then stop now@60"]);
  });

  it("only the first of two cancels that arrive inside a shield is delivered", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try {
          yield* shield(() => sleepMs(30));
          yield* sleepMs(1);
        } catch (e) { log.add((e as Error).message); }
      });
      yield* sleepMs(10);
      t.cancel(new CancelledError("first"));
      yield* sleepMs(10);
      t.cancel(new CancelledError("second"));
      yield* t.join();
    });
    assert.deepEqual(log.items, ["first@30"]);
  });

  it("nested shields: the cancel waits for the outermost one", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try {
          yield* shield(function* () {
            yield* shield(() => sleepMs(20));
            log.add("inner shield over");
            yield* sleepMs(20);
            log.add("outer shield over");
          });
          yield* sleepMs(1);
        } catch (e) { log.add((e as Error).name); }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.deepEqual(log.items, ["inner shield over@20", "outer shield over@40", "CancelledError@40"]);
  });

  it("a deadline around a shield fires when the shield ends: failAfter raises TimeoutError then", async () => {
    const log = new Log();
    await vrun(function* () {
      try {
        yield* failAfter(20, function* () {
          yield* shield(() => sleepMs(50));
          log.add("shield over");
          return "not reached";
        });
      } catch (e) { log.add((e as Error).name); }
      yield* sleepMs(5); // the expired deadline is gone once failAfter has returned
      log.add("after");
    });
    assert.deepEqual(log.items, ["shield over@50", "TimeoutError@50", "after@55"]);
  });

  it("a deadline opened inside a shield still fires on time", async () => {
    const log = new Log();
    await vrun(function* () {
      yield* shield(function* () {
        try { yield* failAfter(15, () => sleepMs(100)); } catch (e) { log.add((e as Error).name); }
        const r = yield* moveOnAfter(5, () => sleepMs(100));
        log.add(`moved on: ${r.timedOut}`);
      });
    });
    assert.deepEqual(log.items, ["TimeoutError@15", "moved on: true@20"]);
  });

  // Fails on main: closing the inner deadline's scope restores the task's own cancel as pending (restoreCancel
  // in sched/timeout.ts falls back to `x.cancelled` without looking at the shield), so failAfter raises the
  // task's CancelledError inside the shield instead of TimeoutError, and the rest of the cleanup is skipped.
  // Seen: ["CancelledError@15"] and the task ends there.
  it("a deadline opened inside a shield still fires on time while a cancel of the task waits for the shield", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        yield* shield(function* () {
          try { yield* failAfter(15, () => sleepMs(100)); } catch (e) { log.add((e as Error).name); }
          const r = yield* moveOnAfter(5, () => sleepMs(100));
          log.add(`moved on: ${r.timedOut}`);
        });
        try { yield* sleepMs(1); } catch (e) { log.add(`then ${(e as Error).name}`); }
      });
      yield* sleepMs(10);
      t.cancel();
      try { yield* t.join(); } catch (e) { log.add(`join ${(e as Error).name}`); }
    });
    assert.deepEqual(log.items, ["TimeoutError@15", "moved on: true@20", "then CancelledError@20"]);
  });

  it("a task that caught its cancel can still clean up in a shield; its next operation outside ends it", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* (): Gen<void> {
        try { yield* sleepMs(100); } catch (e) { log.add(`caught ${(e as Error).name}`); }
        yield* shield(function* () {
          yield* sleepMs(20);
          log.add("cleanup slept");
        });
        yield* sleepMs(1); // the swallowed cancel ends the task here
        log.add("not reached");
      });
      yield* sleepMs(10);
      t.cancel();
      try { yield* t.join(); } catch (e) { log.add(`task ended: ${(e as Error).name}`); }
    });
    assert.deepEqual(log.items, ["caught CancelledError@10", "cleanup slept@30", "task ended: CancelledError@30"]);
  });

  it("a shield that throws still ends: a later cancel is delivered at once", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try { yield* shield(function* () { yield* sleepMs(5); throw new Error("cleanup failed"); }); } catch (e) { log.add((e as Error).message); }
        try { yield* sleepMs(100); } catch (e) { log.add((e as Error).name); }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.deepEqual(log.items, ["cleanup failed@5", "CancelledError@10"]);
  });

  it("an async task's shield defers the cancel the same way", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(async () => {
        await shield(async () => { await sleepMs(30); log.add("shielded"); });
        try { await sleepMs(1); } catch (e) { log.add((e as Error).name); }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.deepEqual(log.items, ["shielded@30", "CancelledError@30"]);
  });

  it("shield needs a function", async () => {
    await assert.rejects(vrun(function* () { yield* shield(42 as never); }), (e: Error) => e instanceof TypeError && /expected a function and its arguments/.test(e.message));
    await assert.rejects(vrun(function* () { yield* failAfter(10, null as never); }), (e: Error) => e instanceof TypeError && /expected a function/.test(e.message));
    await assert.rejects(vrun(function* () { yield* failAfter(10, () => sleepMs(20)); }), TimeoutError);
  });
});
