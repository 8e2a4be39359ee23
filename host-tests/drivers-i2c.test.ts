import { assert } from "./lib/assert";
import { Log, raised, vrun } from "./helpers";
import {
  ClosedError, InvalidStateError, TimeoutError,
  callLater, checkpoint, failAfter, now, sleepMs, spawn, type Gen, type Op,
} from "../firmware/sched/index";
import type { I2C, I2COptions } from "../firmware/platform/io";
import { ManagedResource, type ResourceHandle } from "../drivers/resource/index";
import {
  CrcError, HTU21D, HTU21D_CONVERSION_MS, Resolution, htu21dCrc, humidityFromRaw, temperatureFromRaw,
} from "../drivers/htu21d/index";
import { SimEeprom24C32 } from "../sim/eeprom24c32";
import { SimHTU21D, simCrc8 } from "../sim/htu21d";
import { SimI2CBus } from "../sim/i2c";

const PINS = { data: 4, clock: 5, hz: 100_000 };
const T_STEP_14 = (175.72 * 4) / 65536; // one 14-bit temperature step, °C
const RH_STEP_12 = (125 * 16) / 65536; // one 12-bit humidity step, %RH

function errName(e: unknown): string {
  return e instanceof Error ? e.name : String(e);
}

/** Capture what an operation throws (or "ok"). */
function* outcome(fn: () => Op<unknown>): Gen<string> {
  try {
    yield* fn();
    return "ok";
  } catch (e) {
    return errName(e);
  }
}

/** A simulated bus with an HTU21D at 0x40 and an EEPROM at 0x50, shared through one ManagedResource whose
 * handles drive an emulated chip-select (the sim records any transaction to an unselected device). */
function rig(log = new Log()) {
  const sim = new SimI2CBus();
  const chip = sim.attach(0x40, new SimHTU21D());
  const eeprom = sim.attach(0x50, new SimEeprom24C32());
  sim.checkSelection = true;
  const i2c = new ManagedResource(null, { name: "i2c0" });
  const cs = (name: string, address: number) => ({
    name,
    onAcquire: () => { sim.select(address); log.add(`${name}+`); },
    onRelease: () => { sim.select(null); log.add(`${name}-`); },
  });
  const htuHandle = i2c.handle({ bus: new sim.I2C({ ...PINS, address: 0x40 }), ...cs("htu", 0x40) });
  const eeHandle = i2c.handle({ bus: new sim.I2C({ ...PINS, address: 0x50 }), ...cs("ee", 0x50) });
  return { sim, chip, eeprom, i2c, htuHandle, eeHandle, log };
}

/** EEPROM page write, then the write cycle as a scheduler sleep (the bus is free meanwhile). */
function* eeWrite(h: ResourceHandle<I2C>, address: number, bytes: number[]): Gen<void> {
  yield* h.use((bus) => bus.write(Uint8Array.of(address >> 8, address & 0xff, ...bytes)));
  yield* sleepMs(10);
}

function* eeRead(h: ResourceHandle<I2C>, address: number, n: number): Gen<number[]> {
  return yield* h.use((bus) => {
    bus.write(Uint8Array.of(address >> 8, address & 0xff));
    return Array.from(new Uint8Array(bus.read(n)));
  });
}

describe("ManagedResource", () => {
  it("serves waiters FIFO across handles, brackets each use with that handle's onAcquire/onRelease, and counts", async () => {
    const log = new Log();
    let s: ReturnType<ManagedResource<unknown>["stats"]> | undefined;
    await vrun(function* () {
      const spi = new ManagedResource({ id: "spi" }, { name: "spi" });
      const mk = (n: string) => spi.handle({ name: n, onAcquire: (bus) => log.add(`${n}+${bus.id}`), onRelease: () => log.add(`${n}-`) });
      const a = mk("a");
      const b = mk("b");
      const user = (h: typeof a, n: string) => function* () {
        yield* h.use(function* () { log.add(n); yield* sleepMs(10); });
      };
      const asyncUser = (h: typeof a, n: string) => async () => {
        await h.use(async () => { log.add(n); await sleepMs(10); });
      };
      const ts = [spawn(user(a, "A1")), spawn(asyncUser(b, "B1")), spawn(user(a, "A2")), spawn(user(b, "B2"))];
      yield* sleepMs(5);
      assert.equal(spi.waiting, 3);
      assert.equal(spi.stats().holder, "a");
      for (const t of ts) yield* t.join();
      s = spi.stats();
    });
    assert.deepEqual(log.items, [
      "a+spi@0", "A1@0", "a-@10", "b+spi@10", "B1@10", "b-@20", "a+spi@20", "A2@20", "a-@30", "b+spi@30", "B2@30", "b-@40",
    ]);
    assert.deepEqual(s, {
      acquisitions: 4, waits: 3, abandoned: 0, timeouts: 0, totalWaitMs: 60, maxWaitMs: 30, totalHoldMs: 40, maxHoldMs: 10,
      locked: false, holder: null, waiting: 0,
      handles: [
        { name: "a", acquisitions: 2, waits: 1, abandoned: 0, timeouts: 0, totalWaitMs: 20, maxWaitMs: 20, totalHoldMs: 20, maxHoldMs: 10 },
        { name: "b", acquisitions: 2, waits: 2, abandoned: 0, timeouts: 0, totalWaitMs: 40, maxWaitMs: 30, totalHoldMs: 20, maxHoldMs: 10 },
      ],
    });
  });

  it("a cancelled waiter does not hold up the bus, before or after the hand-off", async () => {
    const log = new Log();
    await vrun(function* () {
      const r = new ManagedResource(null);
      const h = r.handle({ name: "h", onAcquire: () => log.add("cs+"), onRelease: () => log.add("cs-") });
      const waiter = (n: string) => spawn(n, function* () {
        try { yield* h.use(() => log.add(`${n} used`)); } catch (e) { log.add(`${n} ${errName(e)}`); }
      });
      // cancelled while queued
      const w1 = waiter("w1");
      const w2 = waiter("w2");
      yield* h.use(function* () { yield* sleepMs(5); w1.cancel(); yield* sleepMs(5); });
      yield* w2.join();
      // cancelled after the bus was handed to it, before it ran: it passes the bus on
      const w3 = waiter("w3");
      const w4 = waiter("w4");
      yield* h.use(function* () { yield* checkpoint(); });
      assert.equal(r.stats().holder, "h"); // handed to w3, which has not run yet
      w3.cancel();
      yield* w4.join();
      yield* w3.join();
      assert.equal(r.locked, false);
      assert.equal(r.stats().abandoned, 2);
      assert.equal(r.stats().acquisitions, 4);
    });
    assert.deepEqual(log.items, [
      "cs+@0", "w1 CancelledError@5", "cs-@10", "cs+@10", "w2 used@10", "cs-@10",
      "cs+@10", "cs-@10", "w3 CancelledError@10", "cs+@10", "w4 used@10", "cs-@10",
    ]);
  });

  it("times out while waiting (timeoutMs or failAfter) without taking or releasing anything", async () => {
    const log = new Log();
    await vrun(function* () {
      const r = new ManagedResource(null, { name: "bus" });
      const a = r.handle({ name: "a" });
      const b = r.handle({ name: "b" });
      const holder = spawn(function* () { yield* a.use(function* () { yield* sleepMs(50); }); });
      yield* checkpoint();
      try { yield* b.use(() => log.add("never"), { timeoutMs: 20 }); } catch (e) { log.add(`${errName(e)}: ${(e as Error).message}`); }
      const late = spawn(async () => { await b.use(() => log.add("late used")); });
      try { yield* failAfter(10, function* () { yield* b.use(() => log.add("never")); }); } catch (e) { log.add(errName(e)); }
      assert.equal(r.waiting, 1); // only `late`
      yield* holder.join();
      yield* late.join();
      assert.deepEqual(b.stats().timeouts, 1);
      assert.deepEqual(b.stats().abandoned, 2);
      assert.equal(r.locked, false);
    });
    assert.deepEqual(log.items, ["TimeoutError: b: bus still busy after 20 ms (held by a)@20", "TimeoutError@30", "late used@50"]);
  });

  it("using the resource again from the task that holds it is an InvalidStateError, not a deadlock", async () => {
    const seen: string[] = [];
    await vrun(function* () {
      const r = new ManagedResource(null, { name: "bus" });
      const a = r.handle({ name: "a" });
      const b = r.handle({ name: "b" });
      yield* a.use(function* () {
        seen.push(yield* outcome(() => a.use(() => 1)));
        seen.push(yield* outcome(() => b.use(() => 1)));
        try { yield* b.use(() => 1); } catch (e) { seen.push((e as Error).message); }
      });
      // an async body in a generator task runs as a child task: its nested use is caught too
      yield* a.use(async () => { try { await b.use(() => 1); } catch (e) { seen.push(errName(e)); } });
      assert.equal(r.locked, false);
      yield* a.use(() => seen.push("free again"));
    });
    assert.deepEqual(seen, [
      "InvalidStateError", "InvalidStateError",
      "task main already holds bus (through handle a): a managed resource is not reentrant; use the bus the body was given",
      "InvalidStateError", "free again",
    ]);
  });

  it("always releases: body errors, onAcquire errors (no onRelease then), cancel inside the body; tryUse and close()", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const r = new ManagedResource(null);
      let failAcquire = false;
      const h = r.handle({ onAcquire: () => { if (failAcquire) throw new Error("cs stuck"); log.push("+"); }, onRelease: () => log.push("-") });
      log.push(yield* outcome(() => h.use(() => { throw new RangeError("body"); })));
      failAcquire = true;
      log.push(yield* outcome(() => h.use(() => log.push("body ran"))));
      failAcquire = false;
      const t = spawn(function* () { yield* h.use(function* () { yield* sleepMs(100); }); });
      yield* sleepMs(5);
      log.push(yield* outcome(() => h.tryUse(() => 0)));
      t.cancel();
      yield* checkpoint();
      assert.equal(r.locked, false);
      assert.equal(yield* h.tryUse(() => 7), 7);
      // close: the holder finishes, the waiter gets ClosedError, new uses too
      const holder = spawn(function* () { yield* h.use(function* () { yield* sleepMs(10); }); });
      const waiter = spawn(function* () { log.push(`waiter ${yield* outcome(() => h.use(() => 0))}`); });
      yield* sleepMs(1);
      r.close();
      r.close();
      yield* waiter.join();
      yield* holder.join();
      log.push(yield* outcome(() => h.use(() => 0)));
      assert.throws(() => r.handle(), ClosedError);
    });
    assert.deepEqual(log, ["+", "-", "RangeError", "Error", "+", "BusyError", "-", "+", "-", "+", "waiter ClosedError", "-", "ClosedError"]);
  });
});

describe("SimI2CBus", () => {
  it("an absent address NACKs and the I2C call throws; SMBus register ops are writes then reads; the log records it", async () => {
    await vrun(function* () {
      const sim = new SimI2CBus();
      sim.attach(0x40, new SimHTU21D());
      const ghost = new sim.I2C({ ...PINS, address: 0x41 });
      assert.throws(() => ghost.write(Uint8Array.of(1)), /write failed: no ACK from 0x41/);
      assert.throws(() => ghost.read(2), /read failed: no ACK from 0x41/);
      const sm = new sim.SMBus({ ...PINS, address: 0x40 });
      assert.equal(sm.readUint8(0xe7), 0x02);
      sm.writeUint8(0xe6, 0x83);
      assert.equal(sm.readUint8(0xe7), 0x83);
      sm.close();
      assert.throws(() => sm.readUint8(0xe7), /closed/);
      assert.throws(() => new sim.I2C({ ...PINS, address: 0x80 }), RangeError);
      assert.deepEqual(sim.trace(), ["w41:01 NACK@0", "r41:NACK@0", "w40:e7@0", "r40:02@0", "w40:e6,83@0", "w40:e7@0", "r40:83@0"]);
      yield* checkpoint();
    });
  });

  it("HTU21D model: no-hold conversion NACKs reads until done, hold mode answers at once (counting clock stretch), CRC from the datasheet", async () => {
    await vrun(function* () {
      const sim = new SimI2CBus();
      const chip = sim.attach(0x40, new SimHTU21D());
      const i2c = new sim.I2C({ ...PINS, address: 0x40 });
      chip.temperature = 24.68;
      i2c.write(Uint8Array.of(0xf3));
      yield* sleepMs(49);
      assert.throws(() => i2c.read(3), /no ACK/);
      assert.throws(() => i2c.write(Uint8Array.of(0xe7)), /no ACK/); // busy converting
      yield* sleepMs(1);
      const b = new Uint8Array(i2c.read(3));
      assert.equal(b[2], simCrc8([b[0]!, b[1]!]));
      assert.equal((b[1]! & 3), 0); // status bits: temperature
      chip.humidity = 32.3;
      i2c.write(Uint8Array.of(0xe5));
      const h = new Uint8Array(i2c.read(3));
      assert.equal((h[1]! & 3), 2); // status bits: humidity
      assert.equal(chip.stretchedMs, 16);
      assert.equal(simCrc8([0x68, 0x3a]), 0x7c);
      assert.equal(simCrc8([0x4e, 0x85]), 0x6b);
    });
  });

  it("24C32 model: page write wraps inside the page, NACKs during the write cycle, sequential reads", async () => {
    await vrun(function* () {
      const sim = new SimI2CBus();
      const ee = sim.attach(0x50, new SimEeprom24C32({ writeCycleMs: 5 }));
      const i2c = new sim.I2C({ ...PINS, address: 0x50 });
      i2c.write(Uint8Array.of(0x00, 0x1e, 1, 2, 3, 4)); // 0x1e, 0x1f, then wraps to 0x00, 0x01
      assert.throws(() => i2c.write(Uint8Array.of(0, 0)), /no ACK from 0x50/);
      yield* sleepMs(5);
      i2c.write(Uint8Array.of(0x00, 0x00));
      assert.deepEqual(Array.from(new Uint8Array(i2c.read(3))), [3, 4, 0xff]);
      assert.deepEqual(ee.peek(0x1e, 2), [1, 2]);
      assert.equal(ee.writeCycles, 1);
    });
  });
});

describe("HTU21D driver", () => {
  it("CRC-8 and conversion formulas match the datasheet vectors", () => {
    assert.equal(htu21dCrc(0x68, 0x3a), 0x7c);
    assert.equal(htu21dCrc(0x4e, 0x85), 0x6b);
    assert.equal(temperatureFromRaw(0x683a).toFixed(1), "24.7"); // the datasheet's examples
    assert.equal(humidityFromRaw(0x4e85).toFixed(1), "32.3");
    assert.equal(humidityFromRaw(0), 0);
    assert.equal(humidityFromRaw(0xfffc), 100);
  });

  it("readings match the model within one resolution step over T -40..125 °C and RH 0..100 %", async () => {
    const worst = { t: 0, rh: 0 };
    await vrun(function* () {
      const { chip, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      for (let i = 0; i <= 33; i++) {
        chip.temperature = -40 + 5 * i;
        chip.humidity = Math.min(100, 3 * i + 0.37);
        const s = yield* htu.sample();
        const dt = Math.abs(s.thermometer.temperature - chip.temperature);
        const dh = Math.abs(s.hygrometer.humidity - chip.humidity);
        worst.t = Math.max(worst.t, dt);
        worst.rh = Math.max(worst.rh, dh);
        assert.ok(dt <= T_STEP_14, `T ${chip.temperature}: got ${s.thermometer.temperature}`);
        assert.ok(dh <= RH_STEP_12, `RH ${chip.humidity}: got ${s.hygrometer.humidity}`);
      }
      chip.humidity = -4; // out of range on the chip's scale: clamped
      assert.equal((yield* htu.sample()).hygrometer.humidity, 0);
      chip.humidity = 104;
      assert.equal((yield* htu.sample()).hygrometer.humidity, 100);
      assert.equal(htu.stats().samples, 36);
    });
    assert.ok(worst.t > 0 && worst.rh > 0);
  });

  it("each resolution: readings within one step and a sample takes exactly the two conversion times", async () => {
    const times: number[] = [];
    await vrun(function* () {
      const { chip, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      const bits = { [Resolution.RH12_T14]: [12, 14], [Resolution.RH8_T12]: [8, 12], [Resolution.RH10_T13]: [10, 13], [Resolution.RH11_T11]: [11, 11] };
      for (const res of [Resolution.RH12_T14, Resolution.RH8_T12, Resolution.RH10_T13, Resolution.RH11_T11]) {
        yield* htu.configure({ resolution: res });
        const [rhBits, tBits] = bits[res]!;
        for (const [t, rh] of [[-40, 0], [21.3, 47.9], [125, 100]] as const) {
          chip.temperature = t;
          chip.humidity = rh;
          const t0 = now();
          const s = yield* htu.sample();
          times.push(now() - t0);
          assert.ok(Math.abs(s.thermometer.temperature - t) <= (175.72 * 2 ** (16 - tBits!)) / 65536, `res ${res} T ${t}: ${s.thermometer.temperature}`);
          assert.ok(Math.abs(s.hygrometer.humidity - rh) <= (125 * 2 ** (16 - rhBits!)) / 65536, `res ${res} RH ${rh}: ${s.hygrometer.humidity}`);
        }
      }
    });
    const per = (r: Resolution) => HTU21D_CONVERSION_MS[r].temperature + HTU21D_CONVERSION_MS[r].humidity;
    assert.deepEqual(times, [66, 66, 66, 16, 16, 16, 30, 30, 30, 15, 15, 15]);
    assert.equal(per(Resolution.RH12_T14), 66);
  });

  it("releases the bus during conversions: another device is served at once and other tasks keep running", async () => {
    const log = new Log();
    let ticks = 0;
    let elapsed = -1;
    await vrun(function* () {
      const { sim, chip, htuHandle, eeHandle } = rig(log);
      const htu = new HTU21D({ handle: htuHandle });
      yield* htu.readUserRegister();
      log.items.length = 0;
      sim.clearLog();
      const ticker = spawn(function* () { for (;;) { yield* sleepMs(1); ticks++; } });
      const ee = spawn(function* () {
        yield* sleepMs(10);
        yield* eeWrite(eeHandle, 0x0100, [1, 2, 3]);
        log.add(`ee read ${(yield* eeRead(eeHandle, 0x0100, 3)).join(",")}`);
      });
      const t0 = now();
      yield* htu.sample();
      elapsed = now() - t0;
      yield* ee.join();
      ticker.cancel();
      assert.deepEqual(sim.violations, []);
      assert.deepEqual(sim.trace(), [
        "w40:f3@0", "w50:01,00,01,02,03@10", "w50:01,00@20", "r50:01,02,03@20",
        `r40:${result(chip.rawFor("T"))}@50`, "w40:f5@50", `r40:${result(chip.rawFor("RH"))}@66`,
      ]);
    });
    assert.equal(elapsed, 66);
    assert.ok(ticks >= 65, `ticker ran ${ticks} times during the sample`);
    assert.deepEqual(log.items, [
      "htu+@0", "htu-@0", "ee+@10", "ee-@10", "ee+@20", "ee-@20", "ee read 1,2,3@20", "htu+@50", "htu-@50", "htu+@50", "htu-@50", "htu+@66", "htu-@66",
    ]);
  });

  it("a checkpoint-looping task keeps running during a sample (with 5 µs of virtual time per task step)", async () => {
    let rounds = 0;
    let elapsed = 0;
    await vrun(function* () {
      const { htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      yield* htu.readUserRegister();
      let done = false;
      const spinner = spawn(function* () { while (!done) { rounds++; yield* checkpoint(); } });
      const t0 = now();
      yield* htu.sample();
      elapsed = now() - t0;
      done = true;
      yield* spinner.join();
    }, { stepCost: 0.005 });
    // while the driver sleeps, only the spinner steps: 66 ms / 5 µs ≈ 13,200 rounds
    assert.ok(rounds > 13000 && rounds < 13300, `spinner rounds: ${rounds}`);
    assert.ok(elapsed >= 66 && elapsed < 66.1, `sample took ${elapsed} ms`);
  });

  it("two devices interleave FIFO with exclusive chip-select: HTU21D samples and EEPROM page writes", async () => {
    const log = new Log();
    await vrun(function* () {
      const { sim, eeprom, i2c, htuHandle, eeHandle } = rig(log);
      const htu = new HTU21D({ handle: htuHandle, resolution: Resolution.RH11_T11 }); // 7 + 8 ms
      const sensor = spawn(function* () { for (let i = 0; i < 3; i++) yield* htu.sample(); });
      // this writer keeps the bus through the write cycle, polling for the ACK every 2 ms: the sensor must queue
      const writer = spawn(function* () {
        for (let i = 0; i < 3; i++) {
          yield* eeHandle.use(function* (bus) {
            bus.write(Uint8Array.of(0, 32 * i, i, i, i));
            for (;;) {
              yield* sleepMs(2);
              try { bus.write(new Uint8Array(0)); return; } catch { /* still in the write cycle */ }
            }
          });
        }
      });
      yield* sensor.join();
      yield* writer.join();
      assert.deepEqual(sim.violations, []);
      assert.deepEqual(eeprom.peek(0, 3), [0, 0, 0]);
      assert.deepEqual(eeprom.peek(64, 3), [2, 2, 2]);
      const s = i2c.stats();
      assert.equal(s.handles[0]!.acquisitions, 3 * 4 + 3); // register read + write, then 4 per sample
      assert.equal(s.handles[1]!.acquisitions, 3);
    });
    // never two selected at once: +/- strictly alternate
    const marks = log.items.map((x) => x.split("@")[0]!);
    for (let i = 0; i < marks.length; i += 2) assert.equal(marks[i]!.slice(0, -1) + "-", marks[i + 1], `at ${i}: ${marks.join(" ")}`);
    assert.deepEqual(log.items, [
      "htu+@0", "htu-@0", "htu+@0", "htu-@0", "htu+@0", "htu-@0", "htu+@0", "htu-@0", // E7, read, E6, F3
      "ee+@0", "ee-@10", // page 0 and its write cycle; the sensor queued at 7 for its result
      "htu+@10", "htu-@10", // result read (FIFO: the sensor asked first)
      "ee+@10", "ee-@20", // the writer's next page, queued at 10 before the sensor's F5
      "htu+@20", "htu-@20", "ee+@20", "ee-@30", "htu+@30", "htu-@30", // F5, page 2, RH result (due at 28)
      "htu+@30", "htu-@30", "htu+@37", "htu-@37", "htu+@37", "htu-@37", "htu+@45", "htu-@45", // sample 2, free bus
      "htu+@45", "htu-@45", "htu+@52", "htu-@52", "htu+@52", "htu-@52", "htu+@60", "htu-@60", // sample 3
    ]);
  });

  it("CRC faults and NACKs surface as errors and counters; the next reading is correct", async () => {
    const seen: string[] = [];
    await vrun(function* () {
      const { chip, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      chip.temperature = 30;
      yield* htu.readUserRegister();
      chip.corruptNextCrc();
      seen.push(yield* outcome(() => htu.sample()));
      chip.nackNext();
      seen.push(yield* outcome(() => htu.sample()));
      assert.deepEqual(pick(htu.stats()), { crcErrors: 1, nacks: 1, retries: 0, timeouts: 0, samples: 0 });
      // a NACK on the result read (chip slower than the datasheet) is retried after 2 ms
      const t0 = now();
      callLater(25, () => chip.nackNext());
      const s = yield* htu.sample();
      assert.equal(now() - t0, 68);
      assert.ok(Math.abs(s.thermometer.temperature - 30) <= T_STEP_14);
      assert.deepEqual(pick(htu.stats()), { crcErrors: 1, nacks: 2, retries: 1, timeouts: 0, samples: 1 });
    });
    assert.deepEqual(seen, ["CrcError", "Error"]);
    assert.ok(new CrcError("x") instanceof Error);
  });

  it("a chip stuck busy gives a clear TimeoutError after the bounded retries, and recovers", async () => {
    let msg = "";
    await vrun(function* () {
      const { chip, htuHandle, i2c } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      yield* htu.readUserRegister();
      chip.stuckBusy = true;
      const t0 = now();
      const e = yield* raised(htu.sample());
      assert.ok(e instanceof TimeoutError);
      msg = e.message;
      assert.equal(now() - t0, 60); // 50 ms conversion + 5 retries x 2 ms
      assert.deepEqual(pick(htu.stats()), { crcErrors: 0, nacks: 6, retries: 5, timeouts: 1, samples: 0 });
      assert.equal(i2c.locked, false);
      chip.stuckBusy = false;
      chip.temperature = -12.5;
      const s = yield* htu.sample();
      assert.ok(Math.abs(s.thermometer.temperature + 12.5) <= T_STEP_14);
    });
    assert.match(msg, /HTU21D: still converting 10 ms after the 50 ms conversion time \(6 reads NACKed: stuck busy or gone\)/);
  });

  it("resolution and heater round trip through the user register; end-of-battery shows; soft reset takes 15 ms", async () => {
    const log = new Log();
    await vrun(function* () {
      const { chip, sim, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      assert.equal(htu.resolution, null);
      yield* htu.configure({ resolution: Resolution.RH11_T11, heater: true });
      assert.equal(chip.userRegister, 0x87);
      assert.equal(yield* htu.readUserRegister(), 0x87);
      assert.equal(htu.resolution, Resolution.RH11_T11);
      assert.equal(htu.heater, true);
      chip.lowBattery = true;
      assert.equal(yield* htu.readUserRegister(), 0xc7);
      chip.lowBattery = false;
      yield* htu.configure({ resolution: Resolution.RH8_T12 });
      assert.equal(chip.userRegister, 0x07); // heater kept, reserved bit 1 kept
      assert.throws(() => htu.configure({ resolution: 0x42 as Resolution }), RangeError);
      // soft reset: NACKs for 15 ms, then default resolution with the heater bit kept
      const probe = new sim.I2C({ ...PINS, address: 0x40 });
      sim.checkSelection = false;
      callLater(14.9, () => log.add(`probe ${ackOf(() => probe.write(Uint8Array.of(0xe7)))}`));
      callLater(15, () => log.add(`probe ${ackOf(() => probe.write(Uint8Array.of(0xe7)))}`));
      yield* htu.reset();
      log.add("reset done");
      assert.equal(chip.resets, 1);
      assert.equal(chip.userRegister, 0x06); // default resolution, heater kept
      assert.equal(htu.resolution, null); // unknown to the driver until it reads it again
      // the driver re-applies its resolution before the next measurement: 13 + 3 ms
      const t0 = now();
      yield* htu.sample();
      assert.equal(now() - t0, 16);
      assert.equal(chip.userRegister, 0x07);
      assert.equal(yield* htu.readUserRegister(), 0x07);
    });
    assert.deepEqual(log.items, ["probe NACK@14.9", "probe ACK@15", "reset done@15"]);
  });

  it("a sample cancelled during its conversion releases the bus; the next one waits out the chip's conversion", async () => {
    await vrun(function* () {
      const { i2c, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      yield* htu.readUserRegister();
      const r = yield* outcome(() => failAfter(20, function* () { yield* htu.sample(); }));
      assert.equal(r, "TimeoutError");
      assert.equal(i2c.locked, false);
      yield* htu.sample();
      assert.equal(now(), 50 + 66);
      assert.equal(htu.stats().nacks, 0);
    });
  });

  it("continuous mode keeps `latest` readable at once, counts errors and goes on; stop/close are idempotent", async () => {
    const log = new Log();
    await vrun(function* () {
      const { chip, htuHandle } = rig();
      const htu = new HTU21D({ handle: htuHandle });
      chip.temperature = 10;
      htu.start(1000);
      assert.throws(() => htu.start(1000), InvalidStateError);
      assert.equal(htu.latest, null);
      yield* sleepMs(100);
      log.add(`latest ${Math.round(htu.latest!.thermometer.temperature)} at ${htu.latest!.at}`);
      chip.temperature = 20;
      chip.corruptNextCrc();
      yield* sleepMs(1000);
      log.add(`latest ${Math.round(htu.latest!.thermometer.temperature)} at ${htu.latest!.at}, errors ${htu.stats().errors} ${errName(htu.stats().lastError)}`);
      yield* sleepMs(1000);
      log.add(`latest ${Math.round(htu.latest!.thermometer.temperature)} at ${htu.latest!.at}`);
      yield* sleepMs(930); // in the middle of the next sample's conversion
      htu.stop();
      htu.stop();
      assert.equal(htu.running, false);
      yield* checkpoint();
      assert.equal(htuHandle.resource.locked, false);
      htu.close();
      htu.close();
      assert.throws(() => htu.sample(), ClosedError);
      assert.throws(() => htu.start(10), ClosedError);
    });
    assert.deepEqual(log.items, ["latest 10 at 66@100", "latest 10 at 66, errors 1 CrcError@1100", "latest 20 at 2066@2100"]);
  });

  it("works from async tasks too (await sample(), await use(async ...))", async () => {
    const r = await vrun(async () => {
      const { chip, htuHandle, eeHandle } = rig();
      chip.humidity = 61.2;
      const htu = new HTU21D({ handle: htuHandle });
      const t0 = now();
      const eeTask = spawn(async () => eeHandle.use(async (bus) => { await sleepMs(3); return bus.read(1).byteLength; }));
      await checkpoint(); // the EEPROM task takes the bus first
      const s = await htu.sample(); // queues behind the EEPROM for 3 ms
      const ee = await eeTask.join();
      return { rh: s.hygrometer.humidity, ms: now() - t0, ee };
    });
    assert.ok(Math.abs(r.rh - 61.2) <= RH_STEP_12);
    assert.equal(r.ee, 1);
    assert.equal(r.ms, 69);
  });

  it("construction: validates before opening, cleans up a half-made instance, owns and closes what it opened", async () => {
    await vrun(function* () {
      const sim = new SimI2CBus();
      sim.attach(0x40, new SimHTU21D());
      const events: string[] = [];
      class SpyI2C extends sim.I2C {
        constructor(o: I2COptions) { super(o); events.push(`open 0x${o.address.toString(16)}`); }
        override close(): void { events.push("close"); super.close(); }
      }
      const res = new ManagedResource(null, { name: "i2c0" });
      assert.throws(() => new HTU21D({ resource: res, io: SpyI2C, i2c: PINS, resolution: 7 as Resolution }), RangeError);
      assert.throws(() => new HTU21D({ resource: res, io: SpyI2C, i2c: PINS, readRetries: -1 }), RangeError);
      assert.deepEqual(events, []);
      const htu = new HTU21D({ resource: res, io: SpyI2C, i2c: PINS });
      assert.ok((yield* htu.sample()).thermometer.temperature > 19);
      assert.deepEqual(res.stats().handles.map((h) => h.name), ["htu21d"]);
      htu.close();
      htu.close();
      assert.deepEqual(res.stats().handles, []);
      res.close();
      assert.throws(() => new HTU21D({ resource: res, io: SpyI2C, i2c: PINS }), ClosedError);
      assert.deepEqual(events, ["open 0x40", "close", "open 0x40", "close"]);
      assert.throws(() => new HTU21D({} as never), TypeError);
    });
  });
});

/** The three bytes the chip sends for a raw word, as the sim's trace prints them. */
function result(raw: number): string {
  const b = [raw >> 8, raw & 0xff];
  return [...b, simCrc8(b)].map((x) => (x < 16 ? "0" : "") + x.toString(16)).join(",");
}

function pick(s: ReturnType<HTU21D["stats"]>) {
  return { crcErrors: s.crcErrors, nacks: s.nacks, retries: s.retries, timeouts: s.timeouts, samples: s.samples };
}

function ackOf(fn: () => void): string {
  try { fn(); return "ACK"; } catch { return "NACK"; }
}

