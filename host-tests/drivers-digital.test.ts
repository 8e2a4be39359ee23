import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, InvalidStateError, TimeoutError, checkpoint, currentTaskOrNull, failAfter, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { SimPins } from "../sim/digital";
import { PinEdges, type Edge } from "../drivers/pin/index";

const fmt = (e: Edge): string => `${e.level}@${e.us}us`;

describe("SimPins: Digital semantics", () => {
  it("input modes: pull-up idles high, pull-down idles low, a driven level wins, null releases it", async () => {
    await vrun(function* () {
      const pins = new SimPins();
      const D = pins.Digital;
      const up = new D({ pin: 1, mode: D.InputPullUp });
      const down = new D({ pin: 2, mode: D.InputPullDown });
      const plain = new D({ pin: 3, mode: D.Input });
      assert.deepEqual([up.read(), down.read(), plain.read()], [1, 0, 0]);
      pins.drive(1, 0);
      pins.drive(2, 1);
      pins.drive(3, 1);
      assert.deepEqual([up.read(), down.read(), plain.read(), pins.level(1)], [0, 1, 1, 0]);
      pins.drive(1, null);
      pins.drive(2, null);
      assert.deepEqual([up.read(), down.read()], [1, 0]);
      assert.throws(() => up.write(1), /write\(\) on an input/);
    });
  });

  it("outputs read back what was written; writes are recorded with ms stamps and reported to onOutput", async () => {
    const seen: string[] = [];
    await vrun(function* () {
      const pins = new SimPins();
      const D = pins.Digital;
      pins.onOutput(25, (lv, ms) => seen.push(`${lv}@${ms}`));
      const led = new D({ pin: 25, mode: D.Output, initialValue: 1 });
      assert.equal(led.read(), 1);
      yield* sleepMs(10);
      led.write(0);
      assert.equal(led.read(), 0);
      pins.drive(25, 1); // an output is not moved by a stimulus
      assert.equal(led.read(), 0);
      yield* sleepMs(5);
      led.write(1);
      assert.throws(() => led.write(2 as 0), RangeError);
      assert.deepEqual(pins.outputs(25), [{ ms: 0, level: 1 }, { ms: 10, level: 0 }, { ms: 15, level: 1 }]);
      const od = new D({ pin: 26, mode: D.OutputOpenDrain, initialValue: 1 });
      assert.equal(od.read(), 1); // released: the bus pull-up
      pins.drive(26, 0);
      assert.equal(od.read(), 0); // another device pulls low
      pins.drive(26, null);
      od.write(0);
      assert.equal(od.read(), 0);
    });
    assert.deepEqual(seen, ["0@10", "1@15"]);
  });

  it("constructor errors are clear: bad pin, mode, edge, edge without callback, pin in use; close() frees the pin", async () => {
    await vrun(function* () {
      const pins = new SimPins();
      const D = pins.Digital;
      assert.throws(() => new D({ pin: 99, mode: D.Input }), /invalid pin 99/);
      assert.throws(() => new D({ pin: 1.5, mode: D.Input }), /invalid pin 1.5/);
      assert.throws(() => new D({ pin: 1, mode: 7 }), /invalid mode 7/);
      assert.throws(() => new D({ pin: 1, mode: D.Input, edge: 4, onReadable() {} }), /invalid edge 4/);
      assert.throws(() => new D({ pin: 1, mode: D.Input, edge: D.Rising }), /needs an onReadable/);
      assert.throws(() => new D({ pin: 1, mode: D.Output, edge: D.Rising, onReadable() {} }), /needs an input mode/);
      const a = new D({ pin: 1, mode: D.Input });
      assert.throws(() => new D({ pin: 1, mode: D.Output }), /pin 1: already in use/);
      a.close();
      a.close();
      assert.throws(() => a.read(), /closed/);
      assert.equal(pins.inUse(1), false);
      new D({ pin: 1, mode: D.Output }).close();
    });
  });

  it("edges call onReadable outside tasks at the edge's instant, never inside drive(); edge filters apply; close() stops even a due callback", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const D = pins.Digital;
      let inDrive = false;
      const rising = new D({
        pin: 4, mode: D.InputPullDown, edge: D.Rising,
        onReadable() { log.add(`rise ${this.read()} task=${currentTaskOrNull() !== null} inDrive=${inDrive} us=${pins.clock.nowUs()} last=${pins.lastEdgeUs(4)}`); },
      });
      const both = new D({ pin: 5, mode: D.InputPullUp, edge: D.Rising | D.Falling, onReadable() { log.add(`pin5 ${this.read()}`); } });
      yield* sleepMs(10);
      inDrive = true;
      pins.drive(4, 1);
      pins.drive(4, 1); // no change, no edge
      inDrive = false;
      yield* sleepMs(0.25);
      pins.drive(4, 0); // falling: filtered
      pins.driveAt(5, 20, 0);
      pins.driveAt(5, 30.5, 1);
      yield* sleepMs(30);
      pins.drive(5, 0);
      both.close(); // the delivery already scheduled must not run
      rising.close();
      yield* sleepMs(10);
    });
    assert.deepEqual(log.items, ["rise 1 task=false inDrive=false us=10000 last=10000@10", "pin5 0@20", "pin5 1@30.5"]);
  });

  it("coalesce: edges that arrive while a delivery is pending make one onReadable call", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins(undefined, { coalesce: true });
      const D = pins.Digital;
      new D({ pin: 6, mode: D.Input, edge: 3, onReadable() { log.add(`edge ${this.read()}`); } });
      pins.drive(6, 1);
      pins.drive(6, 0);
      pins.drive(6, 1);
      yield* sleepMs(1);
      pins.drive(6, 0);
      yield* sleepMs(1);
    });
    assert.deepEqual(log.items, ["edge 1@0", "edge 0@1"]);
  });
});

describe("SimPins: stimulus helpers", () => {
  function* record(pins: SimPins, pin: number, untilMs: number, mode?: number): Gen<string[]> {
    const edges = new PinEdges({ Digital: pins.Digital, pin, mode: mode ?? pins.Digital.InputPullUp, capacity: 200, nowUs: () => pins.clock.nowUs() });
    yield* sleepMs(untilMs);
    const out: string[] = [];
    for (let e = edges.tryNext(); e !== null; e = edges.tryNext()) out.push(fmt(e));
    assert.equal(edges.overruns, 0);
    edges.close();
    return out;
  }

  it("press() drives the active level for the duration (active low by default)", async () => {
    const r = await vrun(function* () {
      const pins = new SimPins();
      pins.press(7, 100, 250);
      pins.press(7, 500, 1.5);
      return yield* record(pins, 7, 1000);
    });
    assert.deepEqual(r, ["0@100000us", "1@350000us", "0@500000us", "1@501500us"]);
  });

  it("bounce(): an odd burst of alternating edges from atMs to atMs + spanMs settling on the new level, the same for the same seed", async () => {
    const burst = (seed: number) => vrun(function* () {
      const pins = new SimPins();
      pins.bounce(8, 100, { edges: 6, spanMs: 10, seed });
      return yield* record(pins, 8, 200);
    });
    const a = await burst(3);
    assert.deepEqual(await burst(3), a);
    assert.notDeepEqual(await burst(4), a);
    assert.equal(a.length, 7);
    assert.equal(a[0], "0@100000us");
    assert.equal(a[6], "0@110000us");
    a.forEach((s, i) => assert.equal(s.slice(0, 1), String(i % 2)));
  });

  it("pulseTrain(): each duration is the µs until the next edge", async () => {
    const r = await vrun(function* () {
      const pins = new SimPins();
      pins.pulseTrain(9, 50, [9000, 4500, 562.5, 1687.5], 0);
      return yield* record(pins, 9, 100);
    });
    assert.deepEqual(r, ["0@50000us", "1@59000us", "0@63500us", "1@64063us", "0@65750us"]);
  });

  it("noise(): seeded glitches inside the window, each a pair of edges back to the driven level", async () => {
    const glitches = (seed: number) => vrun(function* () {
      const pins = new SimPins();
      pins.noise(10, { fromMs: 100, toMs: 200, ratePerS: 100, seed, widthUs: [2, 10] });
      return yield* record(pins, 10, 300);
    });
    const a = await glitches(1);
    assert.deepEqual(await glitches(1), a);
    assert.notDeepEqual(await glitches(2), a);
    assert.ok(a.length >= 4 && a.length % 2 === 0, `got ${a.length} edges`);
    for (let i = 0; i < a.length; i += 2) {
      const t0 = Number(a[i]!.split("@")[1]!.replace("us", ""));
      const t1 = Number(a[i + 1]!.split("@")[1]!.replace("us", ""));
      assert.deepEqual([a[i]!.slice(0, 1), a[i + 1]!.slice(0, 1)], ["0", "1"]);
      assert.ok(t0 >= 100000 && t1 <= 200000 && t1 - t0 >= 2 && t1 - t0 <= 10, `glitch ${a[i]} ${a[i + 1]}`);
    }
  });
});

describe("PinEdges", () => {
  it("next() returns the edges in order with their µs stamps; a buffered edge returns at once", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 12, mode: pins.Digital.InputPullUp });
      pins.pulseTrain(12, 10, [562.5, 1687.5], 0);
      for (let i = 0; i < 3; i++) log.add(fmt(yield* edges.next()));
      pins.drive(12, 1);
      yield* sleepMs(5);
      log.add(fmt(yield* edges.next()));
      assert.deepEqual(edges.stats(), { pending: 0, overruns: 0, capacity: 64, waiting: 0 });
      edges.close();
    });
    assert.deepEqual(log.items, ["0@10000us@10", "1@10563us@10.563", "0@12250us@12.25", "1@12250us@17.25"]);
  });

  it("overrun: a full ring keeps the oldest edges and counts every dropped one", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 13, capacity: 4 });
      pins.pulseTrain(13, 1, [100, 100, 100, 100, 100, 100, 100, 100, 100], 1); // 10 edges
      yield* sleepMs(5);
      log.plain(`pending ${edges.pending} overruns ${edges.overruns}`);
      for (let i = 0; i < 4; i++) log.plain(fmt(yield* edges.next()));
      assert.equal(edges.tryNext(), null);
      pins.drive(13, 1);
      yield* sleepMs(1);
      log.plain(fmt(yield* edges.next()));
      log.plain(`overruns ${edges.overruns}`);
      edges.close();
    });
    assert.deepEqual(log.items, ["pending 4 overruns 6", "1@1000us", "0@1100us", "1@1200us", "0@1300us", "1@5000us", "overruns 6"]);
  });

  it("a next() cancelled after an edge was handed to it, before it ran, gives the edge back (nothing lost)", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 14 });
      const w = spawn(function* () {
        try { log.add(`w got ${fmt(yield* edges.next())}`); } catch (e) { log.add(`w ${(e as Error).name}`); }
      });
      yield* sleepMs(1);
      pins.drive(14, 1);
      while (w.state !== "ready") yield* checkpoint(); // the edge was handed over; w has not run
      w.cancel();
      pins.drive(14, 0);
      yield* w.join();
      log.add(`pending ${edges.pending}`);
      log.add(fmt(yield* edges.next()));
      yield* sleepMs(1);
      log.add(fmt(yield* edges.next()));
      edges.close();
    });
    assert.deepEqual(log.items, ["w CancelledError@1", "pending 1@1", "1@1000us@1", "0@1000us@2"]);
  });

  it("a next() cancelled or timed out while waiting loses no later edge", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 15 });
      const w = spawn(function* () { yield* edges.next(); });
      yield* sleepMs(1);
      w.cancel();
      try { yield* w.join(); } catch (e) { log.add((e as Error).name); }
      try { yield* failAfter(5, () => edges.next()); } catch (e) { log.add((e as Error).name); }
      assert.equal(edges.stats().waiting, 0);
      pins.drive(15, 1);
      yield* sleepMs(1);
      log.add(`pending ${edges.pending} ${fmt(yield* edges.next())}`);
      edges.close();
    });
    assert.deepEqual(log.items, ["CancelledError@1", "TimeoutError@6", "pending 1 1@6000us@7"]);
  });

  it("close() ends a pending next() with ClosedError, later next() too, and no callback runs afterwards", async () => {
    const log = new Log();
    await vrun(async () => {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 16 });
      const w = spawn(async () => {
        try { await edges.next(); log.add("woke"); } catch (e) { log.add(`${(e as Error).name} ${e instanceof ClosedError}`); }
      });
      await sleepMs(3);
      pins.drive(16, 1); // delivery pending
      edges.close();
      edges.close();
      await w.join();
      await sleepMs(1);
      assert.equal(edges.pending, 0);
      assert.equal(pins.inUse(16), false);
      try { await edges.next(); } catch (e) { log.add(`again ${(e as Error).name}`); }
      assert.throws(() => edges.tryNext(), ClosedError);
    });
    assert.deepEqual(log.items, ["ClosedError true@3", "again ClosedError@4"]);
  });

  it("async iteration in an async task; the loop ends when the pin is closed", async () => {
    const log = new Log();
    await vrun(async () => {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 17, edge: pins.Digital.Rising });
      pins.pulseTrain(17, 2, [1000, 1000, 1000, 1000], 1); // rising at 2, 4, 6
      const reader = spawn(async () => {
        for await (const e of edges) log.add(fmt(e));
        log.add("end");
      });
      await sleepMs(10);
      edges.close();
      await reader.join();
    });
    assert.deepEqual(log.items, ["1@2000us@2", "1@4000us@4", "1@6000us@6", "end@10"]);
  });

  it("onEdge callback mode: every edge goes to the callback, nothing is buffered; one consumer only", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 18, onEdge: (lv, us) => log.add(`${lv}@${us}us`) });
      pins.pulseTrain(18, 1, [250], 1);
      yield* sleepMs(2);
      assert.equal(edges.pending, 0);
      edges.close();
      const e2 = new PinEdges({ Digital: pins.Digital, pin: 19 });
      spawn(function* () { yield* e2.next(); });
      yield* checkpoint();
      try { yield* e2.next(); } catch (e) { log.add(`${(e as Error).name} ${e instanceof InvalidStateError}`); }
      e2.close();
      assert.throws(() => new PinEdges({ Digital: pins.Digital, pin: 19, capacity: 0 }), RangeError);
    });
    assert.deepEqual(log.items, ["1@1000us@1", "0@1250us@1.25", "InvalidStateError true@2"]);
  });

  it("TimeoutError is the timeout's, not the pin's (failAfter around next())", async () => {
    await vrun(function* () {
      const pins = new SimPins();
      const edges = new PinEdges({ Digital: pins.Digital, pin: 20 });
      let err: unknown;
      try { yield* failAfter(1, () => edges.next()); } catch (e) { err = e; }
      assert.ok(err instanceof TimeoutError);
      edges.close();
    });
  });
});
