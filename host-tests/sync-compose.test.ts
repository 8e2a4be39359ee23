import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { InvalidStateError, callLater, checkpoint, current, moveOnAfter, sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";
import {
  Barrier, Broker, DelayMs, Delay_ms, Event, Message, Queue, RingbufQueue, ThreadSafeFlag, WaitAll, WaitAny, topicMatches,
} from "../firmware/sync/index";

const errName = (e: unknown): string => (e as Error).name;

describe("DelayMs (Delay_ms)", () => {
  it("a 200 ms timer retriggered at 100 ms expires at 300 ms: callback, result, wait(), expired", async () => {
    const log = new Log();
    await vrun(function* () {
      const d = new DelayMs(() => { log.add("fired"); return 42; }, [], 200);
      assert.equal(d.running, false);
      d.trigger();
      assert.equal(d.running, true);
      yield* sleepMs(100);
      d.trigger();
      const w = spawn(async () => { await d.wait(); log.add("async waiter"); });
      yield* d.wait();
      log.add(`result=${String(d.result)} running=${d.running} expired=${d.expired}`);
      yield* w.join();
      yield* d.wait(); // already expired: at once
      d.clear();
      assert.equal(d.expired, false);
      const r = yield* moveOnAfter(500, function* () { yield* d.wait(); });
      assert.equal(r.timedOut, true);
      assert.equal(d.waiting, 0); // the timed-out waiter left
    });
    assert.deepEqual(log.items, ["fired@300", "result=42 running=false expired=true@300", "async waiter@300"]);
  });

  it("trigger(ms) can shorten a running timer (and extend then shorten); it fires once", async () => {
    const log = new Log();
    await vrun(function* () {
      let n = 0;
      const d = new Delay_ms(() => { n++; log.add("fired"); });
      d.trigger(500);
      yield* sleepMs(100);
      d.trigger(50); // 150
      yield* d.wait();
      yield* sleepMs(1000);
      assert.equal(n, 1);
      d.trigger(100); // deadline 1250
      yield* sleepMs(50);
      d.trigger(300); // later: 1400 (the armed timer re-arms lazily)
      yield* sleepMs(10);
      d.trigger(20); // earlier than the armed 1250: 1230
      yield* d.wait();
      yield* sleepMs(1000);
      assert.equal(n, 2);
    });
    assert.deepEqual(log.items, ["fired@150", "fired@1230"]);
  });

  it("stop() prevents the expiry; a later trigger starts again", async () => {
    const log = new Log();
    await vrun(function* () {
      const d = new DelayMs(() => log.add("fired")); // default 1000 ms
      d.trigger();
      yield* sleepMs(500);
      d.stop();
      d.stop();
      assert.equal(d.running, false);
      const r = yield* moveOnAfter(2000, function* () { yield* d.wait(); });
      assert.equal(r.timedOut, true);
      d.trigger();
      yield* d.wait();
    });
    assert.deepEqual(log.items, ["fired@3500"]);
  });

  it("trigger() from a callback outside any task works", async () => {
    const log = new Log();
    await vrun(function* () {
      const d = new DelayMs(() => log.add("fired"), [], 100);
      callLater(50, () => d.trigger());
      setImmediate(() => d.trigger(10)); // an IO callback, at 0: expires at 10, then again at 150
      yield* d.wait();
      d.clear();
      yield* d.wait();
    });
    assert.deepEqual(log.items, ["fired@10", "fired@150"]);
  });

  it("a generator or async callback runs as a task, with its args, available as `task`", async () => {
    const log = new Log();
    await vrun(function* () {
      const d = new DelayMs(function* (a: string, b: string) { yield* sleepMs(5); log.add(`task ${a}${b}`); return "r"; }, ["x", "y"], 10);
      d.trigger();
      yield* d.wait();
      log.add("expired");
      assert.ok(d.task !== null);
      assert.equal(yield* d.task!.join(), "r");
      d.callback(async (c: number) => { log.add(`async ${c}`); }, [3]);
      d.trigger(1);
      yield* d.wait();
      yield* d.task!.join();
    });
    assert.deepEqual(log.items, ["expired@10", "task xy@15", "async 3@16"]);
  });

  it("a throwing callback is reported and the timer still expires; bad durations are rejected", async () => {
    const reported: string[] = [];
    await vrun(function* () {
      current().sched.setExceptionHandler((e, ctx) => reported.push(`${ctx.message}: ${(e as Error).message}`));
      const d = new DelayMs(() => { throw new Error("oops"); }, [], 5);
      d.trigger();
      yield* d.wait();
      assert.equal(d.expired, true);
      assert.throws(() => d.trigger(-1), RangeError);
      assert.throws(() => d.trigger("5" as never), TypeError);
      assert.throws(() => new DelayMs(undefined, [], -5), RangeError);
      assert.throws(() => new DelayMs(5 as never), TypeError);
      assert.equal(d.running, false);
    });
    assert.deepEqual(reported, ["DelayMs callback failed: oops"]);
    assert.throws(() => new DelayMs(), InvalidStateError); // no scheduler running
  });
});

describe("WaitAny / WaitAll", () => {
  it("WaitAny returns the first source to fire; the rest are detached, awaited tasks keep running", async () => {
    const log = new Log();
    await vrun(function* () {
      const e1 = new Event<string>();
      const e2 = new Event<string>();
      const t = spawn(function* () { yield* sleepMs(20); return "task done"; });
      callLater(5, () => e2.set("two"));
      const r = yield* new WaitAny([e1, e2, t]).wait();
      log.add(`index=${r.index} value=${String(r.value)} source=${r.source === e2}`);
      assert.equal(e1.waiting, 0);
      assert.equal(e2.waiting, 0);
      assert.equal(t.done, false);
      log.add(`t: ${yield* t.join()}`);
      const r2 = yield* new WaitAny([e1, t]).wait(); // t already done: at once
      assert.deepEqual([r2.index, r2.value], [1, "task done"]);
    });
    assert.deepEqual(log.items, ["index=1 value=two source=true@5", "t: task done@20"]);
  });

  it("WaitAll waits for every source and returns their values in order (async task)", async () => {
    const log = new Log();
    await vrun(async () => {
      const e1 = new Event<number>();
      const m = new Message<string>();
      const t = spawn(async () => { await sleepMs(7); return "t"; });
      const bad = spawn(function* () { yield* sleepMs(2); throw new Error("boom"); });
      callLater(3, () => e1.set(1));
      callLater(5, () => m.set("m"));
      const v = await new WaitAll([e1, m, t, bad]).wait();
      log.add(`all: ${v.slice(0, 3).join(",")} ${(v[3] as Error).message}`);
      assert.deepEqual(await new WaitAll([]).wait(), []);
    });
    assert.deepEqual(log.items, ["all: 1,m,t boom@7"]);
  });

  it("nested: WaitAny over an event and a WaitAll", async () => {
    const log = new Log();
    await vrun(function* () {
      const [e1, e3, e4] = [new Event<string>(), new Event<string>(), new Event<string>()];
      callLater(5, () => e3.set("three"));
      callLater(10, () => e4.set("four"));
      const all = new WaitAll([e3, e4]);
      const r = yield* new WaitAny([e1, all]).wait();
      log.add(`index=${r.index} value=${JSON.stringify(r.value)} source=${r.source === all}`);
      assert.deepEqual([e1.waiting, e3.waiting, e4.waiting], [0, 0, 0]);
      const inner = yield* new WaitAll([e3, new WaitAny([e1, e4])]).wait(); // all set already
      assert.deepEqual(inner, ["three", { index: 1, source: e4, value: "four" }]);
    });
    assert.deepEqual(log.items, ['index=1 value=["three","four"] source=true@10']);
  });

  it("no waiter is left behind when the wait times out or is cancelled", async () => {
    await vrun(function* () {
      const [e1, e2, e3] = [new Event(), new Event(), new Event()];
      const any = new WaitAny([e1, e2, new WaitAll([e3, e1])]);
      const r = yield* moveOnAfter(5, function* () { return yield* any.wait(); });
      assert.equal(r.timedOut, true);
      assert.deepEqual([e1.waiting, e2.waiting, e3.waiting], [0, 0, 0]);
      const w = spawn(async () => any.wait());
      yield* sleepMs(1);
      assert.deepEqual([e1.waiting, e2.waiting, e3.waiting], [2, 1, 1]);
      w.cancel();
      assert.deepEqual([e1.waiting, e2.waiting, e3.waiting], [0, 0, 0]); // at once
      let err = "";
      try { yield* w.join(); } catch (e) { err = errName(e); }
      assert.equal(err, "CancelledError");
      e1.set(); // nothing is listening any more
      yield* sleepMs(1);
    });
  });

  it("a ThreadSafeFlag source: consumed when it wins, given back when it loses or the wait is cancelled", async () => {
    await vrun(function* () {
      const f = new ThreadSafeFlag();
      const e = new Event();
      callLater(2, () => f.set());
      assert.equal((yield* new WaitAny([e, f]).wait()).index, 1);
      assert.deepEqual([f.isSet, f.waiting], [false, 0]);
      // both fire in the same callback: the event's watcher runs first and wins; the flag is given back
      const w = spawn(function* () { return (yield* new WaitAny([e, f]).wait()).index; });
      yield* sleepMs(1);
      e.set();
      f.set();
      assert.equal(yield* w.join(), 0);
      assert.deepEqual([f.isSet, f.waiting], [true, 0]);
      // a set flag is consumed at once
      assert.equal((yield* new WaitAny([f]).wait()).index, 0);
      assert.equal(f.isSet, false);
      // the owner is woken by the flag, then cancelled before it ran: the flag is set again
      e.clear();
      const w2 = spawn(function* () { return yield* new WaitAny([f, e]).wait(); });
      yield* sleepMs(1);
      f.set();
      yield* checkpoint(); // the flag's watcher runs and wakes w2; w2 has not run yet
      assert.equal(w2.state, "ready");
      w2.cancel();
      assert.equal(f.isSet, true);
      let err = "";
      try { yield* w2.join(); } catch (x) { err = errName(x); }
      assert.equal(err, "CancelledError");
      assert.equal(e.waiting, 0);
    });
  });

  it("bad sources are TypeErrors, WaitAny of nothing a RangeError; a failing source wait is raised", async () => {
    await vrun(function* () {
      assert.throws(() => new WaitAny([]), RangeError);
      assert.throws(() => new WaitAny([5 as never]), TypeError);
      assert.throws(() => new WaitAll("x" as never), TypeError);
      const f = new ThreadSafeFlag();
      let err = "";
      try { yield* new WaitAll([f, f]).wait(); } catch (e) { err = errName(e); } // one flag, two waiters
      assert.equal(err, "InvalidStateError");
      assert.equal(f.waiting, 0);
      // a task failing is a value, not an error; a Barrier works as a source too
      const t: Task = spawn(function* () { throw new Error("x"); });
      const b = new Barrier(2);
      const other = spawn(function* () { yield* b.wait(); });
      const r = yield* new WaitAll([t, b]).wait();
      assert.equal((r[0] as Error).message, "x");
      yield* other.join();
    });
  });
});

describe("Broker", () => {
  it("matches topics MQTT style: + one level, # the rest", () => {
    const table: [string, string, boolean][] = [
      ["a/b", "a/b", true], ["a/b", "a/c", false], ["a/b", "a/b/c", false], ["a/b", "a", false],
      ["ab", "a", false], ["a", "ab", false], ["/a", "/a", true],
      ["a/+", "a/b", true], ["a/+", "a", false], ["a/+", "a/", true], ["a/+", "a/b/c", false],
      ["+", "a", true], ["+", "a/b", false], ["+/+", "a/b", true], ["+/a", "/a", true],
      ["sensor/+/temp", "sensor/kitchen/temp", true], ["sensor/+/temp", "sensor/kitchen/hum", false],
      ["sensor/+/temp", "sensor/a/b/temp", false],
      ["sensor/#", "sensor", true], ["sensor/#", "sensor/a", true], ["sensor/#", "sensor/a/b/c", true],
      ["sensor/#", "sensors/a", false], ["#", "any/thing/at/all", true], ["+/#", "a", true],
      ["a/+/#", "a", false], ["a/+/#", "a/b", true], ["a/+/#", "a/b/c/d", true],
    ];
    const wrong = table.filter(([p, t, want]) => topicMatches(p.split("/"), t) !== want);
    assert.deepEqual(wrong, []);
  });

  it("delivers to callbacks, task functions, events, messages, queues and ring buffers; returns the count", async () => {
    const log = new Log();
    await vrun(function* () {
      const bus = new Broker();
      const ev = new Event<unknown>();
      const msg = new Message<unknown>();
      const q = new Queue<unknown>();
      const rb = new RingbufQueue<unknown>(2);
      bus.subscribe("sensor/+/temp", (topic: string, m: unknown, tag: string) => log.add(`${tag} ${topic}=${String(m)}`), "cb");
      bus.subscribe("sensor/#", function* (topic: string, m: number) { yield* sleepMs(m); log.add(`task ${topic}`); });
      bus.subscribe("sensor/kitchen/#", ev);
      bus.subscribe("sensor/kitchen/temp", msg);
      bus.subscribe("+/+/temp", q);
      bus.subscribe("#", rb);
      assert.equal(bus.size, 6);
      assert.equal(bus.publish("sensor/kitchen/temp", 5), 6);
      assert.equal(bus.publish("sensor/hall/temp", 2), 4);
      assert.equal(bus.publish("other", 1), 1);
      assert.deepEqual([ev.value, msg.value, q.size, rb.size, rb.overwritten], [5, 5, 2, 2, 1]);
      yield* sleepMs(10);
    });
    assert.deepEqual(log.items, ["cb sensor/kitchen/temp=5@0", "cb sensor/hall/temp=2@0", "task sensor/hall/temp@2", "task sensor/kitchen/temp@5"]);
  });

  it("a slow subscriber (a full bounded Queue) blocks neither the publisher nor the others; drops are counted", async () => {
    const log = new Log();
    await vrun(function* () {
      const bus = new Broker();
      const slow = new Queue<number>(2); // nobody reads it
      const fast = new Queue<number>();
      const sSlow = bus.subscribe("data/#", slow);
      const sFast = bus.subscribe("data/x", fast);
      bus.subscribe("data/+", (_t: string, m: number) => log.add(`cb ${m}`));
      const consumer = spawn(function* () { for (let i = 0; i < 5; i++) log.add(`fast ${yield* fast.get()}`); });
      const counts: number[] = [];
      for (let i = 0; i < 5; i++) counts.push(bus.publish("data/x", i));
      log.add("published");
      assert.deepEqual(counts, [3, 3, 2, 2, 2]);
      assert.deepEqual([sSlow.dropped, sSlow.delivered, sFast.dropped, sFast.delivered, slow.size], [3, 2, 0, 5, 2]);
      yield* consumer.join();
      slow.close();
      assert.equal(bus.publish("data/y", 9), 1); // a closed queue drops too
      assert.equal(sSlow.dropped, 4);
    });
    assert.deepEqual(log.items, [
      "cb 0@0", "cb 1@0", "cb 2@0", "cb 3@0", "cb 4@0", "published@0", "fast 0@0", "fast 1@0", "fast 2@0", "fast 3@0", "fast 4@0", "cb 9@0",
    ]);
  });

  it("a throwing callback is reported and delivery goes on; publishing from an IO callback spawns task subscribers", async () => {
    const log: string[] = [];
    await vrun(function* () {
      current().sched.setExceptionHandler((e, ctx) => log.push(`reported: ${ctx.message}: ${(e as Error).message}`));
      const bus = new Broker();
      bus.subscribe("t", () => { throw new Error("bad subscriber"); });
      bus.subscribe("t", (_t: string, m: string) => log.push(`second got ${m}`));
      assert.equal(bus.publish("t", "hi"), 2);
      const done = new Event();
      bus.subscribe("io", async (_t: string, m: string) => { log.push(`async task got ${m}`); done.set(); });
      setImmediate(() => bus.publish("io", "from IO"));
      yield* done.wait();
    });
    assert.deepEqual(log, ['reported: Broker subscriber to "t" failed on "t": bad subscriber', "second got hi", "async task got from IO"]);
  });

  it("unsubscribe stops delivery, also during a publish in progress; bad patterns and targets are rejected", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const bus = new Broker();
      let second: { unsubscribe(): void } | null = null;
      const cb = (_t: string, m: string) => log.push(`first ${m}`);
      bus.subscribe("a", (_t: string, m: string) => { log.push(`killer ${m}`); second!.unsubscribe(); });
      bus.subscribe("a", cb);
      second = bus.subscribe("a", (_t: string, m: string) => log.push(`second ${m}`));
      assert.equal(bus.publish("a", "1"), 2);
      second.unsubscribe(); // twice is fine
      assert.equal(bus.unsubscribe("a", cb), 1);
      assert.equal(bus.unsubscribe("a", cb), 0);
      assert.equal(bus.publish("a", "2"), 1);
      assert.equal(bus.size, 1);
      for (const p of ["a/b+", "a/#/b", "#a", "a+/b"]) assert.throws(() => bus.subscribe(p, cb), RangeError);
      assert.throws(() => bus.subscribe("", cb), TypeError);
      assert.throws(() => bus.subscribe("a", 5 as never), TypeError);
      assert.throws(() => bus.publish("a/+", 1), RangeError);
      assert.throws(() => bus.publish("a/#", 1), RangeError);
      assert.equal(bus.size, 1);
      yield* checkpoint();
    });
    assert.deepEqual(log, ["killer 1", "first 1", "killer 2"]);
  });
});

export type { Gen };
