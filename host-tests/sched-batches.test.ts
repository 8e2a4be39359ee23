import { assert } from "./lib/assert";
import { Scheduler, VirtualHost, checkpoint, now, sleepMs, spawn } from "../firmware/sched/index";

// Batches of rounds (SchedulerOptions.minBatch, batchMs): while tasks keep the CPU busy, a sleeper whose
// deadline passes still wakes within the batch, at the next reading of the clock.
describe("timers inside a batch", () => {
  it("with batchMs, a sleeper wakes at the first clock reading (every 8 steps) at or after its deadline", async () => {
    // every step costs 1/16 ms: a clock reading every 8 steps is every 0.5 ms. The sleeper's deadline is
    // 1.325 ms (armed at 0.125); the readings at 1.1875 and 1.6875 ms bracket it, so it wakes after the second
    const host = new VirtualHost({ stepCost: 1 / 16 });
    const s = new Scheduler(host, { batchMs: 10 });
    const log: string[] = [];
    let steps = 0;
    await s.run(function* () {
      const spinner = spawn(function* () { for (;;) { steps++; yield* checkpoint(); } });
      const sleeper = spawn(function* () { yield* sleepMs(1.2); log.push(`sleeper woke at ${now()} ms after ${steps} spinner steps`); });
      yield* sleeper.join();
      spinner.cancel();
    });
    assert.deepEqual(log, ["sleeper woke at 1.6875 ms after 24 spinner steps"]);
  });

  it("with minBatch, the clock is read every round: a sleeper wakes in the first round after its deadline", async () => {
    const host = new VirtualHost({ stepCost: 1 / 16 });
    // the first reading after the 1.325 ms deadline is at 1.375 ms; the sleeper runs in the round after it
    const s = new Scheduler(host, { minBatch: 64 });
    const log: string[] = [];
    let steps = 0;
    await s.run(function* () {
      const spinner = spawn(function* () { for (;;) { steps++; yield* checkpoint(); } });
      const sleeper = spawn(function* () { yield* sleepMs(1.2); log.push(`sleeper woke at ${now()} ms after ${steps} spinner steps`); });
      yield* sleeper.join();
      spinner.cancel();
    });
    assert.deepEqual(log, ["sleeper woke at 1.5625 ms after 22 spinner steps"]);
  });
});
