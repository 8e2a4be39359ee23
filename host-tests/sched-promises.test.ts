// The core's promises in programs that stress them: fast async tasks live, cancelled tasks end, a dead
// task does no work, a cancel is never lost to a wake-up or a deadline.
import { assert } from "./lib/assert";
import { Log, errorText, raised, rejection, vrun } from "./helpers";
import {
  TimeoutError, activeScheduler, callLater, checkpoint, current, failAfter, gather, moveOnAfter,
  sleepMs, spawn, taskGroup, type Gen, type Task,
} from "../firmware/sched/index";
import { Barrier, Queue } from "../firmware/sync/index";
import {
  Jobs, MemoryLineIO, MemoryPrefs, Profiler, RingLog, ServiceManager, TaskRegistry, createConsole,
} from "../firmware/control/index";

describe("the async bridge tells helpers from foreign promises", () => {
  /** An async helper nested `depth` deep that returns a promise at every level. */
  async function nested(depth: number): Promise<number> {
    return depth === 0 ? 0 : 1 + (await nested(depth - 1));
  }

  it("between two operations an async task may await project helpers nested 30 deep", async () => {
    const log = new Log();
    await vrun(async () => {
      await sleepMs(1);
      log.add(`depth ${await nested(30)}`);
      await sleepMs(1);
      log.add("after");
    });
    assert.deepEqual(log.items, ["depth 30@1", "after@2"]);
  });

  it("a foreign await fails the task even after many operations that completed at once", async () => {
    const log = new Log();
    await vrun(async () => {
      const bad = spawn("bad", async () => {
        const q = new Queue<number>(1000);
        for (let i = 0; i < 1000; i++) await q.put(i);
        log.add("queued 1000");
        await new Promise<void>(() => {});
      });
      log.add(errorText(await rejection(() => bad.join())));
    });
    assert.deepEqual(log.items, [
      "queued 1000@0",
      "InvalidStateError: task bad awaited something that is not a scheduler operation: wrap foreign promises with external(promise)@0",
    ]);
  });
});

describe("a failed task never does work again", () => {
  it("an async task failed for a foreign await raises at its next operation; its siblings run as themselves", async () => {
    const log = new Log();
    const q = new Queue<string>(10);
    await vrun(async () => {
      let settle: () => void = () => {};
      const foreign = new Promise<void>((resolve) => { settle = resolve; });
      // settles at 5 ms from a callback that runs in the same round as, and just before, the siblings' wake-up
      callLater(5, () => settle());
      const dead = spawn("dead", async () => {
        await foreign;
        try { await q.put("from the dead task"); } catch (e) { log.add(`dead: ${(e as Error).name}`); }
        try { await sleepMs(1); } catch (e) { log.add(`dead again: ${(e as Error).name}`); }
        log.add("dead: never resumed by the scheduler, runs on as plain JS");
      });
      const sibling = async (name: string): Promise<string> => {
        await sleepMs(5);
        const me = current();
        await q.put(name);
        return `${name} ran as ${current() === me ? "itself" : current().name}`;
      };
      const results = await gather([() => sibling("b"), () => sibling("c")]);
      log.add(results.join(", "));
      log.add(`dead: ${errorText(dead.error)}`);
      const items: string[] = [];
      while (q.size > 0) items.push(q.getNowait());
      log.add(`queue: ${items.join(" ")}`);
    });
    assert.deepEqual(log.items, [
      "dead: InvalidStateError@5",
      "dead again: InvalidStateError@5",
      "dead: never resumed by the scheduler, runs on as plain JS@5",
      "b ran as itself, c ran as itself@5",
      "dead: InvalidStateError: task dead awaited something that is not a scheduler operation: wrap foreign promises with external(promise)@5",
      "queue: b c@5",
    ]);
  });
});

describe("a cancelled task always ends", () => {
  it("a generator task that catches everything in a loop is ended at its next operation; its finally blocks run", async () => {
    const log = new Log();
    let turns = 0;
    await vrun(function* () {
      const t = spawn("spinner", function* () {
        try {
          for (;;) {
            turns++;
            try { yield* sleepMs(10); } catch (e) { log.add(`caught ${(e as Error).name}`); }
          }
        } finally {
          log.add("finally");
        }
      });
      yield* sleepMs(15);
      t.cancel();
      log.add(`joined: ${errorText(yield* raised(t.join()))}`);
      log.add(`state ${t.state}, cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, [
      "caught CancelledError@15",
      "finally@15",
      "joined: CancelledError: task spinner cancelled@15",
      "state done, cancelled true@15",
    ]);
    assert.equal(turns, 3); // two sleeps, then the one that ended it
  });

  it("a bare yield after swallowing the cancel ends a generator task as well", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        for (;;) {
          try { yield; } catch { log.add("caught"); }
        }
      });
      // the spinner is always ready, so virtual time stands still: take turns with checkpoints
      yield* checkpoint();
      t.cancel();
      yield* checkpoint();
      yield* checkpoint();
      log.add(`done ${t.done}, cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, ["caught@0", "done true, cancelled true@0"]);
  });

  it("an async task that catches everything in a loop is abandoned after its cancel was raised twice, and reported once", async () => {
    const log = new Log();
    const reports: string[] = [];
    let turns = 0;
    await vrun(async () => {
      activeScheduler().setExceptionHandler((e, ctx) => reports.push(`${ctx.task?.name}: ${ctx.message}: ${errorText(e)}`));
      const t = spawn("spinner", async () => {
        try {
          for (;;) {
            turns++;
            try { await sleepMs(10); } catch (e) { log.add(`caught ${(e as Error).name}`); }
          }
        } finally {
          log.add("finally (never: the task is abandoned)");
        }
      });
      await sleepMs(15);
      t.cancel();
      log.add(`joined: ${errorText(await rejection(() => t.join()))}`);
      await sleepMs(100);
      log.add(`state ${t.state}, cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, [
      "caught CancelledError@15",
      "caught CancelledError@15",
      "joined: CancelledError: task spinner cancelled@15",
      "state done, cancelled true@115",
    ]);
    assert.equal(turns, 4);
    assert.deepEqual(reports, [
      "spinner: abandoned after catching its cancel 2 times and going on; it is never resumed, so its finally blocks did not run: CancelledError: task spinner cancelled",
    ]);
  });

  it("a task that rethrows from its catch ends normally, with its cleanup operation raising the cancel again", async () => {
    const log = new Log();
    await vrun(async () => {
      const t = spawn("polite", async () => {
        try {
          await sleepMs(100);
        } catch (e) {
          log.add(`caught ${(e as Error).name}`);
          try { await sleepMs(5); } catch (again) { log.add(`cleanup raised ${(again as Error).name}`); }
          throw e;
        }
      });
      await sleepMs(1);
      t.cancel();
      log.add(errorText(await rejection(() => t.join())));
    });
    assert.deepEqual(log.items, [
      "caught CancelledError@1",
      "cleanup raised CancelledError@1",
      "CancelledError: task polite cancelled@1",
    ]);
  });

  it("a profiled generator body is ended too, and its finally blocks run", async () => {
    const log = new Log();
    await vrun(function* () {
      const profiler = new Profiler();
      const body = profiler.wrap("looper", function* () {
        try {
          for (;;) {
            try { yield* sleepMs(10); } catch { log.add("caught"); }
          }
        } finally {
          log.add("finally");
        }
      });
      const t = spawn("looper", body);
      yield* sleepMs(5);
      t.cancel();
      yield* sleepMs(1);
      log.add(`cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, ["caught@5", "finally@5", "cancelled true@6"]);
  });

  it("a cancelled task that swallowed its cancel starts no child for an async block", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try { yield* sleepMs(100); } catch { log.add("swallowed"); }
        yield* taskGroup(async () => { log.add("async block ran"); });
        log.add("after the group");
      });
      yield* sleepMs(1);
      t.cancel();
      yield* sleepMs(10);
      log.add(`cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, ["swallowed@1", "cancelled true@11"]);
  });

  it("service stop of a service whose body catches everything answers stopped; ps and services agree", async () => {
    await vrun(function* () {
      const io = new MemoryLineIO();
      const log = new RingLog(2048, { clock: () => 0 });
      const reg = new TaskRegistry({ log });
      const services = new ServiceManager(reg, { prefs: new MemoryPrefs(), log });
      services.add({
        name: "stubborn",
        tasks: function* () {
          for (;;) { try { yield* sleepMs(10); } catch { /* the bug this test is about */ } }
        },
      });
      services.add({
        name: "stubborn-async",
        tasks: async () => {
          for (;;) { try { await sleepMs(10); } catch { /* the same in an async body */ } }
        },
      });
      const con = createConsole(io, { registry: reg, log, services, jobs: new Jobs() });
      spawn("console", con.run);
      yield* services.boot();
      yield* sleepMs(25);
      io.take();
      const ask = function* (line: string): Gen<string> {
        io.feed(line + "\n");
        yield* sleepMs(1);
        return io.take();
      };
      assert.equal(yield* ask("service stop stubborn"), "stopped: stubborn\n");
      assert.equal(yield* ask("service stop stubborn-async"), "stopped: stubborn-async\n");
      yield* sleepMs(50);
      assert.equal(yield* ask("services"), "○ stubborn [enabled] inactive (stopped)\n○ stubborn-async [enabled] inactive (stopped)\n");
      assert.equal(yield* ask("ps"), "○ stubborn: cancelled @ t+0.025s; 53 ms ago\n○ stubborn-async: cancelled @ t+0.026s; 52 ms ago\n");
    });
  });
});

describe("composites raise a pending cancel before they act (found by the model test)", () => {
  it("a task group started after the task swallowed its cancel starts no child", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* (): Gen<void> {
        try { yield* sleepMs(20); } catch { log.add("swallowed"); }
        yield* taskGroup(function* (g) { g.spawn(function* () { log.add("child ran"); }); });
        log.add("group returned");
      });
      yield* sleepMs(5);
      t.cancel();
      yield* sleepMs(5);
      log.add(`cancelled ${t.cancelled}`);
    });
    assert.deepEqual(log.items, ["swallowed@5", "cancelled true@10"]);
  });

  it("a task group whose owner is cancelled raises CancelledError even if a child fails on its way out", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner = spawn("owner", function* (): Gen<void> {
        try {
          yield* taskGroup(function* (g) {
            g.spawn(function* (): Gen<void> {
              try { yield* sleepMs(100); } catch { /* swallowed */ }
              throw new Error("cleanup failed");
            });
          });
        } catch (e) {
          log.add(`owner got ${errorText(e)}`);
          throw e;
        }
      });
      yield* sleepMs(5);
      owner.cancel();
      yield* sleepMs(5);
    });
    assert.deepEqual(log.items, ["owner got CancelledError: task owner cancelled@5"]);
  });

  it("a cancelled task's Barrier wait raises CancelledError even when it would be the last arrival", async () => {
    const log = new Log();
    await vrun(function* () {
      const barrier = new Barrier(2);
      const other = spawn(function* () { yield* barrier.wait(); log.add("other released"); });
      const late = spawn("late", function* (): Gen<void> {
        try { yield* sleepMs(20); } catch (e) { log.add(`raised at the sleep: ${(e as Error).name}`); throw e; }
      });
      const last = spawn("last", async () => {
        try { await sleepMs(20); } catch { log.add("swallowed"); }
        try { await barrier.wait(); log.add("passed the barrier"); } catch (e) { log.add(`barrier raised ${(e as Error).name}`); throw e; }
      });
      yield* sleepMs(5);
      late.cancel();
      last.cancel();
      yield* sleepMs(5);
      log.add(`waiting ${barrier.waiting}`);
      other.cancel();
    });
    assert.deepEqual(log.items, [
      "raised at the sleep: CancelledError@5",
      "swallowed@5",
      "barrier raised CancelledError@5",
      "waiting 1@10",
    ]);
  });
});

describe("a task cancelled by a composite is cancelled as a whole (found by the model test)", () => {
  it("a task cancelled through a join that swallows its cancel in a loop still ends", async () => {
    const log = new Log();
    await vrun(function* () {
      const svc = spawn("svc", function* (): Gen<void> {
        for (;;) {
          try { yield* sleepMs(10); } catch { log.add("svc swallowed"); }
        }
      });
      const joiner = spawn("joiner", function* () { yield* svc.join(); });
      yield* sleepMs(5);
      joiner.cancel();
      yield* sleepMs(5);
      log.add(`svc ${svc.cancelled ? "cancelled" : svc.state}, joiner ${joiner.cancelled ? "cancelled" : joiner.state}`);
    });
    assert.deepEqual(log.items, ["svc swallowed@5", "svc cancelled, joiner cancelled@10"]);
  });

  it("a task group raises its owner's CancelledError when the owner is cancelled after a child failed", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner: Task = spawn("owner", function* (): Gen<void> {
        try {
          yield* taskGroup(function* (g) {
            g.spawn(function* () { yield* sleepMs(5); throw new Error("child failed"); });
            yield* sleepMs(100);
          });
        } catch (e) {
          log.add(`owner got ${errorText(e)}`);
        }
      });
      yield* sleepMs(1);
      // armed after the child's timer: at 5 the child fails (the group cancels the block), then the owner is cancelled
      spawn(function* () { yield* sleepMs(4); owner.cancel(); });
      yield* sleepMs(10);
    });
    assert.deepEqual(log.items, ["owner got CancelledError: task owner cancelled@5"]);
  });
});

describe("a cancel is never lost", () => {
  function* failing(ms: number, error: Error): Gen<never> {
    yield* sleepMs(ms);
    throw error;
  }

  for (const [what, make] of [
    ["a child's error", () => new Error("boom")],
    ["a child's TimeoutError", () => new TimeoutError("child timed out")],
  ] as const) {
    it(`a cancel that lands after join() was woken with ${what} raises CancelledError in the caller`, async () => {
      const log = new Log();
      await vrun(function* () {
        const child = spawn("child", failing, 10, make());
        const caller = spawn("caller", function* () {
          try { yield* child.join(); log.add("joined"); } catch (e) { log.add(`caller got ${errorText(e)}`); }
        });
        // its timer is armed after the child's: at 10 ms the child fails (waking the caller), then this runs
        spawn(function* () { yield* sleepMs(10); log.add(`cancel ${caller.cancel()}`); });
        yield* sleepMs(20);
      });
      assert.deepEqual(log.items, ["cancel true@10", "caller got CancelledError: task caller cancelled@10"]);
    });

    it(`a cancel that lands after gather() was woken with ${what} raises CancelledError in the caller`, async () => {
      const log = new Log();
      await vrun(function* () {
        const caller = spawn("caller", function* () {
          try {
            yield* gather([() => failing(10, make()), () => sleepMs(100)]);
          } catch (e) {
            log.add(`caller got ${errorText(e)}`);
          }
        });
        yield* sleepMs(10);
        log.add(`cancel ${caller.cancel()}`);
        yield* sleepMs(20);
      });
      assert.deepEqual(log.items, ["cancel true@10", "caller got CancelledError: task caller cancelled@10"]);
    });
  }

  for (const kind of ["moveOnAfter", "failAfter"] as const) {
    it(`${kind}: a cancel from outside that races the deadline passes through it`, async () => {
      const log = new Log();
      await vrun(function* () {
        const t = spawn("t", function* () {
          if (kind === "moveOnAfter") log.add(`timedOut ${(yield* moveOnAfter(10, () => sleepMs(100))).timedOut}`);
          else yield* failAfter(10, () => sleepMs(100));
          return "t returned";
        });
        yield* sleepMs(10); // the deadline fires in the round this wakes in, before this task runs
        log.add(`cancel ${t.cancel()}`);
        log.add(`${errorText(yield* raised(t.join()))}`);
      });
      assert.deepEqual(log.items, ["cancel true@10", "CancelledError: task t cancelled@10"]);
    });
  }
});
