import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { sleepMs } from "../firmware/sched/index";
import { TouchPad, moddableTouchReader } from "../drivers/touch/index";
import { SimTouch } from "../sim/touch";

const PAD = 4;

function gestures(log: Log): { press: () => void; release: () => void; double: () => void; long: () => void } {
  return { press: () => log.add("press"), release: () => log.add("release"), double: () => log.add("double"), long: () => log.add("long") };
}

describe("TouchPad", () => {
  it("calibrates a baseline from its first readings, then gives a Pushbutton's press, release, long and double", async () => {
    const log = new Log();
    await vrun(function* () {
      const bank = new SimTouch(); // 400 counts untouched, a finger adds 200
      const pad = new TouchPad({ Touch: bank.Touch, pin: PAD, ...gestures(log) });
      assert.equal(pad.calibrated, false);
      yield* sleepMs(150); // readings at 0, 20, ..., 140: the eighth calibrates
      assert.equal(pad.calibrated, true);
      assert.deepEqual([pad.baseline, pad.threshold], [400, 480]);
      bank.touch(PAD, 310, 120); // seen at the 320 reading, lifted at 430: seen at 440
      bank.touch(PAD, 1010, 1500); // a long press
      bank.touch(PAD, 3010, 100); // a double click: two touches 200 ms apart
      bank.touch(PAD, 3210, 100);
      yield* sleepMs(3500);
      assert.equal(pad.touched, false);
      assert.equal(bank.reads(PAD), pad.readings);
      pad.close();
    });
    assert.deepEqual(log.items, [
      "press@320", "release@440",
      "press@1020", "long@2020", "release@2520",
      "press@3020", "release@3120", "press@3220", "double@3220", "release@3320",
    ]);
  });

  it("hysteresis: a reading that hovers at the threshold with noise gives one press, no chatter, and one release when it falls", async () => {
    const log = new Log();
    await vrun(function* () {
      const bank = new SimTouch();
      bank.noise(PAD, 10, 3);
      const pad = new TouchPad({ Touch: bank.Touch, pin: PAD, ...gestures(log) });
      yield* sleepMs(200);
      assert.ok(Math.abs(pad.baseline - 400) <= 10, `baseline ${pad.baseline}`);
      const threshold = pad.threshold;
      bank.set(PAD, Math.round(threshold) + 5); // noise ±10 around threshold + 5: below the threshold at times, never below threshold - hysteresis (a quarter of the 80-count rise)
      yield* sleepMs(2000);
      bank.set(PAD, 400);
      yield* sleepMs(100);
      const s = pad.stats();
      assert.equal(s.changes, 2);
      pad.close();
    });
    assert.equal(log.items.filter((l) => l.startsWith("press")).length, 1);
    assert.equal(log.items.filter((l) => l.startsWith("release")).length, 1);
    assert.equal(log.items.filter((l) => l.startsWith("long")).length, 1); // held 2 s
  });

  it("recalibrate takes a new baseline (no gestures meanwhile); a failing reading is counted and polling goes on", async () => {
    const log = new Log();
    await vrun(function* () {
      const bank = new SimTouch();
      let fail = 0;
      class Flaky extends bank.Touch {
        override read(): number {
          if (fail > 0) {
            fail--;
            throw new Error("touch channel timeout");
          }
          return super.read();
        }
      }
      const pad = new TouchPad({ Touch: Flaky, pin: PAD, periodMs: 10, calibrationSamples: 4, press: () => log.add("press") });
      yield* sleepMs(45); // calibrated at the 30 reading
      assert.equal(pad.baseline, 400);
      bank.set(PAD, 1000); // the board moved: the pad reads higher, and the app recalibrates (readings at 50..80)
      pad.recalibrate();
      yield* sleepMs(50);
      assert.deepEqual([pad.baseline, pad.threshold], [1000, 1200]);
      fail = 2;
      yield* sleepMs(30);
      assert.equal(pad.readErrors, 2);
      bank.set(PAD, 1300);
      yield* sleepMs(20);
      pad.close();
    });
    assert.deepEqual(log.items, ["press@130"]); // nothing while the raised level was recalibrated; the reads at 100 and 110 failed
  });

  it("over Moddable's touchpad module: one shared instance, a status bit per pad, a fixed threshold of 1", async () => {
    const log = new Log();
    const opened: unknown[] = [];
    let status = 0;
    let closed = 0;
    class FakeModdableTouch {
      constructor(options: { pins: number; sensitivity?: number }) {
        opened.push(options);
      }
      read(): number {
        return status;
      }
      close(): void {
        closed++;
      }
    }
    await vrun(function* () {
      const Touch = moddableTouchReader(FakeModdableTouch, (1 << 4) | (1 << 5), 0.1);
      const a = new TouchPad({ Touch, pin: 4, threshold: 1, press: () => log.add("a press"), release: () => log.add("a release") });
      const b = new TouchPad({ Touch, pin: 5, threshold: 1, press: () => log.add("b press") });
      assert.equal(a.calibrated, true);
      yield* sleepMs(15);
      status = 1 << 4;
      yield* sleepMs(100);
      status = 1 << 5;
      yield* sleepMs(100);
      a.close();
      assert.equal(closed, 0);
      b.close();
      assert.equal(closed, 1);
      assert.throws(() => new Touch({ pin: 6 }), /channel 6 is not in the pins bitmask 0x30/);
    });
    assert.deepEqual(opened, [{ pins: 0x30, sensitivity: 0.1 }]);
    assert.deepEqual(log.items, ["a press@20", "a release@120", "b press@120"]);
  });

  it("bad options are refused before the pad is opened, and a Pushbutton that refuses its options releases the pad", async () => {
    await vrun(function* () {
      const bank = new SimTouch();
      assert.throws(() => new TouchPad({ Touch: 5 as unknown as typeof bank.Touch, pin: PAD }), TypeError);
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD, periodMs: 0 }), /periodMs must be a number > 0, got 0/);
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD, calibrationSamples: 2.5 }), /calibrationSamples must be a whole number > 0/);
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD, threshold: NaN }), /threshold must be a finite number/);
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD, hysteresis: -1 }), /hysteresis must be a number >= 0/);
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD, click: () => undefined }), /a click action needs exclusive: true/);
      const pad = new TouchPad({ Touch: bank.Touch, pin: PAD }); // the pad was released each time
      assert.throws(() => new TouchPad({ Touch: bank.Touch, pin: PAD }), /pad 4 in use/);
      pad.close();
      pad.close();
      assert.equal(pad.isClosed, true);
    });
  });
});
