import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { StatsBoard } from "../firmware/control/stats";
import { ManagedResource } from "../drivers/resource/index";
import { HTU21D } from "../drivers/htu21d/index";
import { Lcd, LCD_ADDRESS } from "../drivers/lcd/index";
import { SimEeprom24C32 } from "../sim/eeprom24c32";
import { SimHTU21D } from "../sim/htu21d";
import { SimI2CBus } from "../sim/i2c";
import { SimLcd } from "../sim/lcd";
import { SimClock } from "../sim/time";

const PINS = { data: 4, clock: 5, hz: 100_000 };

/** The simulated bus with the LCD backpack at 0x27 (and an HTU21D and an EEPROM), shared through one ManagedResource. */
function rig(opts: { cols?: number; rows?: number } = {}) {
  const sim = new SimI2CBus();
  const panel = sim.attach(LCD_ADDRESS, new SimLcd(new SimClock(), opts));
  sim.attach(0x40, new SimHTU21D());
  sim.attach(0x50, new SimEeprom24C32());
  const i2c = new ManagedResource(null, { name: "i2c0" });
  const lcd = new Lcd({ resource: i2c, io: sim.I2C, i2c: PINS, ...opts });
  return { sim, panel, i2c, lcd };
}

describe("Lcd (HD44780 on a PCF8574)", () => {
  it("initialises in 4-bit mode with the datasheet's waits as sleeps, then prints; nothing comes while the controller is busy", async () => {
    await vrun(function* () {
      const { panel, lcd } = rig();
      yield* lcd.init();
      assert.equal(now(), 60); // 50 power-on + 5 + 1 + 1 + 1 after the init nibbles, + 2 after clear
      // each instruction at the module's time (the clock plus the bus time of every transfer so far, 90 µs a byte)
      assert.deepEqual(panel.log, [
        "backlight on@50", "cmd 0x3f@50.27", "cmd 0x3f@55.54", "cmd 0x3f@56.81", "cmd 0x2f@58.08",
        "cmd 0x28@59.53", "cmd 0x8@59.98", "cmd 0x1@60.43", "cmd 0x6@62.88", "cmd 0xc@63.33",
      ]);
      yield* lcd.print(0, "Hello");
      yield* lcd.print(1, "world °C");
      assert.deepEqual(panel.screen(), ["Hello           ", "world °C        "]);
      assert.equal(panel.tooFast, 0, panel.firstTooFast ?? "");
      assert.equal(lcd.text(0), "Hello           ");
    });
  });

  it("print() sends only the characters that changed", async () => {
    await vrun(function* () {
      const { panel, lcd } = rig();
      yield* lcd.print(0, "Temp 21.5C"); // runs init first
      const before = panel.characters;
      const log0 = panel.log.length;
      yield* lcd.print(0, "Temp 21.6C");
      assert.equal(panel.characters - before, 1);
      assert.deepEqual(panel.log.slice(log0).map((l) => l.replace(/@.*/, "")), ["cmd 0x88", "data '6'"]);
      yield* lcd.print(0, "Temp 21.6C");
      assert.equal(panel.characters - before, 1);
      yield* lcd.print(0, "T");
      assert.deepEqual(panel.screen()[0], "T               ");
      const s = lcd.stats();
      // init leaves the rows blank, so spaces are never sent: "Temp", "21.5C"; "6"; nothing; "emp", "21.6C" -> spaces
      assert.deepEqual([s.characters, s.unchanged], [9 + 1 + 0 + 8, 7 + 15 + 16 + 8]);
      assert.equal(panel.tooFast, 0);
    });
  });

  it("shares the bus with the HTU21D and the EEPROM and never holds it across a wait", async () => {
    const log = new Log();
    await vrun(function* () {
      const { sim, i2c, lcd } = rig();
      const htu = new HTU21D({ resource: i2c, io: sim.I2C, i2c: PINS });
      const ee = i2c.handle({ name: "ee", bus: new sim.I2C({ ...PINS, address: 0x50 }) });
      spawn(function* () {
        for (let page = 0; page < 8; page++) {
          yield* ee.use((bus) => bus.write(Uint8Array.of(0, page << 5, 1, 2, 3)));
          log.add(`ee ${page}`);
          yield* sleepMs(10);
        }
      });
      spawn(function* () {
        yield* htu.sample();
        log.add("htu");
      });
      yield* lcd.init();
      log.add("lcd ready");
      for (let i = 0; i < 3; i++) yield* lcd.print(i & 1, `count ${i}`);
      log.add("lcd printed");
      yield* sleepMs(30);
      const st = i2c.stats();
      const lcdStats = st.handles.find((h) => h.name === "lcd")!;
      assert.equal(lcdStats.maxHoldMs, 0); // one transfer per use, no sleep inside
      assert.equal(st.maxWaitMs, 0); // nobody ever queued
      htu.close();
    });
    assert.deepEqual(log.items, [
      "ee 0@0", "ee 1@10", "ee 2@20", "ee 3@30", "ee 4@40", "ee 5@50", "ee 6@60", "lcd ready@60", "lcd printed@60", "htu@66", "ee 7@70",
    ]);
  });

  it("cursor, display, backlight, clear, home and custom characters", async () => {
    await vrun(function* () {
      const { panel, lcd } = rig({ cols: 20, rows: 4 });
      yield* lcd.defineChar(0, [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f, 0x00]);
      assert.deepEqual(Array.from(panel.cgram.subarray(0, 8)), [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f, 0x00]);
      yield* lcd.print(3, "\x00 bat");
      yield* lcd.print(2, "row two");
      assert.deepEqual(panel.screen(), [" ".repeat(20), " ".repeat(20), "row two" + " ".repeat(13), "? bat" + " ".repeat(15)]);
      yield* lcd.cursor(true, true);
      assert.deepEqual([panel.cursorOn, panel.blinkOn, panel.displayOn], [true, true, true]);
      yield* lcd.display(false);
      assert.deepEqual(panel.screen()[2], " ".repeat(20));
      yield* lcd.display(true);
      yield* lcd.backlight(false);
      assert.equal(panel.backlight, false);
      yield* lcd.setCursor(5, 1);
      yield* lcd.home();
      const t0 = now();
      yield* lcd.clear();
      assert.equal(now() - t0, 2);
      assert.deepEqual(panel.screen()[2], " ".repeat(20));
      assert.equal(lcd.text(2), " ".repeat(20));
      assert.equal(panel.tooFast, 0, panel.firstTooFast ?? "");
    });
  });

  it("bad arguments are errors before anything is sent; a NACK throws, is counted, and the row is rewritten next time", async () => {
    await vrun(function* () {
      const { sim, panel, lcd } = rig();
      yield* lcd.init();
      const sent = panel.commands + panel.characters;
      assert.throws(() => lcd.print(2, "x"), /row must be a whole number from 0 to 1, got 2/);
      assert.throws(() => lcd.print(0, 5 as never), /needs a string/);
      assert.throws(() => lcd.setCursor(16, 0), /col must be a whole number from 0 to 15/);
      assert.throws(() => lcd.defineChar(8, [0, 0, 0, 0, 0, 0, 0, 0]), /index must be a whole number from 0 to 7/);
      assert.throws(() => lcd.defineChar(0, [0, 0, 0]), /8 rows/);
      assert.throws(() => lcd.defineChar(0, [0, 0, 0, 0, 0, 0, 0, 32]), /row must be a whole number from 0 to 31/);
      assert.throws(() => new Lcd({ handle: null as never }), /handle must be a ResourceHandle/);
      assert.throws(() => new Lcd({ resource: new ManagedResource(null), io: sim.I2C, i2c: PINS, cols: 0 }), /cols must be/);
      assert.throws(() => new Lcd({ resource: new ManagedResource(null), io: sim.I2C, i2c: PINS, cols: 40, rows: 4 }), /does not fit/);
      assert.equal(panel.commands + panel.characters, sent);

      yield* lcd.print(0, "abcdef");
      panel.nackNext(1);
      let err = "";
      try {
        yield* lcd.print(0, "abcXef");
      } catch (e) {
        err = (e as Error).message;
      }
      assert.equal(err, "write failed: no ACK from 0x27");
      assert.equal(lcd.text(0), null);
      const c0 = panel.characters;
      yield* lcd.print(0, "abcXef");
      assert.equal(panel.characters - c0, 16); // the whole row again
      assert.deepEqual(panel.screen()[0], "abcXef          ");
      assert.equal(lcd.stats().nacks, 1);
      lcd.close();
      lcd.close();
      assert.throws(() => lcd.print(0, "x"), ClosedError);
    });
  });

  it("works from async tasks, serialises concurrent prints, and lists its counters on the stats board", async () => {
    await vrun(async () => {
      const { panel, lcd } = rig();
      const a = spawn(async () => lcd.print(0, "from a"));
      const b = spawn(function* (): Gen<void> {
        yield* lcd.print(1, "from b");
      });
      await a.join();
      await b.join();
      assert.deepEqual(panel.screen(), ["from a          ", "from b          "]);
      const board = new StatsBoard();
      board.attach("lcd", lcd);
      assert.equal(board.lines()[0], "lcd transfers=13 bytes=84 commands=13 characters=10 unchanged=22 nacks=0");
    });
  });
});
