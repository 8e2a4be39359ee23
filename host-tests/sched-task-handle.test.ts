import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  CancelledError, InvalidStateError, Scheduler, VirtualHost, callLater, current, failAfter, moveOnAfter, shield, sleepMs,
  spawn, type Gen, type Task,
} from "../firmware/sched/index";
import { Event } from "../firmware/sync/index";

/** A scheduler on a virtual clock whose exception handler collects "task: message: error" lines. */
function reporting(): { s: Scheduler; reports: string[] } {
  const s = new Scheduler(new VirtualHost());
  const reports: string[] = [];
  s.setExceptionHandler((e, ctx) => reports.push(`${ctx.task !== undefined ? ctx.task.name : "-"}: ${ctx.message}: ${(e as Error).message}`));
  return { s, reports };
}

// What a task handle tells its holder: name, state, outcome, and whether its failure was seen.
describe("task handle", () => {
  it("unnamed tasks are task1, task2, ... in spawn order; a name can be changed and shows in toString()", async () => {
    const names = await vrun(function* () {
      const a = spawn(function* () { yield* sleepMs(5); });
      const b = spawn(function* () { yield* sleepMs(5); });
      const c = spawn("named", function* () { yield* sleepMs(5); });
      yield* sleepMs(1);
      b.name = "renamed";
      return [current().name, a.name, b.name, c.name, String(b), String(a)];
    });
    assert.deepEqual(names, ["main", "task1", "renamed", "named", "Task(renamed, waiting)", "Task(task1, waiting)"]);
  });

  it("state goes new, ready, running, waiting, done; a cancelled task is ready until it runs, and new if it never started", async () => {
    const seen: string[] = [];
    await vrun(function* () {
      const ev = new Event();
      const t: Task = spawn(function* () {
        seen.push(`inside: ${t.state}`);
        yield* ev.wait();
        yield* sleepMs(100);
      });
      seen.push(`spawned: ${t.state}`);
      yield* sleepMs(1);
      seen.push(`parked: ${t.state}`);
      ev.set();
      seen.push(`woken: ${t.state}`);
      yield* sleepMs(1);
      t.cancel();
      seen.push(`cancelled while sleeping: ${t.state}`);
      try { yield* t.join(); } catch { /* its cancel */ }
      seen.push(`after: ${t.state}`);
      const never = spawn(function* () { yield* sleepMs(1); });
      never.cancel();
      seen.push(`cancelled before it started: ${never.state}`);
      try { yield* never.join(); } catch { /* its cancel */ }
      seen.push(`then: ${never.state}`);
      const failing = spawn(function* () { yield* sleepMs(1); throw new Error("x"); });
      try { yield* failing.join(); } catch { /* x */ }
      seen.push(`failed: ${failing.state}`);
    });
    assert.deepEqual(seen, [
      "spawned: new", "inside: running", "parked: waiting", "woken: ready", "cancelled while sleeping: ready", "after: done",
      "cancelled before it started: new", "then: done", "failed: done",
    ]);
  });

  it("cancelled is true only for a task that ended by a CancelledError", async () => {
    const r = await vrun(function* () {
      const ok = spawn(function* () { yield* sleepMs(1); return 1; });
      const failed = spawn(function* () { yield* sleepMs(1); throw new Error("x"); });
      const returnsCancel = spawn(function* () { yield* sleepMs(1); return new CancelledError("just a value"); });
      const cancelled = spawn(function* () { yield* sleepMs(100); });
      yield* sleepMs(5);
      cancelled.cancel();
      yield* sleepMs(1);
      void failed.error; // retrieved: not reported
      return [ok.cancelled, failed.cancelled, returnsCancel.cancelled, cancelled.cancelled];
    });
    assert.deepEqual(r, [false, false, false, true]);
  });

  it("result: not done is an error naming the task; a failure is re-raised; error is undefined until it failed", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const t = spawn("worker", function* () { yield* sleepMs(10); throw new Error("broke"); });
      const ok = spawn(function* () { yield* sleepMs(10); return 7; });
      yield* sleepMs(1);
      try { void t.result; } catch (e) { log.push(`${(e as Error).name}: ${(e as Error).message}`); }
      log.push(`error while running: ${String(t.error)}`);
      yield* sleepMs(10);
      try { void t.result; } catch (e) { log.push(`result re-raises: ${(e as Error).message}`); }
      log.push(`error: ${(t.error as Error).message}`, `ok result: ${ok.result}`, `ok error: ${String(ok.error)}`);
    });
    assert.deepEqual(log, [
      "InvalidStateError: task worker is not done", "error while running: undefined", "result re-raises: broke", "error: broke",
      "ok result: 7", "ok error: undefined",
    ]);
  });

  it("a failure read through result, error or join is not reported; one nobody reads is, a round later", async () => {
    const { s, reports } = reporting();
    await s.run(function* () {
      const byResult = spawn("byResult", function* () { yield* sleepMs(1); throw new Error("r"); });
      const byError = spawn("byError", function* () { yield* sleepMs(1); throw new Error("e"); });
      spawn("unread", function* () { yield* sleepMs(1); throw new Error("u"); });
      // a task with a deadline (its handle has extra state) that fails is reported all the same
      spawn("deadline", function* () { yield* failAfter(100, () => sleepMs(1)); throw new Error("d"); });
      const byJoin = spawn("byJoin", function* () { yield* sleepMs(1); throw new Error("j"); });
      try { yield* byJoin.join(); } catch { /* read */ }
      try { void byResult.result; } catch { /* read */ }
      void byError.error;
      yield* sleepMs(10);
    });
    assert.deepEqual(reports, [
      "unread: unhandled error in a task nobody awaits: u",
      "deadline: unhandled error in a task nobody awaits: d",
    ]);
  });

  it("cancel() returns true for a task that has not started, is ready, or waits, and false once it is done", async () => {
    const r = await vrun(function* () {
      const fresh = spawn(function* () { yield* sleepMs(1); });
      const a = fresh.cancel();
      const ev = new Event();
      const ready = spawn(function* () { yield* ev.wait(); yield* sleepMs(1); });
      const sleeping = spawn(function* () { yield* sleepMs(100); });
      yield* sleepMs(1);
      ev.set();
      const b = ready.cancel();
      const c = sleeping.cancel();
      yield* sleepMs(1);
      const done = spawn(function* () { return 1; });
      yield* done.join();
      return [a, b, c, done.cancel(), fresh.cancel(), ready.cancel(), sleeping.cancel(), ready.cancelled];
    });
    assert.deepEqual(r, [true, true, true, false, false, false, false, true]);
  });

  it("a cancel that arrives while a timed-out block cleans up in a shield is not lost: the first reason is raised", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try {
          const r = yield* moveOnAfter(20, function* () {
            try { yield* sleepMs(100); } catch (e) { log.add(`block: ${(e as Error).message}`); }
            yield* shield(() => sleepMs(30)); // cleanup after the deadline passed
            log.add("cleanup done");
          });
          log.add(`moveOnAfter returned timedOut=${r.timedOut}`);
        } catch (e) {
          log.add(`task: ${(e as Error).message}`);
        }
      });
      yield* sleepMs(30);
      t.cancel(new CancelledError("first"));
      yield* sleepMs(5);
      t.cancel(new CancelledError("second"));
      yield* t.join();
    });
    assert.deepEqual(log.items, ["block: deadline of 20 ms exceeded@20", "cleanup done@50", "task: first@50"]);
  });

  it("a negative delay counts as 0: callbacks due at the same instant run in the order they were armed", async () => {
    const log = new Log();
    await vrun(function* () {
      callLater(0, () => log.add("armed first, 0"));
      callLater(-5, () => log.add("armed second, -5"));
      yield* sleepMs(1);
    });
    assert.deepEqual(log.items, ["armed first, 0@0", "armed second, -5@0"]);
  });

  it("a task failing with something that is not an Error is reported as its text", async () => {
    const host = new VirtualHost();
    await new Scheduler(host).run(function* () {
      spawn("thrower", function* (): Gen<void> { yield* sleepMs(1); throw "plain text"; });
      yield* sleepMs(5);
    });
    assert.deepEqual(host.lines, ["task thrower: unhandled error in a task nobody awaits: plain text"]);
  });

  it("cannot cancel itself: the error names the task", async () => {
    await assert.rejects(
      vrun(function* () { yield* sleepMs(1); current().cancel(); }),
      (e: Error) => e instanceof InvalidStateError && e.message === "task main cannot cancel itself",
    );
  });
});
