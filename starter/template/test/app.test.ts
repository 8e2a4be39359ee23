// __NAME__ on the simulated board, on the virtual clock: ten simulated seconds take milliseconds, and every
// time in the log is exact.
import assert from "node:assert/strict";
import { test } from "node:test";
import { VirtualHost, runOn, sleepMs, spawn, type Gen } from "xs-async";
import { createSimBoard, EdgeClock } from "xs-async/sim";
import app from "../src/app";
import { sim as description } from "../src/board";

test("the status LED blinks once a second and a click is logged", async () => {
  const lines: string[] = [];
  await runOn(new VirtualHost(), function* (): Gen<void> {
    const sim = createSimBoard(new EdgeClock(), description);
    const task = spawn("app", app.main, {
      description, board: sim, print: (l: string) => lines.push(l), prefs: undefined, console: null,
      nowUs: () => sim.clock.nowUs(), ready: () => undefined,
    });
    yield* sleepMs(100);
    sim.click();
    yield* sleepMs(3000);
    const led = sim.pin["status"]!;
    // on at 0, 1000, 2000 and 3000 ms (50 ms each): the pin's writes, in order
    const highs = sim.pins.outputs(led).filter((w) => w.level === 1).map((w) => w.ms);
    assert.deepEqual(highs.map((t) => Math.round(t)), [0, 1000, 2000, 3000]);
    task.cancel();
  });
  assert.ok(lines.some((l) => /\[INFO\] \[button\] click 1$/.test(l)), lines.join("\n"));
});
