import { assert } from "./lib/assert";
import { Log, raised, rejection, vrun } from "./helpers";
import {
  CancelledError, InvalidStateError, Scheduler, VirtualHost, currentTaskOrNull, external, failAfter, gather, moveOnAfter,
  outsideTask, sleepMs, spawn, waitFor, type Gen,
} from "../firmware/sched/index";
import { Lock } from "../firmware/sync/index";

// The cancellation and failure contract (issue "Cancellation and failures that user code cannot lose").
describe("cancellation contract", () => {
  it("a service body that catches everything still stops: the cancel comes back at its next operation", async () => {
    const log = new Log();
    await vrun(function* () {
      const svc = spawn("svc", function* (): Gen<void> {
        for (;;) {
          try {
            yield* sleepMs(5); // a sample, say
            log.add("sample");
          } catch (e) {
            log.add(`caught ${(e as Error).name}`); // a catch-all, as the demo had
          }
          yield* sleepMs(5);
        }
      });
      yield* sleepMs(12);
      svc.cancel();
      try { yield* svc.join(); } catch (e) { log.add(`svc ended: ${(e as Error).name}`); }
      yield* sleepMs(50);
    });
    assert.deepEqual(log.items, ["sample@5", "caught CancelledError@12", "svc ended: CancelledError@12"]);
  });

  it("moveOnAfter ends a retry loop that catches every error, at the deadline plus one operation", async () => {
    const log = new Log();
    await vrun(function* () {
      const r = yield* moveOnAfter(100, function* () {
        for (let i = 0; ; i++) {
          try {
            yield* sleepMs(30); // an attempt that fails after 30 ms
            throw new Error(`attempt ${i} failed`);
          } catch (e) {
            log.add((e as Error).name === "CancelledError" ? "caught the cancel" : "retry"); // catches everything
          }
          yield* sleepMs(10); // back-off: raises the cancel again
        }
      });
      log.add(`timedOut=${r.timedOut}`);
    });
    // attempts end at 30 and 70; the deadline hits the third one, whose catch swallows the cancel, and the
    // back-off raises it again
    assert.deepEqual(log.items, ["retry@30", "retry@70", "caught the cancel@100", "timedOut=true@100"]);
  });

  it("waitFor never loses the caller's cancel, even if the child swallows its own and returns", async () => {
    const log = new Log();
    await vrun(function* () {
      const caller = spawn(function* () {
        try {
          const v = yield* waitFor(1000, function* () {
            try { yield* sleepMs(500); } catch { log.add("child swallowed"); }
            return "value";
          });
          log.add(`caller got ${v}`);
        } catch (e) {
          log.add(`caller: ${(e as Error).name}`);
        }
      });
      yield* sleepMs(10);
      caller.cancel();
      yield* caller.join();
    });
    assert.deepEqual(log.items, ["child swallowed@10", "caller: CancelledError@10"]);
  });

  it("gather: a sibling failure after the gather already failed is reported, not dropped", async () => {
    const reports: string[] = [];
    const host = new VirtualHost();
    const s = new Scheduler(host);
    s.setExceptionHandler((e, ctx) => reports.push(`${ctx.message}: ${(e as Error).message}`));
    await s.run(function* () {
      const e = yield* raised(gather([
        function* () { yield* sleepMs(1); throw new Error("first"); },
        function* () { yield* sleepMs(2); throw new Error("second"); },
      ]));
      assert.equal((e as Error).message, "first");
      yield* sleepMs(10);
    });
    assert.deepEqual(reports, ["failed after its gather had already failed: second"]);
  });

  it("a failure is reported only if nobody retrieves it within a round: join() one step later silences it", async () => {
    const reports: string[] = [];
    const s = new Scheduler(new VirtualHost());
    s.setExceptionHandler((e) => reports.push((e as Error).message));
    await s.run(function* () {
      const a = spawn(function* () { throw new Error("retrieved"); });
      const b = spawn(function* () { throw new Error("nobody looks"); });
      yield* sleepMs(0); // both fail in this round
      try { yield* a.join(); } catch { /* retrieved one step later */ }
      yield* sleepMs(5);
      assert.equal(b.done, true);
    });
    assert.deepEqual(reports, ["nobody looks"]);
  });
});

describe("async tasks and foreign promises", () => {
  it("a bare foreign await fails that task with an error naming it; the other tasks go on", async () => {
    const log = new Log();
    await vrun(async () => {
      const never = new Promise<void>(() => {});
      const bad = spawn("bad", async () => { await never; });
      const good = spawn("good", async () => { for (let i = 0; i < 3; i++) { await sleepMs(10); log.add("good"); } });
      await sleepMs(1);
      const e = await rejection(() => bad.join());
      assert.ok(e instanceof InvalidStateError);
      log.add(e.message);
      await good.join();
    });
    assert.deepEqual(log.items, [
      "task bad awaited something that is not a scheduler operation: wrap foreign promises with external(promise)@1",
      "good@10", "good@20", "good@30",
    ]);
  });

  it("two async tasks awaiting foreign promises through external() both resume, each as itself", async () => {
    const log = new Log();
    await vrun(async () => {
      // settled from host callbacks (setImmediate: Node and XS both have it), after 3 and 1 host turns
      const later = (turns: number, v: string): Promise<string> =>
        new Promise((r) => { const step = (k: number): void => void setImmediate(() => (k === 0 ? r(v) : step(k - 1))); step(turns); });
      const one = spawn("one", async () => { const v = await external(later(3, "a")); log.add(`${currentTaskOrNull()!.name} ${v}`); await sleepMs(1); return v; });
      const two = spawn("two", async () => { const v = await external(later(0, "b")); log.add(`${currentTaskOrNull()!.name} ${v}`); await sleepMs(1); return v; });
      assert.deepEqual(await gather([one, two]), ["a", "b"]);
    });
    assert.equal(log.items.length, 2);
    assert.deepEqual(log.items.map((x) => x.split("@")[0]).sort(), ["one a", "two b"]);
  });

  it("failAfter around external() of a slow foreign promise raises at the deadline; the late settlement is ignored", async () => {
    const log = new Log();
    await vrun(async () => {
      let settle: (v: string) => void = () => {};
      const slow = new Promise<string>((r) => { settle = r; });
      try {
        await failAfter(50, () => external(slow));
      } catch (e) {
        log.add((e as Error).name);
      }
      settle("late");
      await sleepMs(10);
      log.add("still fine");
    });
    assert.deepEqual(log.items, ["TimeoutError@50", "still fine@60"]);
  });

  it("outside a task (an IO callback) there is no current task: Lock.tryAcquire there cannot act for some task", async () => {
    await vrun(async () => {
      const l = new Lock();
      let seen: unknown = "unset";
      let err: unknown = null;
      await external(new Promise<void>((resolve) => setImmediate(() => {
        seen = currentTaskOrNull();
        try { l.tryAcquire(); } catch (e) { err = e; }
        resolve();
      })));
      assert.equal(seen, null);
      assert.ok(err instanceof InvalidStateError);
      assert.equal(l.locked, false);
    });
  });
});

void CancelledError;

describe("outsideTask", () => {
  it("runs an IO callback with no current task even while an async task holds the round", async () => {
    const seen: unknown[] = [];
    await vrun(async () => {
      const cb = outsideTask((x: number) => { seen.push(currentTaskOrNull(), x); });
      cb(1); // called while main holds the round, as a device IO callback between promise jobs can be
      seen.push(currentTaskOrNull()?.name);
    });
    assert.deepEqual(seen, [null, 1, "main"]);
  });
});
