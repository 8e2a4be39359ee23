import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { Scheduler, VirtualHost, op, sleepMs, spawn, type Gen, type Task, type Waitable } from "../firmware/sched/index";

/** Run `body` on a fresh scheduler; returns the diagnostic lines it printed. */
async function printed(body: () => Gen<void>): Promise<string[]> {
  const host = new VirtualHost();
  await new Scheduler(host).run(body);
  return host.lines;
}

/** An Error with the given stack text (undefined: no stack at all). */
function withStack(message: string, stack: string | undefined): Error {
  const e = new Error(message);
  Object.defineProperty(e, "stack", { value: stack, configurable: true, writable: true });
  return e;
}

// What the default exception printer says: enough to find the failure on a serial console.
describe("failure reports", () => {
  it("an error is printed as its stack when the stack names it, else as name and message (then the stack)", async () => {
    const errors: unknown[] = [
      withStack("m1", "Error: m1\n    at here"),
      withStack("m2", "    at somewhere"),
      withStack("m3", undefined),
      withStack("m4", "m4 at top"),
      withStack("m5", ""),
      "just text",
      42,
    ];
    const lines = await printed(function* () {
      errors.forEach((e, i) => spawn(`t${i}`, function* (): Gen<void> { yield* sleepMs(1); throw e; }));
      yield* sleepMs(5);
    });
    const p = (i: number): string => `task t${i}: unhandled error in a task nobody awaits: `;
    assert.deepEqual(lines, [
      `${p(0)}Error: m1\n    at here`,
      `${p(1)}Error: m2\n    at somewhere`,
      `${p(2)}Error: m3`,
      `${p(3)}m4 at top`,
      `${p(4)}Error: m5`,
      `${p(5)}just text`,
      `${p(6)}42`,
    ]);
  });

  it("a throwing exception handler is reported by the fallback printer, and the scheduler goes on", async () => {
    const host = new VirtualHost();
    const s = new Scheduler(host);
    s.setExceptionHandler(() => { throw withStack("handler broke", undefined); });
    const r = await s.run(function* () {
      spawn(function* (): Gen<void> { yield* sleepMs(1); throw new Error("first"); });
      yield* sleepMs(5);
      return "still running";
    });
    assert.equal(r, "still running");
    assert.deepEqual(host.lines, ["exception handler failed: Error: handler broke"]);
  });

  it("a throwing watcher is reported; the other watchers and the joiners still hear of the end", async () => {
    const host = new VirtualHost();
    const heard: string[] = [];
    const s = new Scheduler(host);
    await s.run(function* () {
      const t = spawn("watched", function* () { yield* sleepMs(1); return "v"; });
      s.watch(t, { childDone: () => { throw withStack("watcher broke", undefined); } });
      s.watch(t, { childDone: (c) => heard.push(`watcher: ${String(c.result)}`) });
      heard.push(`joiner: ${yield* t.join()}`);
    });
    assert.deepEqual(heard, ["watcher: v", "joiner: v"]);
    assert.deepEqual(host.lines, ["task watched: a watcher of the task failed: Error: watcher broke"]);
  });

  it("unwatch stops the notices and says whether the watcher was there; an unwatched failure is reported again", async () => {
    const host = new VirtualHost();
    const s = new Scheduler(host);
    const heard: string[] = [];
    const answers: boolean[] = [];
    await s.run(function* () {
      const t = spawn("t", function* (): Gen<void> { yield* sleepMs(1); throw withStack("failed", undefined); });
      const a = { childDone: () => heard.push("a") };
      const b = { childDone: () => heard.push("b") };
      const never = spawn(function* () { yield* sleepMs(1); });
      answers.push(s.unwatch(never, a));
      s.watch(t, a);
      s.watch(t, b);
      answers.push(s.unwatch(t, a), s.unwatch(t, a), s.unwatch(never, a));
      const u = spawn("u", function* (): Gen<void> { yield* sleepMs(1); throw withStack("unwatched", undefined); });
      s.watch(u, a);
      answers.push(s.unwatch(u, a));
      yield* sleepMs(5);
    });
    assert.deepEqual(answers, [false, true, false, false, true]);
    assert.deepEqual(heard, ["b"]);
    assert.deepEqual(host.lines, ["task u: unhandled error in a task nobody awaits: Error: unwatched"]);
  });

  it("a primitive whose abortWait throws is reported; the cancelled waiter still gets its CancelledError", async () => {
    const host = new VirtualHost();
    const log: string[] = [];
    const broken: Waitable = { abortWait: () => { throw withStack("hook broke", undefined); } };
    const waitBroken = (t: Task): unknown => t.sched.park(t, broken);
    await new Scheduler(host).run(function* () {
      const w = spawn("waiter", function* () {
        try { yield* op(waitBroken, null); } catch (e) { log.push((e as Error).name); }
      });
      yield* sleepMs(1);
      w.cancel();
      yield* w.join();
    });
    assert.deepEqual(log, ["CancelledError"]);
    assert.deepEqual(host.lines, ["task waiter: a wait hook (abortWait/undoWake) failed: Error: hook broke"]);
  });

  it("an async task that returns while parked (an operation it never awaited) is unlinked from the primitive", async () => {
    const aborted: string[] = [];
    const r = await vrun(function* () {
      const waitable: Waitable = { abortWait: (t: Task, v: unknown) => { aborted.push(`${t.name}: ${String(v)}`); return false; } };
      const w = spawn("w", async () => {
        void op((t: Task) => t.sched.park(t, waitable), null); // a mistake: started, never awaited
        return "returned";
      });
      return yield* w.join();
    });
    assert.equal(r, "returned");
    assert.deepEqual(aborted, ["w: returned"]);
  });
});
