import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, moveOnAfter, now, sleepMs, spawn } from "../firmware/sched/index";
import { StatsBoard } from "../firmware/control/stats";
import { Adc } from "../drivers/adc/index";
import { SimAnalog } from "../sim/analog";

const PIN = 26;

describe("Adc", () => {
  it("samples every periodMs, averages `samples` conversions, and the rate changes live", async () => {
    const log = new Log();
    await vrun(function* () {
      const bank = new SimAnalog();
      bank.set(PIN, "1.65V");
      const adc = new Adc({ Analog: bank.Analog, pin: PIN, samples: 8 });
      spawn(function* () {
        for (;;) log.add(`v ${yield* adc.waitSample()}`);
      });
      yield* sleepMs(250);
      adc.periodMs = 20; // last sample at 200: the next is due at 220, already past: now
      yield* sleepMs(40);
      adc.periodMs = 1000; // last at 290: next at 1290
      yield* sleepMs(20);
      adc.periodMs = 50; // next at 340
      yield* sleepMs(60);
      assert.equal(now(), 370);
      assert.equal(bank.reads(PIN), 7 * 8); // samples at 0 (before the logger waited), 100, 200, 250, 270, 290, 340
      assert.equal(adc.stats().conversions, 56);
      adc.close();
    });
    assert.deepEqual(log.items, ["v 2048@100", "v 2048@200", "v 2048@250", "v 2048@270", "v 2048@290", "v 2048@340"]);
  });

  it("averaging narrows the noise: 16 conversions of ±40 noise stay within ±20 of the level", async () => {
    await vrun(function* () {
      const bank = new SimAnalog();
      bank.set(PIN, 1000);
      bank.noise(PIN, 40, 7);
      const single = new Adc({ Analog: bank.Analog, pin: PIN, samples: 1, periodMs: 10 });
      let worstSingle = 0;
      for (let i = 0; i < 50; i++) worstSingle = Math.max(worstSingle, Math.abs((yield* single.waitSample()) - 1000));
      single.close();
      const avg = new Adc({ Analog: bank.Analog, pin: PIN, samples: 16, periodMs: 10 });
      let worstAvg = 0;
      for (let i = 0; i < 50; i++) worstAvg = Math.max(worstAvg, Math.abs((yield* avg.waitSample()) - 1000));
      assert.ok(worstSingle > 30, `single ${worstSingle}`);
      assert.ok(worstAvg < 20, `averaged ${worstAvg}`);
    });
  });

  it("waitOutside / waitInside follow a ramp across a band, at the first sample past it", async () => {
    const log = new Log();
    await vrun(function* () {
      const bank = new SimAnalog();
      bank.set(PIN, 1000);
      const adc = new Adc({ Analog: bank.Analog, pin: PIN, samples: 1, periodMs: 10, hysteresis: 50 });
      log.add(`inside at once ${yield* adc.waitInside(500, 3000)}`);
      bank.ramp(PIN, 1000, 4000, 1000); // 3 units a ms
      log.add(`outside ${yield* adc.waitOutside(500, 3000)}`); // above 3050: 3 * 684 + 1000 = 3052 at 684 ms, seen at the 690 sample
      bank.ramp(PIN, 4000, 0, 1000); // from 690, 4 units a ms
      log.add(`inside ${yield* adc.waitInside(500, 3000)}`); // at or below 2950: from 953 ms, seen at 960
      log.add(`outside ${yield* adc.waitOutside(500, 3000)}`); // below 450: from 1578 ms, seen at 1580
    });
    assert.deepEqual(log.items, ["inside at once 1000@0", "outside 3070@690", "inside 2920@960", "outside 440@1580"]);
  });

  it("hysteresis: noise around a threshold makes no extra crossings", async () => {
    await vrun(function* () {
      const crossings = function* (hysteresis: number) {
        const bank = new SimAnalog();
        bank.set(PIN, 2000);
        bank.noise(PIN, 30, 3);
        const adc = new Adc({ Analog: bank.Analog, pin: PIN, samples: 1, periodMs: 10, hysteresis });
        let n = 0;
        const r = yield* moveOnAfter(2000, function* () {
          for (;;) {
            yield* adc.waitOutside(0, 2000);
            n++;
            yield* adc.waitInside(0, 2000);
            n++;
          }
        });
        assert.equal(r.timedOut, true);
        adc.close();
        return n;
      };
      assert.ok((yield* crossings(0)) > 20);
      assert.equal(yield* crossings(40), 0);
    });
  });

  it("bad options and bands are errors before anything waits; waits end with ClosedError at close(); async tasks; the stats board", async () => {
    const log = new Log();
    await vrun(async () => {
      const bank = new SimAnalog();
      bank.set(PIN, 100);
      const adc = new Adc({ Analog: bank.Analog, pin: PIN, periodMs: 10, hysteresis: 10 });
      assert.throws(() => adc.waitOutside(10, 5), /band low \(10\) is above high \(5\)/);
      assert.throws(() => adc.waitInside(0, 15), /narrower than twice the hysteresis/);
      assert.throws(() => adc.waitOutside(NaN, 5), /needs two numbers/);
      assert.throws(() => { adc.periodMs = 0; }, /periodMs must be a number > 0, got 0/);
      assert.equal(adc.periodMs, 10);
      assert.throws(() => new Adc({ Analog: bank.Analog, pin: 3, samples: 0 }), /samples must be a whole number >= 1, got 0/);
      assert.throws(() => new Adc({ Analog: bank.Analog, pin: 3, hysteresis: -1 }), /hysteresis must be a number >= 0/);
      assert.throws(() => new Adc({ Analog: bank.Analog, pin: PIN }), /pin 26 in use/);
      assert.throws(() => new Adc({ Analog: null as never, pin: 3 }), TypeError);
      log.add(`async ${await adc.waitOutside(0, 50)}`);
      const waiter = spawn(async () => {
        try {
          await adc.waitOutside(0, 500);
        } catch (e) {
          log.add((e as Error).name);
        }
      });
      await sleepMs(25);
      const board = new StatsBoard();
      board.attach("adc", adc);
      assert.equal(board.lines()[0], "adc value=100 samples=3 conversions=12 periodMs=10 waiting=1");
      adc.close();
      adc.close();
      await waiter.join();
      assert.throws(() => adc.waitSample(), ClosedError);
      assert.throws(() => adc.read(), ClosedError);
      const again = new Adc({ Analog: bank.Analog, pin: PIN }); // the pin was released
      again.close();
      log.add(`end ${now()}`);
    });
    assert.deepEqual(log.items, ["async 100@0", "ClosedError@25", "end 25@25"]);
  });
});
