import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  CancelledError, InvalidStateError, TaskGroupError, Scheduler, VirtualHost, spawn, sleepMs, checkpoint, gather, taskGroup,
  type Gen, type TaskStatus,
} from "../firmware/sched/index";

function* after(ms: number, v: unknown): Gen<unknown> {
  yield* sleepMs(ms);
  return v;
}
function* failAt(ms: number, msg: string): Gen<never> {
  yield* sleepMs(ms);
  throw new Error(msg);
}

describe("gather", () => {
  it("returns results in argument order, whatever the finishing order; gather() of nothing is []", async () => {
    const r = await vrun(function* () {
      const t = spawn(after, 5, "task");
      const res = yield* gather([() => after(30, "a"), t, async () => { await sleepMs(10); return "c"; }]);
      return [res, yield* gather([])];
    });
    assert.deepEqual(r, [["a", "task", "c"], []]);
  });

  it("returnExceptions puts errors in place", async () => {
    const r = await vrun(function* () {
      return yield* gather([() => after(5, 1), () => failAt(3, "x"), () => after(1, 3)], { returnExceptions: true });
    });
    assert.equal(r[0], 1);
    assert.match((r[1] as Error).message, /^x$/);
    assert.equal(r[2], 3);
  });

  it("without returnExceptions the first error propagates at once and the siblings keep running", async () => {
    const log = new Log();
    await vrun(function* () {
      const slow = spawn(function* () { yield* sleepMs(50); log.add("sibling done"); });
      try { yield* gather([slow, () => failAt(10, "first"), () => failAt(20, "second")]); }
      catch (e) { log.add((e as Error).message); }
      yield* sleepMs(100);
    });
    assert.deepEqual(log.items, ["first@10", "sibling done@50"]);
  });

  it("cancelling a gather cancels its children, then raises CancelledError", async () => {
    const log = new Log();
    await vrun(function* () {
      const child = (n: string) => function* () { try { yield* sleepMs(1000); } finally { log.add(`${n} finally`); } };
      const t = spawn(function* () {
        try { yield* gather([child("a"), child("b")]); } catch (e) { log.add((e as Error).name); }
      });
      yield* sleepMs(10);
      t.cancel();
      yield* t.join();
    });
    assert.deepEqual(log.items, ["a finally@10", "b finally@10", "CancelledError@10"]);
  });

  it("rejects items that are not tasks or functions", async () => {
    await assert.rejects(vrun(function* () { yield* gather([42 as never]); }), /item 0/);
  });
});

describe("task groups", () => {
  it("the group waits for all its children", async () => {
    const log = new Log();
    await vrun(function* () {
      yield* taskGroup(function* (g) {
        g.spawn(function* () { yield* sleepMs(30); log.add("a"); });
        g.spawn("b", async () => { await sleepMs(10); log.add("b"); });
        log.add("body end");
      });
      log.add("group done");
    });
    assert.deepEqual(log.items, ["body end@0", "b@10", "a@30", "group done@30"]);
  });

  it("the first failure cancels the siblings and the body, and is re-raised", async () => {
    const log = new Log();
    await vrun(function* () {
      try {
        yield* taskGroup(function* (g) {
          g.spawn(function* () { try { yield* sleepMs(1000); } finally { log.add("sibling cancelled"); } });
          g.spawn(failAt, 10, "child failed");
          try { yield* sleepMs(1000); } finally { log.add("body cancelled"); }
        });
      } catch (e) { log.add("raised " + (e as Error).message); }
    });
    assert.deepEqual(log.items, ["sibling cancelled@10", "body cancelled@10", "raised child failed@10"]);
  });

  it("several failures are all reported", async () => {
    let err: unknown;
    await vrun(function* () {
      try {
        yield* taskGroup(function* (g) {
          g.spawn(function* () { try { yield* sleepMs(1000); } finally { throw new Error("cleanup failed"); } });
          g.spawn(failAt, 10, "first");
        });
      } catch (e) { err = e; }
    });
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual((err as TaskGroupError).errors.map((e) => (e as Error).message), ["first", "cleanup failed"]);
  });

  it("cancelling the owner cancels the children and raises CancelledError", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner = spawn(async () => {
        try {
          await taskGroup(async (g) => {
            g.spawn(function* () { try { yield* sleepMs(1000); } finally { log.add("child finally"); } });
            await sleepMs(5);
          });
        } catch (e) { log.add("owner " + (e as Error).name); }
      });
      yield* sleepMs(20);
      owner.cancel();
      yield* owner.join();
    });
    assert.deepEqual(log.items, ["child finally@20", "owner CancelledError@20"]);
  });

  it("start() waits for the child's started(value)", async () => {
    const log = new Log();
    await vrun(function* () {
      yield* taskGroup(function* (g) {
        const port = yield* g.start(function* (status: TaskStatus<number>, base: number) {
          yield* sleepMs(10);
          status.started(base + 1);
          yield* sleepMs(10);
          log.add("server done");
        }, 8080);
        log.add(`started on ${port}`);
      });
    });
    assert.deepEqual(log.items, ["started on 8081@10", "server done@20"]);
  });

  it("start() raises if the child ends before started()", async () => {
    await assert.rejects(vrun(function* () {
      yield* taskGroup(function* (g) { yield* g.start(function* () { yield* checkpoint(); }); });
    }), /without calling started/);
  });

  it("spawning in a finished group is an error; a group's body result is returned", async () => {
    const r = await vrun(function* () {
      let saved: { spawn: (f: () => void) => unknown } | undefined;
      const v = yield* taskGroup(function* (g) { saved = g; return "body"; });
      assert.throws(() => saved!.spawn(() => {}), InvalidStateError);
      return v;
    });
    assert.equal(r, "body");
  });

  it("group.cancel() ends the group quietly", async () => {
    const r = await vrun(function* () {
      return yield* taskGroup(function* (g) {
        g.spawn(sleepMs as never, 1000);
        g.spawn(function* () { yield* sleepMs(1000); });
        yield* sleepMs(5);
        g.cancel();
        yield* sleepMs(1000);
        return "unreached";
      });
    });
    assert.equal(r, undefined);
  });
});

describe("host event loop", () => {
  it("a task looping on checkpoints does not delay an IO callback by more than one round (the default)", async () => {
    const host = new VirtualHost();
    const s = new Scheduler(host);
    const log: string[] = [];
    let rounds = 0;
    await s.run(function* () {
      const spinner = spawn(function* () { for (;;) { rounds++; yield* checkpoint(); } });
      yield* checkpoint();
      // an IO callback arriving from the host event loop (setImmediate here, a pin edge on a device)
      setImmediate(() => { log.push(`io at round ${rounds}`); s.callSoon(() => log.push(`woken at round ${rounds}`)); });
      for (let i = 0; i < 5; i++) yield* checkpoint();
      spinner.cancel();
      log.push(`main at round ${rounds}`);
    });
    // the callback runs after at most one spinner round, and the task it wakes runs in the next round
    assert.deepEqual(log, ["io at round 1", "woken at round 2", "main at round 6"]);
  });

  it("with minBatch 16 rounds are batched: the host gets a turn at least every 16 steps", async () => {
    const s = new Scheduler(new VirtualHost(), { minBatch: 16 });
    const log: string[] = [];
    let steps = 0;
    await s.run(function* () {
      const spinner = spawn(function* () { for (;;) { steps++; yield* checkpoint(); } });
      yield* checkpoint();
      setImmediate(() => log.push(`io after ${steps} spinner steps`));
      for (let i = 0; i < 40; i++) yield* checkpoint();
      spinner.cancel();
    });
    // each round is main + spinner (2 steps): a batch of 16 steps holds 8 spinner steps
    assert.deepEqual(log, ["io after 8 spinner steps"]);
  });

  it("with batchMs rounds run back to back until the time budget is spent, then the host gets a turn", async () => {
    // every step costs 1/16 ms of virtual time; a round is main + spinner; the batch reads the clock every
    // 8 steps (0.5 ms) and ends at the first reading 2 ms or more after it began: after 32 steps
    const host = new VirtualHost({ stepCost: 1 / 16 });
    const s = new Scheduler(host, { batchMs: 2 });
    const log: string[] = [];
    let steps = 0;
    await s.run(function* () {
      const spinner = spawn(function* () { for (;;) { steps++; yield* checkpoint(); } });
      yield* checkpoint();
      setImmediate(() => log.push(`io after ${steps} spinner steps at ${host.now()} ms`));
      for (let i = 0; i < 40; i++) yield* checkpoint();
      spinner.cancel();
    });
    assert.deepEqual(log, ["io after 16 spinner steps at 2.0625 ms"]);
  });

  it("batchMs must be a finite number >= 0", () => {
    assert.throws(() => new Scheduler(new VirtualHost(), { batchMs: -1 }), RangeError);
    assert.throws(() => new Scheduler(new VirtualHost(), { batchMs: NaN }), RangeError);
    assert.throws(() => new Scheduler(new VirtualHost(), { batchMs: Infinity }), RangeError);
    assert.equal(new Scheduler(new VirtualHost()).batchMs, 0);
    assert.equal(new Scheduler({ now: () => 0, soon: () => {}, setTimer: () => {}, clearTimer: () => {}, print: () => {}, batchMs: 2 }).batchMs, 2);
  });

  it("minBatch must be a whole number >= 1", () => {
    assert.throws(() => new Scheduler(new VirtualHost(), { minBatch: 0 }), RangeError);
  });

  it("unknown errors from cancellation are still CancelledError instances", () => {
    assert.ok(new CancelledError() instanceof Error);
  });
});
