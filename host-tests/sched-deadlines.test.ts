import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { current, gather, moveOnAfter, shield, sleepMs, spawn, waitFor, type Gen } from "../firmware/sched/index";
import { Event } from "../firmware/sync/index";

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

  it("a sleeper's deadline can be moved (the control plane's schedules do it); anything but a sleeping task is left alone", async () => {
    const log = new Log();
    await vrun(function* () {
      const s = current().sched;
      const ev = new Event();
      const sleeper = spawn("sleeper", function* () { yield* sleepMs(100); log.add("sleeper woke"); });
      const waiter = spawn("waiter", function* () { yield* ev.wait(); log.add("waiter woke"); });
      const finished = spawn(function* () { /* ends at once */ });
      yield* sleepMs(10);
      log.add(`moved: sleeper ${s.moveSleep(sleeper, 30)}, waiter ${s.moveSleep(waiter, 30)}, finished task ${s.moveSleep(finished, 30)}`);
      yield* sleepMs(50);
      log.add(`after: sleeper ${s.moveSleep(sleeper, 80)}, waiter ${waiter.state}`);
      ev.set();
      yield* waiter.join();
    });
    assert.deepEqual(log.items, ["moved: sleeper true, waiter false, finished task false@10", "sleeper woke@30", "after: sleeper false, waiter waiting@60", "waiter woke@60"]);
  });
});
