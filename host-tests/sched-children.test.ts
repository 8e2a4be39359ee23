import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  CancelledError, InvalidStateError, Scheduler, TaskGroupError, VirtualHost, external, failAfter, gather, shield, sleepMs, spawn,
  taskGroup,
  type Gen, type TaskStatus,
} from "../firmware/sched/index";

/** A child that sleeps until cancelled, then takes `ms` to clean up (shielded). */
function* cleanupTakes(log: Log, name: string, ms: number): Gen<void> {
  try { yield* sleepMs(1000); } finally { yield* shield(() => sleepMs(ms)); log.add(`${name} cleaned up`); }
}

// Waiting for children: gather, task groups, external promises. Cancels reach every child and the caller
// hears of it only once they have all finished.
describe("waiting for children", () => {
  it("gather of tasks that already finished gives their results at once, or raises the failure (returnExceptions keeps it)", async () => {
    const r = await vrun(function* () {
      const ok = spawn(function* () { return "ok"; });
      const bad = spawn(function* () { throw new Error("bad"); });
      yield* sleepMs(1);
      const kept = yield* gather([ok, bad], { returnExceptions: true });
      let raised = "";
      try { yield* gather([ok, bad]); } catch (e) { raised = (e as Error).message; }
      const mixed = yield* gather([ok, () => "fresh"]);
      return [kept[0], (kept[1] as Error).message, raised, mixed];
    });
    assert.deepEqual(r, ["ok", "bad", "bad", ["ok", "fresh"]]);
  });

  it("a cancelled gather raises CancelledError only after every child's cleanup has finished", async () => {
    const log = new Log();
    await vrun(function* () {
      const caller = spawn(function* () {
        try {
          yield* gather([() => cleanupTakes(log, "a", 20), () => cleanupTakes(log, "b", 30)]);
        } catch (e) { log.add(`caller ${(e as Error).name}`); }
      });
      yield* sleepMs(10);
      caller.cancel();
      yield* caller.join();
    });
    assert.deepEqual(log.items, ["a cleaned up@30", "b cleaned up@40", "caller CancelledError@40"]);
  });

  it("after a gather raised its first failure, a later failure is reported, a later success or cancel is not", async () => {
    const reports: string[] = [];
    const s = new Scheduler(new VirtualHost());
    s.setExceptionHandler((e, ctx) => reports.push(`${ctx.message}: ${(e as Error).message}`));
    const log = new Log();
    await s.run(function* () {
      const victim = spawn(function* () { yield* sleepMs(40); });
      try {
        yield* gather([
          function* () { yield* sleepMs(10); throw new Error("first"); },
          function* () { yield* sleepMs(20); return "late success"; },
          function* () { yield* sleepMs(30); throw new Error("late failure"); },
          victim,
        ]);
      } catch (e) { log.add(`gather raised ${(e as Error).message}`); }
      yield* sleepMs(25);
      victim.cancel();
      yield* sleepMs(100);
    });
    assert.deepEqual(log.items, ["gather raised first@10"]);
    assert.deepEqual(reports, ["failed after its gather had already failed: late failure"]);
  });

  it("a group cancelled while waiting for its children waits for their cleanup, then raises the cancel", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner = spawn(function* () {
        try {
          yield* taskGroup(function* (g) {
            g.spawn(cleanupTakes, log, "a", 20);
            g.spawn(cleanupTakes, log, "b", 5);
            log.add(`body done, ${g.running} running`);
          });
        } catch (e) { log.add(`owner ${(e as Error).message}`); }
      });
      yield* sleepMs(10);
      owner.cancel(new CancelledError("stop"));
      yield* owner.join();
    });
    assert.deepEqual(log.items, ["body done, 2 running@0", "b cleaned up@15", "a cleaned up@30", "owner stop@30"]);
  });

  it("a group whose body was cancelled from outside raises that cancel, not the group's own", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner = spawn(function* () {
        try {
          yield* taskGroup(function* (g) {
            g.spawn(function* () { yield* sleepMs(5); log.add("child ran"); });
            yield* sleepMs(100);
          });
        } catch (e) { log.add(`owner ${(e as Error).message}`); }
        yield* sleepMs(1); // the swallowed cancel ends the task here
        log.add("not reached");
      });
      yield* sleepMs(10);
      owner.cancel(new CancelledError("outer"));
      try { yield* owner.join(); } catch (e) { log.add(`owner ended: ${(e as Error).message}`); }
    });
    assert.deepEqual(log.items, ["child ran@5", "owner outer@10", "owner ended: outer@10"]);
  });

  it("a group cancelled by its own cancel() ends quietly; one failing child is raised as itself, not wrapped", async () => {
    const r = await vrun(function* () {
      const quiet = yield* taskGroup(function* (g) {
        g.spawn(function* () { yield* sleepMs(100); });
        yield* sleepMs(5);
        g.cancel();
        yield* sleepMs(100);
        return "unreachable";
      });
      const err = new Error("only one");
      let raised: unknown;
      try {
        yield* taskGroup(function* (g) { g.spawn(function* () { yield* sleepMs(1); throw err; }); });
      } catch (e) { raised = e; }
      const after = yield* taskGroup(function* (g) { g.spawn(function* () { yield* sleepMs(1); }); return "value"; });
      return [quiet, raised === err, after];
    });
    assert.deepEqual(r, [undefined, true, "value"]);
  });

  it("TaskGroupError lists every failure in its message", () => {
    const e = new TaskGroupError([new Error("one"), new InvalidStateError("two"), "three"]);
    assert.equal(e.message, "3 tasks failed: Error: one; InvalidStateError: two; three");
    assert.equal(e.name, "TaskGroupError");
  });

  it("start(): a child that fails before started() fails the group, one that returns is an error in the starter; cancelling the starter cancels the child", async () => {
    const log = new Log();
    await vrun(function* () {
      try {
        yield* taskGroup(function* (g) {
          try { yield* g.start(function* () { yield* sleepMs(5); throw new Error("could not bind"); }); } catch (e) { log.add((e as Error).message); }
        });
      } catch (e) { log.add(`group: ${(e as Error).message}`); }
    });
    await vrun(function* () {
      try {
        yield* taskGroup(function* (g) {
          try { yield* g.start(function* () { yield* sleepMs(5); return 1; }); } catch (e) { log.add((e as Error).message); }
        });
      } catch (e) { log.add(`group: ${(e as Error).message}`); }
    });
    await vrun(function* () {
      const starter = spawn(function* () {
        try {
          yield* taskGroup(function* (g) {
            yield* g.start(function* (status: TaskStatus) {
              try { yield* sleepMs(100); status.started(); } finally { log.add("child cancelled before it started"); }
            });
          });
        } catch (e) { log.add(`starter ${(e as Error).name}`); }
      });
      yield* sleepMs(10);
      starter.cancel();
      yield* starter.join();
    });
    assert.deepEqual(log.items, [
      // the group hears of the failure first: it cancels the body, then raises the child's error
      "task group cancelled@5", "group: could not bind@5",
      "task task1 finished without calling started()@5",
      "child cancelled before it started@10", "starter CancelledError@10",
    ]);
  });

  it("started() twice, or after the starter gave up, wakes nobody", async () => {
    const log = new Log();
    await vrun(function* () {
      yield* taskGroup(function* (g) {
        const v = yield* g.start(function* (status: TaskStatus<number>) {
          status.started(1);
          status.started(2);
          yield* sleepMs(10);
          status.started(3);
          log.add("child done");
        });
        log.add(`started with ${v}`);
        yield* sleepMs(20);
        log.add("body done");
      });
    });
    assert.deepEqual(log.items, ["started with 1@0", "child done@10", "body done@20"]);
  });

  it("external(): a rejection is raised in the task; an outcome that arrives after a cancel is ignored", async () => {
    const log = new Log();
    let settleLate: (v: string) => void = () => undefined;
    let rejectLate: (e: Error) => void = () => undefined;
    await vrun(function* () {
      try { yield* external(Promise.reject(new Error("refused"))); } catch (e) { log.add(`rejected: ${(e as Error).message}`); }
      const waiter = spawn(function* () {
        try { yield* failAfter(5, () => external(new Promise<string>((ok) => { settleLate = ok; }))); } catch (e) { log.add(`waiter ${(e as Error).name}`); }
        try { yield* failAfter(5, () => external(new Promise<string>((_ok, fail) => { rejectLate = fail; }))); } catch (e) { log.add(`waiter ${(e as Error).name}`); }
        yield* sleepMs(20);
        log.add("waiter slept on undisturbed");
      });
      yield* sleepMs(12);
      settleLate("too late");
      rejectLate(new Error("too late"));
      yield* external(Promise.resolve());
      yield* waiter.join();
    });
    assert.deepEqual(log.items, ["rejected: refused@0", "waiter TimeoutError@5", "waiter TimeoutError@10", "waiter slept on undisturbed@30"]);
  });
});
