import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { sleepMs } from "../firmware/sched/index";
import { SimPins } from "../sim/digital";
import { SimSerialPort } from "../sim/serial";
import { SimI2CBus } from "../sim/i2c";

// A week-long soak must run in flat memory: the simulator's histories are bounded, with counters of all.
describe("simulator histories are bounded", () => {
  it("pin output writes: the last historyLimit or more are kept, writeCount counts every one", async () => {
    await vrun(function* () {
      const pins = new SimPins();
      pins.historyLimit = 100;
      const led = new pins.Digital({ pin: 2, mode: pins.Digital.Output });
      for (let i = 0; i < 5000; i++) led.write((i & 1) as 0 | 1);
      const w = pins.outputs(2);
      assert.ok(w.length >= 100 && w.length < 200, `kept ${w.length}`);
      assert.equal(pins.writeCount(2), 5001, "the initial level and 5000 writes");
      assert.equal(w[w.length - 1]!.level, 1, "the newest is kept");
      led.close();
    });
  });

  it("serial peer: received bytes beyond historyLimit are forgotten, totalReceived counts them", async () => {
    await vrun(function* () {
      const port = new SimSerialPort({ port: 1, baud: 1000000 });
      port.peer.historyLimit = 1000;
      for (let i = 0; i < 50; i++) {
        port.write(new TextEncoder().encode("x".repeat(99) + "\n").buffer);
        yield* sleepMs(5);
      }
      yield* sleepMs(50);
      assert.equal(port.peer.totalReceived, 5000);
      const kept = port.peer.received().length;
      assert.ok(kept >= 900 && kept <= 2000, `kept ${kept}`);
      assert.ok(port.peer.receivedText().endsWith("x\n"));
      port.close();
    });
  });

  it("I2C: the transaction log and the selection violations keep the last logLimit", async () => {
    await vrun(function* () {
      const bus = new SimI2CBus(undefined, { logLimit: 10 });
      bus.logging = true;
      bus.checkSelection = true;
      const a = new bus.I2C({ data: 4, clock: 5, hz: 100000, address: 0x40 });
      for (let i = 0; i < 100; i++) {
        try {
          a.write(Uint8Array.of(1));
        } catch {
          // nothing at 0x40: a NACK, still logged
        }
      }
      assert.equal(bus.violations.length, 10, "100 unselected writes, the last 10 kept");
      assert.match(bus.violations[9]!, /^write 0x40 at 0 ms while nothing was selected$/);
      a.close();
    });
  });
});
