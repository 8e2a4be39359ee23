import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { current, gather, moveOnAfter, shield, sleepMs, waitFor, type Gen } from "../firmware/sched/index";

// Nested deadlines and the tasks that composites start on the caller's behalf.
describe("nested deadlines and helper tasks", () => {
  it("an outer deadline that passes while an inner one is being cleaned up is not lost: the outer block stops there", async () => {
    const log = new Log();
    await vrun(function* () {
      const outer = yield* moveOnAfter(20, function* () {
        const inner = yield* moveOnAfter(10, function* () {
          try { yield* sleepMs(100); } catch (e) { log.add(`inner block: ${(e as Error).message}`); }
          yield* shield(() => sleepMs(15)); // the outer deadline passes during this cleanup
          log.add("inner cleanup done");
        });
        log.add(`inner returned timedOut=${inner.timedOut}`);
        yield* sleepMs(100);
        log.add("outer block ran on");
      });
      log.add(`outer timedOut=${outer.timedOut}`);
    });
    assert.deepEqual(log.items, ["inner block: deadline of 10 ms exceeded@10", "inner cleanup done@25", "outer timedOut=true@25"]);
  });

  it("an infinite deadline never fires and arms no timer", async () => {
    const r = await vrun(function* () {
      const timers: number[] = [];
      const res = yield* moveOnAfter(Infinity, function* () { timers.push(current().sched.timerCount); yield* sleepMs(50); return "done"; });
      return [res.timedOut, res.value, timers];
    });
    assert.deepEqual(r, [false, "done", [0]]);
  });

  it("helper tasks are named after their caller: gather's children, waitFor's child, an async block run from a generator task", async () => {
    const names = await vrun(function* () {
      const seen: string[] = [];
      const record = function* (...args: unknown[]): Gen<void> { seen.push(`${current().name} (${args.length} arguments)`); yield* sleepMs(1); };
      yield* gather([record, record]);
      yield* waitFor(100, record);
      yield* moveOnAfter(100, async () => { seen.push(current().name); await sleepMs(1); });
      return seen;
    });
    assert.deepEqual(names, ["main/gather0 (0 arguments)", "main/gather1 (0 arguments)", "main/waitFor (0 arguments)", "main/block"]);
  });
});
