import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  CancelledError, TimeoutError, spawn, sleepMs, checkpoint, failAfter, moveOnAfter, waitFor, shield, now, type Gen,
} from "../firmware/sched/index";

describe("timeouts", () => {
  it("waitFor returns the result when in time", async () => {
    const r = await vrun(function* () {
      return yield* waitFor(100, function* (x: number) { yield* sleepMs(50); return x * 2; }, 21);
    });
    assert.equal(r, 42);
  });

  it("waitFor: on timeout the child's cancel handlers run to completion, then TimeoutError", async () => {
    const log = new Log();
    await vrun(function* () {
      try {
        yield* waitFor(100, function* () {
          try { yield* sleepMs(1000); } finally { log.add("cleanup start"); yield* shield(() => sleepMs(30)); log.add("cleanup end"); }
        });
      } catch (e) { log.add((e as Error).name); }
    });
    assert.deepEqual(log.items, ["cleanup start@100", "cleanup end@130", "TimeoutError@130"]);
  });

  it("waitFor raises TimeoutError even if the child swallows the cancel", async () => {
    const log = new Log();
    await vrun(async () => {
      try {
        await waitFor(100, async () => {
          try { await sleepMs(1000); } catch { log.add("swallowed"); }
          return "late value";
        });
      } catch (e) { log.add((e as Error).name); }
    });
    assert.deepEqual(log.items, ["swallowed@100", "TimeoutError@100"]);
  });

  it("a task cancelled while in waitFor gets CancelledError and its child is cancelled", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try {
          yield* waitFor(1000, function* () { try { yield* sleepMs(5000); } finally { log.add("child finally"); } });
        } catch (e) { log.add("outer " + (e as Error).name); }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.deepEqual(log.items, ["child finally@10", "outer CancelledError@10"]);
  });

  it("failAfter runs the block in the same task and raises TimeoutError", async () => {
    const log = new Log();
    await vrun(function* () {
      try {
        yield* failAfter(100, function* () { try { yield* sleepMs(500); } finally { log.add("finally"); } });
      } catch (e) { log.add((e as Error).name); }
      const v = yield* failAfter(100, function* () { yield* sleepMs(50); return "ok"; });
      log.add(v);
    });
    assert.deepEqual(log.items, ["finally@100", "TimeoutError@100", "ok@150"]);
  });

  it("failAfter from an async task, with async and generator blocks", async () => {
    const log = new Log();
    await vrun(async () => {
      try { await failAfter(10, async () => { await sleepMs(20); }); } catch (e) { log.add((e as Error).name); }
      try { await failAfter(10, function* () { yield* sleepMs(20); }); } catch (e) { log.add((e as Error).name); }
      log.add(String(await failAfter(10, async (a: number, b: number) => a + b, 2, 3)));
    });
    assert.deepEqual(log.items, ["TimeoutError@10", "TimeoutError@20", "5@20"]);
  });

  it("a generator task may give failAfter an async block (run as a child)", async () => {
    const log = new Log();
    await vrun(function* () {
      try { yield* failAfter(10, async () => { try { await sleepMs(20); } finally { log.add("child finally"); } }); }
      catch (e) { log.add((e as Error).name); }
    });
    assert.deepEqual(log.items, ["child finally@10", "TimeoutError@10"]);
  });

  it("moveOnAfter stops the block and says so", async () => {
    const r = await vrun(function* () {
      const a = yield* moveOnAfter(10, function* () { yield* sleepMs(20); return 1; });
      const b = yield* moveOnAfter(10, function* () { yield* sleepMs(5); return 2; });
      return [a, b, now()];
    });
    assert.deepEqual(r, [{ timedOut: true, value: undefined }, { timedOut: false, value: 2 }, 15]);
  });

  it("deadlines nest: the nearest wins, and an outer deadline passes through the inner scope", async () => {
    const log = new Log();
    await vrun(function* () {
      const inner = yield* moveOnAfter(100, function* () {
        return yield* moveOnAfter(10, function* () { yield* sleepMs(50); });
      });
      log.add(`inner-first ${JSON.stringify(inner)}`);
      const outer = yield* moveOnAfter(10, function* () {
        return yield* moveOnAfter(100, function* () { yield* sleepMs(50); });
      });
      log.add(`outer-first ${JSON.stringify(outer)}`);
    });
    assert.deepEqual(log.items, [
      'inner-first {"timedOut":false,"value":{"timedOut":true}}@10',
      'outer-first {"timedOut":true}@20',
    ]);
  });

  it("a task's own cancel passes through failAfter as CancelledError", async () => {
    let seen: unknown;
    await vrun(function* () {
      const t = spawn(function* () {
        try { yield* failAfter(1000, function* () { yield* sleepMs(5000); }); } catch (e) { seen = e; }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.ok(seen instanceof CancelledError);
    assert.ok(!(seen instanceof TimeoutError));
  });

  it("a finished scope leaves no timer behind: a later sleep is not cut short", async () => {
    const r = await vrun(function* () {
      yield* failAfter(10, function* () { yield* checkpoint(); });
      yield* sleepMs(50);
      return now();
    });
    assert.equal(r, 50);
  });

  it("bad arguments are clear errors", async () => {
    await assert.rejects(vrun(function* () { yield* failAfter(NaN, function* () {}); }), TypeError);
    await assert.rejects(vrun(function* () { yield* failAfter(5, 7 as unknown as () => Gen<void>); }), /function/);
  });
});
