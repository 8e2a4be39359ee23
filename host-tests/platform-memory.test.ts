import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { sleepMs, spawn } from "../firmware/sched/index";
import { MemoryLineIO, createConsole } from "../firmware/control/index";
import { deviceMemory, memoryFigures, platformMemory, setPlatformMemory } from "../firmware/platform/memory";

// A Pico-like readout (native/memory.c's order): slots 30000 of 40000 bytes, chunks 20000 of 24000 (peak 23000),
// 100000 bytes of the static area unclaimed, the C heap 9000 free with 4096 in one block.
const PICO_RAW = [30000, 40000, 20000, 24000, 23000, 100000, 9000, 4096];

describe("platform memory seam (the console's mem on a device)", () => {
  afterEach(() => setPlatformMemory(null));

  it("maps the native readout to heap in use, free heap and the largest free block", () => {
    assert.deepEqual(memoryFigures(PICO_RAW), {
      "XS heap in use": 50000,
      "XS slots in use": 30000,
      "XS chunks in use": 20000,
      "XS chunks peak": 23000,
      "XS heap free": 10000 + 4000 + 100000,
      "system heap free": 9000,
      "largest free block": 4096,
    });
  });

  it("leaves out what the platform does not tell (-1), and counts no unclaimed static area without one", () => {
    assert.deepEqual(memoryFigures([16, 32, 8, 8, 8, -1, -1, -1]), {
      "XS heap in use": 24, "XS slots in use": 16, "XS chunks in use": 8, "XS chunks peak": 8, "XS heap free": 16,
    });
  });

  it("refuses a short readout and a provider that is not a function", () => {
    assert.throws(() => memoryFigures([1, 2, 3]), /memoryFigures needs 8 numbers/);
    assert.throws(() => setPlatformMemory(42 as unknown as () => null), /setPlatformMemory needs a function/);
    assert.equal(platformMemory(), null);
  });

  it("deviceMemory asks for a garbage collection before each reading", () => {
    const asked: boolean[] = [];
    const provider = deviceMemory((gc) => {
      asked.push(gc);
      return PICO_RAW;
    });
    assert.equal(provider()!["XS heap in use"], 50000);
    assert.equal(provider()!["largest free block"], 4096);
    assert.deepEqual(asked, [true, true]);
  });

  it("mem answers with the installed provider's figures, also when installed after the console was made", async () => {
    await vrun(function* () {
      const io = new MemoryLineIO();
      const con = createConsole(io, {});
      spawn("console", con.run);
      io.feed("mem\n");
      yield* sleepMs(1);
      assert.equal(io.take(), "mem: not available on this platform\n");
      setPlatformMemory(deviceMemory(() => PICO_RAW));
      io.feed("mem\n");
      yield* sleepMs(1);
      assert.equal(io.take(), [
        "XS heap in use: 50000", "XS slots in use: 30000", "XS chunks in use: 20000", "XS chunks peak: 23000",
        "XS heap free: 114000", "system heap free: 9000", "largest free block: 4096", "",
      ].join("\n"));
      setPlatformMemory(null);
      io.feed("mem\n");
      yield* sleepMs(1);
      assert.equal(io.take(), "mem: not available on this platform\n");
    });
  });
});
