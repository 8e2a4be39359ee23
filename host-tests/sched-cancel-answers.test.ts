import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  CancelledError, Scheduler, VirtualHost, callSoon, current, failAfter, moveOnAfter, op, shield, sleepMs, spawn, taskGroup,
  type Gen, type Task, type Waitable,
} from "../firmware/sched/index";

/** A primitive of one's own: park on `w`; the caller wakes it through the scheduler. */
function parkOn(w: Waitable): (t: Task) => unknown {
  return (t: Task) => t.sched.park(t, w);
}

// What cancel(), wake() and wakeThrow() answer, and which outcome wins when they race.
describe("cancel and wake answers", () => {
  it("cancel() is true inside a shield, twice before a task started, and for a wake-up its waker cannot take back", async () => {
    const log = new Log();
    await vrun(function* () {
      const shielded = spawn(function* () { yield* shield(() => sleepMs(20)); try { yield* sleepMs(1); } catch (e) { log.add(`shielded: ${(e as Error).name}`); } });
      const fresh = spawn(function* () { log.add("never runs"); });
      const answers = [fresh.cancel(), fresh.cancel()];
      yield* sleepMs(1);
      answers.push(shielded.cancel());
      const kept: Waitable = { abortWait: () => false, undoWake: () => false }; // "the operation happened"
      const woken = spawn(function* () {
        const v = yield* op(parkOn(kept), null);
        log.add(`woken with ${String(v)}`);
        try { yield* sleepMs(1); } catch (e) { log.add(`then ${(e as Error).name}`); }
      });
      yield* sleepMs(1);
      current().sched.wake(woken, "the item");
      answers.push(woken.cancel());
      log.add(`answers ${answers.join(",")}`);
      try { yield* fresh.join(); } catch { /* cancelled */ }
      yield* woken.join();
      yield* shielded.join();
    });
    assert.deepEqual(log.items, ["answers true,true,true,true@2", "woken with the item@2", "then CancelledError@2", "shielded: CancelledError@20"]);
  });

  it("a cancel beats a pending wake-up that carries an error: the joiner of a failed child sees its cancel", async () => {
    const log = new Log();
    await vrun(function* () {
      const child = spawn(function* () { yield* sleepMs(10); throw new Error("child failed"); });
      const joiner = spawn(function* () {
        try { yield* child.join(); } catch (e) { log.add(`joiner: ${(e as Error).message}`); }
      });
      // runs after the child in the round at 10: the joiner is then ready to raise the child's error
      spawn(function* () { yield* sleepMs(10); log.add(`joiner is ${joiner.state}`); joiner.cancel(new CancelledError("stop")); });
      yield* sleepMs(20);
    });
    assert.deepEqual(log.items, ["joiner is ready@10", "joiner: stop@10"]);
  });

  it("wake and wakeThrow answer whether the task was parked, and leave any other task alone", async () => {
    const r = await vrun(function* () {
      const s = current().sched;
      const w: Waitable = { abortWait: () => false };
      const a = spawn(function* () { return yield* op(parkOn(w), null); });
      const b = spawn(function* () { try { yield* op(parkOn(w), null); return "no error"; } catch (e) { return (e as Error).message; } });
      yield* sleepMs(1);
      const answers = [s.wake(a, "first"), s.wake(a, "second"), s.wakeThrow(a, new Error("late")), s.wakeThrow(b, new Error("thrown")), s.wake(b, "too late")];
      const results = [yield* a.join(), yield* b.join()];
      answers.push(s.wake(a, "done"), s.wakeThrow(b, new Error("done")));
      return [answers, results];
    });
    assert.deepEqual(r, [[true, false, false, true, false, false, false], ["first", "thrown"]]);
  });

  it("two joiners of one task both get its result", async () => {
    const r = await vrun(function* () {
      const t = spawn(function* () { yield* sleepMs(5); return "result"; });
      const j1 = spawn(function* () { return `j1 ${yield* t.join()}`; });
      const j2 = spawn(function* () { return `j2 ${yield* t.join()}`; });
      return [yield* j1.join(), yield* j2.join(), t.state];
    });
    assert.deepEqual(r, ["j1 result", "j2 result", "done"]);
  });

  it("a callback cancelled after it was queued does not run; one that ran is done and cannot be cancelled", async () => {
    const log = new Log();
    await vrun(function* () {
      const soon = callSoon(() => log.add("soon ran"));
      const cancelled = callSoon(() => log.add("cancelled one ran"));
      assert.equal(cancelled.cancel(), true);
      const s = current().sched;
      let later: ReturnType<typeof callSoon> | null = null;
      spawn(function* () { yield* sleepMs(5); later!.cancel(); }); // its timer is armed first, so it runs first at 5
      yield* sleepMs(1);
      later = s.callLater(4, () => log.add("later ran")); // due at 5 too: queued behind the canceller, cancelled before it runs
      yield* sleepMs(9);
      log.add(`soon done ${soon.done}, cancel after it ran ${soon.cancel()}`);
    });
    assert.deepEqual(log.items, ["soon ran@0", "soon done true, cancel after it ran false@10"]);
  });

  it("failAfter and moveOnAfter pass the block's own error through, even one raised while the deadline's cancel was handled", async () => {
    const out = await vrun(function* () {
      const msgs: string[] = [];
      for (const run of [
        () => failAfter(100, function* (): Gen<void> { yield* sleepMs(1); throw new Error("block failed"); }),
        () => moveOnAfter(100, function* (): Gen<void> { yield* sleepMs(1); throw new Error("block failed"); }),
        () => failAfter(10, function* (): Gen<void> { try { yield* sleepMs(100); } catch { throw new Error("cleanup failed"); } }),
        () => moveOnAfter(10, function* (): Gen<void> { try { yield* sleepMs(100); } catch { throw new Error("cleanup failed"); } }),
      ]) {
        try { msgs.push(`returned ${JSON.stringify(yield* run())}`); } catch (e) { msgs.push((e as Error).message); }
      }
      return msgs;
    });
    assert.deepEqual(out, ["block failed", "block failed", "cleanup failed", "cleanup failed"]);
  });

  it("a task that swallowed its cancel is ended when it opens a deadline, before the block runs", async () => {
    const log = new Log();
    await vrun(function* () {
      const t = spawn(function* () {
        try { yield* sleepMs(100); } catch { log.add("swallowed"); }
        try {
          yield* failAfter(50, () => { log.add("block ran"); return 1; });
        } catch (e) {
          log.add(`caught ${(e as Error).name}`);
        } finally {
          log.add("finally");
        }
      });
      yield* sleepMs(10);
      t.cancel();
      try { yield* t.join(); } catch (e) { log.add(`ended: ${(e as Error).name}`); }
    });
    assert.deepEqual(log.items, ["swallowed@10", "finally@10", "ended: CancelledError@10"]);
  });

  it("two cancels while a group waits for its children: the first one is raised", async () => {
    const log = new Log();
    await vrun(function* () {
      const owner = spawn(function* () {
        try {
          yield* taskGroup(function* (g) { g.spawn(function* () { try { yield* sleepMs(100); } finally { yield* shield(() => sleepMs(10)); } }); });
        } catch (e) { log.add(`owner: ${(e as Error).message}`); }
      });
      yield* sleepMs(1);
      owner.cancel(new CancelledError("first"));
      yield* sleepMs(1);
      owner.cancel(new CancelledError("second"));
      try { yield* owner.join(); } catch { /* its cancel */ }
    });
    assert.deepEqual(log.items, ["owner: first@11"]);
  });

  it("a scheduler's finished tasks report states as done, whatever their outcome", async () => {
    const states = await new Scheduler(new VirtualHost()).run(function* () {
      const ok = spawn(function* () { return 1; });
      yield* ok.join();
      return ok.state;
    });
    assert.equal(states, "done");
  });
});
