import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Event } from "../firmware/sync/event";
import { SimPins, type BounceOptions } from "../sim/digital";
import { Switch } from "../drivers/switch/index";
import { Pushbutton, type PushbuttonOptions } from "../drivers/pushbutton/index";

const PIN = 4;
/** A press as [downAtMs, heldForMs]. */
type Press = [number, number];

function presses(pins: SimPins, ps: Press[], bounce?: BounceOptions): void {
  ps.forEach(([at, held], i) => pins.press(PIN, at, held, bounce ? { bounce: { ...bounce, seed: (bounce.seed ?? 1) * 100 + i * 2 } } : {}));
}

/** Log every Pushbutton action as "kind@ms" for a run of presses. */
function buttonLog(opts: Partial<PushbuttonOptions>, ps: Press[], bounce?: BounceOptions): Promise<string[]> {
  const log = new Log();
  return vrun(function* () {
    const pins = new SimPins();
    const act = (k: string) => () => log.add(k);
    const b = new Pushbutton({
      Digital: pins.Digital, pin: PIN,
      press: act("press"), release: act("release"), double: act("double"), long: act("long"),
      ...(opts.exclusive ? { click: act("click") } : {}),
      ...opts,
    });
    presses(pins, ps, bounce);
    yield* sleepMs(4000);
    b.close();
    return log.items;
  });
}

const DOUBLE: Press[] = [[100, 110], [310, 100]];
const LONG: Press[] = [[110, 1530]];
const CLICK: Press[] = [[100, 100]];
const HELD: Press[] = [[100, 600]];

describe("Switch", () => {
  it("callback actions: closes and opens at the first edge, the initial position makes no event", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const sw = new Switch({ Digital: pins.Digital, pin: PIN, onClose: () => log.add(`close ${sw.closed} ${sw.state}`), onOpen: () => log.add(`open ${sw.closed} ${sw.state}`) });
      presses(pins, [[100, 200], [1000, 30]]); // the second opens inside the quiet time: open at 1050
      yield* sleepMs(2000);
      sw.close();
    });
    assert.deepEqual(log.items, ["close true 0@100", "open false 1@300", "close true 0@1000", "open false 1@1050"]);
  });

  it("a change inside the 50 ms quiet time is acted on when it ends; a blip shorter than it that came back is ignored", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const sw = new Switch({ Digital: pins.Digital, pin: PIN, onClose: () => log.add("close"), onOpen: () => log.add("open") });
      presses(pins, [[100, 20], [500, 300]]);
      pins.driveAt(PIN, 820, 0); // open at 800, a 10 ms blip closed at 820..830 inside the quiet time
      pins.driveAt(PIN, 830, 1);
      yield* sleepMs(2000);
      sw.close();
    });
    assert.deepEqual(log.items, ["close@100", "open@150", "close@500", "open@800"]);
  });

  it("bounce never makes extra events (several seeds, bursts up to 40 ms)", async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const log = new Log();
      await vrun(function* () {
        const pins = new SimPins();
        const sw = new Switch({ Digital: pins.Digital, pin: PIN, onClose: () => log.add("close"), onOpen: () => log.add("open") });
        presses(pins, [[100, 200], [600, 120]], { edges: 9, spanMs: 10 + seed * 5, seed });
        yield* sleepMs(2000);
        sw.close();
      });
      assert.deepEqual(log.items, ["close@100", "open@300", "close@600", "open@720"], `seed ${seed}`);
    }
  });

  it("Event and task-function actions; args are passed; close() stops the task and frees the pin", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const closed = new Event();
      const sw = new Switch({
        Digital: pins.Digital, pin: PIN, onClose: closed, args: ["door"],
        onOpen: function* (name: string): Gen<void> { log.add(`${name} opening`); yield* sleepMs(5); log.add(`${name} opened`); },
      });
      spawn(function* () { for (;;) { yield* closed.wait(); closed.clear(); log.add("event: closed"); } });
      presses(pins, [[100, 200]]);
      yield* sleepMs(400);
      sw.setAction("open", async (name: string) => { await sleepMs(1); log.add(`async ${name}`); });
      presses(pins, [[500, 100]]);
      yield* sleepMs(400);
      sw.close();
      sw.close();
      assert.equal(pins.inUse(PIN), false);
      presses(pins, [[1000, 100]]);
      yield* sleepMs(400);
    });
    assert.deepEqual(log.items, ["event: closed@100", "door opening@300", "door opened@305", "event: closed@500", "async door@601"]);
  });
});

describe("Pushbutton: reference timelines (devices.md)", () => {
  it("double click without suppress: press@100 release@210 press@310 double@310 release@410", async () => {
    assert.deepEqual(await buttonLog({}, DOUBLE), ["press@100", "release@210", "press@310", "double@310", "release@410"]);
  });

  it("long press: press@110 long@1110 release@1640", async () => {
    assert.deepEqual(await buttonLog({}, LONG), ["press@110", "long@1110", "release@1640"]);
  });

  it("a click, and a held press shorter than long: press and release as they happen", async () => {
    assert.deepEqual(await buttonLog({}, CLICK), ["press@100", "release@200"]);
    assert.deepEqual(await buttonLog({}, HELD), ["press@100", "release@700"]);
  });

  it("bounce never makes extra events: every timeline of docs/drivers.md, several seeds", async () => {
    const table: [string, Partial<PushbuttonOptions>, Press[], string[]][] = [
      ["double", {}, DOUBLE, ["press@100", "release@210", "press@310", "double@310", "release@410"]],
      ["long", {}, LONG, ["press@110", "long@1110", "release@1640"]],
      ["click", {}, CLICK, ["press@100", "release@200"]],
      ["held", {}, HELD, ["press@100", "release@700"]],
      ["suppress double", { suppress: true }, DOUBLE, ["press@100", "press@310", "double@310"]],
      ["suppress long", { suppress: true }, LONG, ["press@110", "long@1110"]],
      ["suppress click", { suppress: true }, CLICK, ["press@100", "release@500"]],
      ["suppress held", { suppress: true }, HELD, ["press@100", "release@700"]],
      ["exclusive double", { exclusive: true }, DOUBLE, ["press@100", "release@210", "press@310", "double@310", "release@410"]],
      ["exclusive long", { exclusive: true }, LONG, ["press@110", "long@1110", "release@1640"]],
      ["exclusive click", { exclusive: true }, CLICK, ["press@100", "release@200", "click@500"]],
      ["exclusive held", { exclusive: true }, HELD, ["press@100", "release@700", "click@700"]],
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const b: BounceOptions = { edges: 7, spanMs: 20 + seed * 4, seed };
      for (const [name, opts, ps, want] of table) assert.deepEqual(await buttonLog(opts, ps, b), want, `${name}, seed ${seed}`);
    }
  });

  it("no second press within the window after a short press followed by a long one (issue 101): long fires", async () => {
    assert.deepEqual(await buttonLog({}, [[100, 100], [600, 1200]]), ["press@100", "release@200", "press@600", "long@1600", "release@1800"]);
  });

  it("disabled actions: without a double action a quick second press is two clicks, without long nothing fires at 1 s", async () => {
    assert.deepEqual(await buttonLog({ double: null }, DOUBLE), ["press@100", "release@210", "press@310", "release@410"]);
    assert.deepEqual(await buttonLog({ long: null }, LONG), ["press@110", "release@1640"]);
  });
});

describe("Pushbutton: suppress (micropython-async)", () => {
  it("click: release held back until the double-click window ends", async () => {
    assert.deepEqual(await buttonLog({ suppress: true }, CLICK), ["press@100", "release@500"]);
  });
  it("double click: both releases dropped", async () => {
    assert.deepEqual(await buttonLog({ suppress: true }, DOUBLE), ["press@100", "press@310", "double@310"]);
  });
  it("long press: release dropped", async () => {
    assert.deepEqual(await buttonLog({ suppress: true }, LONG), ["press@110", "long@1110"]);
  });
  it("held past the window but not long: release at the release", async () => {
    assert.deepEqual(await buttonLog({ suppress: true }, HELD), ["press@100", "release@700"]);
  });
  it("without a double action the release is not delayed; without a long action it is not dropped", async () => {
    assert.deepEqual(await buttonLog({ suppress: true, double: null }, CLICK), ["press@100", "release@200"]);
    assert.deepEqual(await buttonLog({ suppress: true, long: null }, LONG), ["press@110", "release@1640"]);
  });
});

describe("Pushbutton: exclusive (click / double / long, exactly one per gesture)", () => {
  it("click fires when the window ends", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true }, CLICK), ["press@100", "release@200", "click@500"]);
  });
  it("a press held past the window: click at the release", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true }, HELD), ["press@100", "release@700", "click@700"]);
  });
  it("double click: no click", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true }, DOUBLE), ["press@100", "release@210", "press@310", "double@310", "release@410"]);
  });
  it("long press: no click", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true }, LONG), ["press@110", "long@1110", "release@1640"]);
  });
  it("long shorter than the window: long closes the window, the next press is a new gesture", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true, longMs: 300, doubleMs: 500 }, [[100, 350], [500, 50]]),
      ["press@100", "long@400", "release@450", "press@500", "release@550", "click@1000"]);
    // default mode keeps micropython's behaviour: the window is still open, so this is a double click
    assert.deepEqual(await buttonLog({ longMs: 300, doubleMs: 500 }, [[100, 350], [500, 50]]),
      ["press@100", "long@400", "release@450", "press@500", "double@500", "release@550"]);
  });
  it("with suppress as well: release follows the suppress rules, click the exclusive ones", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true, suppress: true }, CLICK), ["press@100", "release@500", "click@500"]);
    assert.deepEqual(await buttonLog({ exclusive: true, suppress: true }, DOUBLE), ["press@100", "press@310", "double@310"]);
  });
  it("triple click: a double, then a new gesture", async () => {
    assert.deepEqual(await buttonLog({ exclusive: true, press: null, release: null }, [[100, 50], [200, 50], [300, 50]]), ["double@200", "click@700"]);
  });
  it("a click action without exclusive is a TypeError; bad durations a RangeError", async () => {
    await vrun(function* () {
      const pins = new SimPins();
      assert.throws(() => new Pushbutton({ Digital: pins.Digital, pin: PIN, click: () => {} }), /needs exclusive/);
      assert.throws(() => new Pushbutton({ Digital: pins.Digital, pin: PIN, longMs: -1 }), RangeError);
      assert.throws(() => new Pushbutton({ Digital: pins.Digital, pin: PIN, press: 5 as never }), TypeError);
      assert.equal(pins.inUse(PIN), false);
    });
  });
});

describe("Pushbutton: targets and lifecycle", () => {
  it("Event, generator and async task targets; active-high wiring", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const dbl = new Event();
      const b = new Pushbutton({
        Digital: pins.Digital, pin: PIN, activeLow: false, double: dbl, args: [7],
        long: function* (n: number): Gen<void> { log.add(`long task ${n}`); yield* sleepMs(10); log.add("long task done"); },
        release: async (n: number) => { log.add(`release ${n} ${b.pressed}`); await sleepMs(1); },
      });
      spawn(function* () { yield* dbl.wait(); log.add("double event"); });
      pins.press(PIN, 100, 50, { activeLow: false });
      pins.press(PIN, 200, 1100, { activeLow: false });
      yield* sleepMs(2000);
      b.close();
    });
    assert.deepEqual(log.items, ["release 7 false@150", "double event@200", "release 7 false@1300"]);
  });

  it("a long action after the double window: task started at 1 s; close() from an action stops everything", async () => {
    const log = new Log();
    await vrun(function* () {
      const pins = new SimPins();
      const b: Pushbutton = new Pushbutton({
        Digital: pins.Digital, pin: PIN,
        long: function* (): Gen<void> { log.add("long task"); yield* sleepMs(10); log.add("long task done"); },
        press: () => { log.add("press"); if (b.pressed && log.items.length > 2) b.close(); },
        release: () => log.add("release"),
      });
      presses(pins, [[100, 1200], [2000, 100], [3000, 100]]);
      yield* sleepMs(4000);
      assert.equal(pins.inUse(PIN), false);
    });
    assert.deepEqual(log.items, ["press@100", "long task@1100", "long task done@1110", "release@1300", "press@2000"]);
  });

  it("a throwing callback is reported and the button goes on", async () => {
    const log = new Log();
    const reported: string[] = [];
    await vrun(function* () {
      const pins = new SimPins();
      pins.clock.sched.setExceptionHandler((e, ctx) => reported.push(`${ctx.message}: ${(e as Error).message}`));
      const b = new Pushbutton({ Digital: pins.Digital, pin: PIN, press: () => { throw new Error("boom"); }, release: () => log.add("release") });
      presses(pins, CLICK);
      yield* sleepMs(1000);
      b.close();
    });
    assert.deepEqual(log.items, ["release@200"]);
    assert.deepEqual(reported, ["Pushbutton press action failed: boom"]);
  });
});
