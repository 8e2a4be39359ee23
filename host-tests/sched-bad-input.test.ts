import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import {
  InvalidStateError, Scheduler, VirtualHost, callSoon, current, external, failAfter, gather, now, sleep, sleepMs,
  sleepUntil, spawn, taskGroup, type Gen, type TaskGroup,
} from "../firmware/sched/index";

/** `fn` throws an error of class `cls` whose message is exactly `message`. */
function throwsExactly(fn: () => unknown, cls: new (...a: any[]) => Error, message: string): void {
  assert.throws(fn, (e: Error) => e instanceof cls && e.message === message);
}

// Bad input gets a clear error that says what was wrong, and nothing is lost.
describe("bad input to the scheduler", () => {
  it("spawn says what it got instead of a function, and hints at a promise or generator object passed by mistake", async () => {
    const messages = await vrun(function* () {
      const out: string[] = [];
      function* gen(): Gen<void> { /* empty */ }
      const tries: unknown[] = [null, 5, "text", Symbol("sym"), {}, { next() {} }, { then: 1 }, Promise.resolve(1), gen()];
      for (const bad of tries) {
        try { spawn(bad as never); } catch (e) { out.push(`${(e as Error).name}: ${(e as Error).message}`); }
      }
      // a string first is the task's name
      try { spawn("name", "text" as never); } catch (e) { out.push(`${(e as Error).name}: ${(e as Error).message}`); }
      yield* sleepMs(1);
      return out;
    });
    const prefix = "TypeError: spawn needs a function and its arguments, got ";
    assert.deepEqual(messages, [
      `${prefix}null`, `${prefix}5`, `${prefix}undefined`, `${prefix}Symbol(sym)`, `${prefix}an object`, `${prefix}an object`,
      `${prefix}an object`, `${prefix}an object (pass the function, not its promise or generator)`,
      `${prefix}an object (pass the function, not its promise or generator)`, `${prefix}text`,
    ]);
  });

  it("a plain function that returns a thenable (even a callable one) is an async task: it ends with what the thenable settles to", async () => {
    const r = await vrun(function* () {
      const callable = Object.assign(() => "not this", { then: (ok: (v: unknown) => void) => ok("settled") });
      const a = spawn(() => Promise.resolve("promise value"));
      const b = spawn(() => callable);
      const c = spawn(() => "plain value");
      return [yield* a.join(), yield* b.join(), yield* c.join()];
    });
    assert.deepEqual(r, ["promise value", "settled", "plain value"]);
  });

  it("Scheduler options out of range are RangeErrors naming the value", () => {
    const host = new VirtualHost();
    for (const bad of [0, 1.5, NaN]) throwsExactly(() => new Scheduler(host, { minBatch: bad }), RangeError, `minBatch must be a whole number >= 1, got ${bad}`);
    for (const bad of [-1, Infinity, NaN]) throwsExactly(() => new Scheduler(host, { batchMs: bad }), RangeError, `batchMs must be a finite number of milliseconds >= 0, got ${bad}`);
    assert.equal(new Scheduler(host, { minBatch: 4, batchMs: 0 }).minBatch, 4);
  });

  it("a scheduler runs one program: a second run() is an error", async () => {
    const s = new Scheduler(new VirtualHost());
    assert.equal(await s.run(function* () { yield* sleepMs(1); return "first"; }), "first");
    throwsExactly(() => s.run(function* () { return "second"; }), InvalidStateError, "this scheduler has stopped; create a new one");
  });

  it("callSoon with no scheduler running says how to start one", () => {
    throwsExactly(() => callSoon(() => undefined), InvalidStateError, "no scheduler is running: start one with run(fn, ...args)");
  });

  it("gather, taskGroup and external name what they need", async () => {
    const out = await vrun(function* () {
      const msgs: string[] = [];
      const other = new Scheduler(new VirtualHost());
      const foreign = other.spawnTask("foreign", function* () { /* never runs */ }, []);
      const attempts: Array<() => unknown> = [
        () => gather("ab" as never),
        () => gather([null as never]),
        () => gather([() => 1, foreign]),
        () => gather([spawn(function* () { /* done soon */ }), "x" as never]),
        () => taskGroup(5 as never),
        () => external(5 as never),
        () => external(null as never),
        () => external({ then: "no" } as never),
      ];
      for (const a of attempts) {
        try { a(); } catch (e) { msgs.push(`${(e as Error).name}: ${(e as Error).message}`); }
      }
      return msgs;
    });
    assert.deepEqual(out, [
      "TypeError: gather takes an array of tasks or functions",
      "TypeError: gather item 0 is neither a task of this scheduler nor a function",
      "TypeError: gather item 1 is neither a task of this scheduler nor a function",
      "TypeError: gather item 1 is neither a task of this scheduler nor a function",
      "TypeError: taskGroup takes a function receiving the group",
      "TypeError: external() needs a promise",
      "TypeError: external() needs a promise",
      "TypeError: external() needs a promise",
    ]);
  });

  it("a finished task group refuses spawn and start, saying so", async () => {
    const out = await vrun(function* () {
      let group: TaskGroup | null = null;
      yield* taskGroup(function* (g) { group = g; });
      const msgs: string[] = [];
      try { group!.spawn(function* () { /* never */ }); } catch (e) { msgs.push(`${(e as Error).name}: ${(e as Error).message}`); }
      try { void group!.start(function* () { /* never */ }); } catch (e) { msgs.push(`${(e as Error).name}: ${(e as Error).message}`); }
      return msgs;
    });
    assert.deepEqual(out, [
      "InvalidStateError: this task group has finished; spawn in an open group",
      "InvalidStateError: this task group has finished; start in an open group",
    ]);
  });

  it("joining yourself names the task", async () => {
    await assert.rejects(
      vrun(function* () { yield* current().join(); }),
      (e: Error) => e instanceof InvalidStateError && e.message === "task main cannot wait for itself",
    );
  });
});

describe("sleeping", () => {
  it("sleep() takes seconds, sleepUntil() a time on the clock (one in the past is a checkpoint)", async () => {
    const log = new Log();
    await vrun(function* () {
      yield* sleep(0.05);
      log.add("sleep(0.05)");
      yield* sleepUntil(120);
      log.add("sleepUntil(120)");
      yield* sleepUntil(10);
      log.add("sleepUntil(10)");
    }, { start: 20 });
    assert.deepEqual(log.items, ["sleep(0.05)@70", "sleepUntil(120)@120", "sleepUntil(10)@120"]);
  });

  it("sleepMs(Infinity) holds no timer and ends only by a cancel; timerCount counts sleepers, deadlines and callLater", async () => {
    const log = new Log();
    const s = new Scheduler(new VirtualHost());
    await s.run(function* () {
      const forever = spawn(function* () {
        try { yield* sleepMs(Infinity); } catch (e) { log.add(`forever: ${(e as Error).name}`); }
      });
      yield* sleepMs(1);
      log.plain(`timers with one task asleep forever: ${s.timerCount}`);
      const sleeper = spawn(function* () { yield* failAfter(500, () => sleepMs(100)); });
      s.callLater(300, () => log.add("later"));
      yield* sleepMs(1);
      log.plain(`timers with a sleeper in a deadline, a callLater and main asleep: ${s.timerCount}`); // main's own timer is gone: it just woke
      yield* sleeper.join();
      yield* sleepMs(1000);
      log.plain(`timers after: ${s.timerCount}`);
      forever.cancel();
      yield* forever.join();
    });
    assert.deepEqual(log.items, [
      "timers with one task asleep forever: 0",
      "timers with a sleeper in a deadline, a callLater and main asleep: 3",
      "later@301",
      "timers after: 0",
      "forever: CancelledError@1101",
    ]);
  });

  it("a task uses its own scheduler, even while another scheduler has started since", async () => {
    const log: string[] = [];
    const a = new Scheduler(new VirtualHost({ start: 1000 }));
    await a.run(function* () {
      const b = new Scheduler(new VirtualHost({ start: 0 }));
      const other = b.run(function* () { yield* sleepMs(5); return "b done"; });
      const t = spawn(function* () { yield* sleepMs(1); return now(); });
      log.push(`same scheduler: ${t.sched === current().sched}`, `clock: ${now()}`);
      callSoon(() => log.push("callSoon ran on a"));
      log.push(`spawned task saw ${yield* t.join()}`, String(yield* external(other)));
    });
    assert.deepEqual(log, ["same scheduler: true", "clock: 1000", "callSoon ran on a", "spawned task saw 1001", "b done"]);
  });
});
