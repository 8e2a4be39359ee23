import { assert } from "./lib/assert";
import { Log, raised, vrun } from "./helpers";
import {
  CancelledError, InvalidStateError, VirtualHost, Scheduler, spawn, sleepMs, checkpoint, current, now, callSoon, callLater,
  type Gen,
} from "../firmware/sched/index";

describe("scheduler core", () => {
  it("run() returns main's result, generator or async", async () => {
    assert.equal(await vrun(function* () { yield* sleepMs(10); return 42; }), 42);
    assert.equal(await vrun(async () => { await sleepMs(10); return 43; }), 43);
    assert.equal(await vrun(() => 44), 44);
  });

  it("run() rejects with main's error", async () => {
    await assert.rejects(vrun(function* () { yield* sleepMs(1); throw new Error("boom"); }), /boom/);
  });

  it("run() returns even while orphan tasks sleep", async () => {
    const r = await vrun(function* () {
      spawn(function* () { yield* sleepMs(1e9); });
      yield* sleepMs(5);
      return now();
    });
    assert.equal(r, 5);
  });

  it("a spawned task does not start until its creator yields", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const t = spawn(async () => { log.push("child"); });
      log.push(`after spawn done=${t.done}`);
      yield* checkpoint();
      log.push(`after yield done=${t.done}`);
    });
    assert.deepEqual(log, ["after spawn done=false", "child", "after yield done=true"]);
  });

  it("checkpoints round-robin fairly between generator and async tasks", async () => {
    const log: string[] = [];
    await vrun(function* () {
      function* g(n: string): Gen<void> { for (let i = 0; i < 3; i++) { log.push(n + i); yield* checkpoint(); } }
      async function a(n: string): Promise<void> { for (let i = 0; i < 3; i++) { log.push(n + i); await checkpoint(); } }
      const ts = [spawn(g, "A"), spawn(a, "B"), spawn(g, "C")];
      for (const t of ts) yield* t.join();
    });
    assert.deepEqual(log, ["A0", "B0", "C0", "A1", "B1", "C1", "A2", "B2", "C2"]);
  });

  it("sleeps wake in deadline order, equal deadlines in arming order; negative sleep is 0", async () => {
    const log = new Log();
    await vrun(function* () {
      const mk = (name: string, ms: number) => spawn(function* () { yield* sleepMs(ms); log.add(name); });
      const ts = [mk("c", 30), mk("a", 10), mk("b1", 20), mk("b2", 20), mk("neg", -5)];
      for (const t of ts) yield* t.join();
    });
    assert.deepEqual(log.items, ["neg@0", "a@10", "b1@20", "b2@20", "c@30"]);
  });

  it("a bad delay is a clear TypeError", async () => {
    await assert.rejects(vrun(function* () { yield* sleepMs(NaN); }), TypeError);
    await assert.rejects(vrun(async () => { await sleepMs("5" as unknown as number); }), /number of milliseconds/);
    // null is not 0: it used to pass as a checkpoint (null <= 0)
    await assert.rejects(vrun(function* () { yield* sleepMs(null as unknown as number); }), /got null/);
  });

  it("spawn refuses a promise or generator object", async () => {
    await vrun(function* () {
      function* g(): Gen<void> {}
      assert.throws(() => spawn(g() as never), /pass the function/);
      assert.throws(() => spawn(Promise.resolve() as never), /pass the function/);
      yield* checkpoint();
    });
  });

  it("a generator task that yields a value gets a clear error", async () => {
    await assert.rejects(vrun(function* () { yield 1; }), /suspends only with "yield\* operation"/);
    // eslint-disable-next-line project/yield-star-for-operations -- the mistake under test
    await assert.rejects(vrun(function* () { yield sleepMs(5); }), /use "yield\*"/);
  });

  it("a bare yield is a checkpoint: fair, and a cancel lands there", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const a = spawn(function* () { for (let i = 0; i < 3; i++) { log.push(`a${i}`); yield; } });
      const b = spawn(function* () {
        try { for (let i = 0; ; i++) { log.push(`b${i}`); yield; } } catch (e) { log.push(`b ${(e as Error).name}`); }
      });
      yield* a.join();
      b.cancel();
      yield* b.join();
    });
    assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2", "b3", "b CancelledError"]);
  });

  it("an operation started without yield* is reported at the next one", async () => {
    await assert.rejects(vrun(function* () { void sleepMs(5); yield* sleepMs(1); }), /missing yield\*/);
  });

  it("an async operation started without await is reported", async () => {
    await assert.rejects(vrun(async () => { void sleepMs(5); await sleepMs(1); }), /missing await/);
  });

  it("operations outside a task are a clear error", () => {
    assert.throws(() => sleepMs(1), InvalidStateError);
  });

  it("callSoon and callLater run callbacks; a cancelled one does not run; a throwing one is reported", async () => {
    const log = new Log();
    const host = new VirtualHost();
    const s = new Scheduler(host);
    await s.run(function* () {
      callSoon(() => log.add("soon"));
      callLater(20, (x: string) => log.add(x), "later");
      const h = callLater(10, () => log.add("never"));
      assert.equal(h.cancel(), true);
      assert.equal(h.cancel(), false);
      callLater(5, () => { throw new Error("cb failed"); });
      yield* sleepMs(30);
    });
    assert.deepEqual(log.items, ["soon@0", "later@20"]);
    assert.equal(host.lines.length, 1);
    assert.match(host.lines[0]!, /callback failed: Error: cb failed/);
  });

  it("the loop survives a task's error and reports it with the task name", async () => {
    const host = new VirtualHost();
    const r = await new Scheduler(host).run(function* () {
      spawn("crasher", function* () { yield* sleepMs(1); throw new Error("kaput"); });
      yield* sleepMs(10);
      return "alive";
    });
    assert.equal(r, "alive");
    assert.equal(host.lines.length, 1);
    assert.match(host.lines[0]!, /^task crasher: unhandled error in a task nobody awaits: Error: kaput/);
  });

  it("the exception handler is replaceable", async () => {
    const host = new VirtualHost();
    const s = new Scheduler(host);
    const seen: string[] = [];
    s.setExceptionHandler((e, ctx) => seen.push(`${ctx.task?.name}:${(e as Error).message}`));
    await s.run(function* () {
      spawn("x", async () => { throw new Error("e1"); });
      yield* sleepMs(1);
    });
    assert.deepEqual(seen, ["x:e1"]);
    assert.equal(host.lines.length, 0);
  });

  it("join returns the result or re-raises the error; joining yourself is an error", async () => {
    await vrun(function* () {
      const a = spawn(async () => { await sleepMs(5); return "A"; });
      const b = spawn(function* () { yield* sleepMs(1); throw new Error("B"); });
      assert.equal(yield* a.join(), "A");
      let err: unknown;
      try { yield* b.join(); } catch (e) { err = e; }
      assert.match((err as Error).message, /^B$/);
      assert.throws(() => current().cancel(), /cannot cancel itself/);
      let self: unknown;
      try { yield* current().join(); } catch (e) { self = e; }
      assert.ok(self instanceof InvalidStateError);
    });
  });

  it("the loop stays alive while a task waits for an outside callback", async () => {
    const log = new Log();
    await vrun(async () => {
      const t = current();
      const s = t.sched;
      // an "interrupt" fires 50 ms later from outside any task
      s.callLater(50, () => { log.add("isr"); });
      await sleepMs(100);
      log.add("main");
    });
    assert.deepEqual(log.items, ["isr@50", "main@100"]);
  });

  it("tasks spinning on checkpoints never let virtual time pass, unless steps cost time", async () => {
    const spin = (stepCost: number) => vrun(function* () {
      let woke = -1;
      spawn(function* () { yield* sleepMs(1); woke = now(); });
      for (let i = 0; i < 1000 && woke < 0; i++) yield* checkpoint();
      return woke;
    }, { stepCost });
    assert.equal(await spin(0), -1);
    const woke = await spin(0.01);
    assert.ok(woke >= 1 && woke < 1.1, `sleeper woke at ${woke}`);
  });
});

describe("cancellation", () => {
  it("a task blocked in a 10 s sleep runs its finally block at the same virtual instant", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try { yield* sleepMs(10_000); } finally { log.add("finally"); }
      });
      yield* sleepMs(100);
      assert.equal(t.cancel(), true);
      log.add("cancelled");
      try { yield* t.join(); } catch (e) { log.add((e as Error).name); }
    });
    assert.deepEqual(log.items, ["cancelled@100", "finally@100", "CancelledError@100"]);
  });

  it("cancel works the same for async tasks", async () => {
    const log = new Log();
    await vrun(async () => {
      const t = spawn(async () => {
        try { await sleepMs(10_000); } catch (e) { log.add("caught " + (e as Error).name); throw e; }
      });
      await sleepMs(100);
      t.cancel();
      try { await t.join(); } catch (e) { log.add("join " + (e as Error).name); }
      assert.equal(t.cancelled, true);
    });
    assert.deepEqual(log.items, ["caught CancelledError@100", "join CancelledError@100"]);
  });

  it("cancel returns true while pending and false once done; a generator task that swallows its cancel is ended at its next operation", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const t = spawn(function* () {
        // a catch-all retry loop: the cancel is raised once; the next operation ends the task
        for (let n = 1; ; n++) {
          try { yield* sleepMs(10); } catch (e) { log.push(`${n}: ${(e as Error).name} at ${now()}`); }
          finally { log.push(`finally ${n}`); }
        }
      });
      yield* sleepMs(1);
      assert.equal(t.cancel(), true);
      assert.equal(t.cancel(), true);
      assert.ok((yield* raised(t.join())) instanceof CancelledError);
      assert.equal(t.cancelled, true);
      assert.equal(t.cancel(), false);
    });
    assert.deepEqual(log, ["1: CancelledError at 1", "finally 1", "finally 2"]);
  });

  it("a task cancelled before it starts never runs", async () => {
    let ran = false;
    await vrun(function* () {
      const t = spawn(async () => { ran = true; });
      t.cancel();
      let e: unknown;
      try { yield* t.join(); } catch (x) { e = x; }
      assert.ok(e instanceof CancelledError);
    });
    assert.equal(ran, false);
  });

  it("a cancel beats a wake-up that is already pending", async () => {
    const log: string[] = [];
    await vrun(function* () {
      // the canceller's timer is armed first, so at t=10 both are ready and the canceller runs first
      spawn(function* () { yield* sleepMs(10); log.push(`t is ${t.state}`); t.cancel(); });
      const t = spawn(function* () {
        try { yield* sleepMs(10); log.push("woke"); } catch (e) { log.push((e as Error).name); }
      });
      yield* sleepMs(20);
    });
    assert.deepEqual(log, ["t is ready", "CancelledError"]);
  });

  it("cancelling a task awaiting a child passes the cancel on; a child that swallows it cannot lose the parent's cancel", async () => {
    const log = new Log();
    await vrun(function* () {
      const child = spawn(function* () {
        try { yield* sleepMs(1000); } catch { log.add("child swallowed"); }
        return "child result";
      });
      const parent = spawn(function* () {
        try {
          const v = yield* child.join();
          log.add("parent got " + v);
        } catch (e) {
          log.add(`parent: ${(e as Error).name}`);
        }
      });
      yield* sleepMs(10);
      parent.cancel();
      yield* parent.join();
      log.add(`child: ${child.result}`);
    });
    assert.deepEqual(log.items, ["child swallowed@10", "parent: CancelledError@10", "child: child result@10"]);
  });

  it("tasks that cancel each other do not starve the rest", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const others: ReturnType<typeof spawn>[] = [];
      function* canceller(i: number): Gen<void> {
        for (;;) {
          try { yield* sleepMs(0); log.push(`c${i}`); others[1 - i]!.cancel(); } catch { log.push(`x${i}`); }
        }
      }
      others.push(spawn(canceller, 0), spawn(canceller, 1));
      const bystander = spawn(function* () { for (let i = 0; i < 3; i++) { log.push("b"); yield* checkpoint(); } });
      yield* bystander.join();
      others[0]!.cancel(); others[1]!.cancel();
      yield* checkpoint();
    });
    // c0 cancels canceller 1, which swallows it once (x1) and is ended at its next sleep; the bystander runs on
    assert.deepEqual(log, ["b", "c0", "x1", "b", "c0", "b", "c0", "c0", "x0"]);
  });
});
