import { assert } from "./lib/assert";
import { Scheduler, VirtualHost, spawn, sleepMs, now, type Gen } from "../firmware/sched/index";

/** Let the host event loop turn a few times (the virtual host delivers through setImmediate). */
function turns(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (k: number): void => (k === 0 ? resolve() : void setImmediate(() => step(k - 1)));
    step(n);
  });
}

describe("virtual clock", () => {
  it("without autojump, time moves only when advanced by hand, and due sleepers wake then", async () => {
    const host = new VirtualHost({ autojump: false });
    const log: string[] = [];
    const done = new Scheduler(host).run(function* (): Gen<void> {
      const t = spawn(function* () { yield* sleepMs(100); log.push(`woke at ${now()}`); });
      yield* sleepMs(250);
      log.push(`main at ${now()}`);
      yield* t.join();
    });
    await turns(20);
    assert.deepEqual(log, []);
    host.advance(99);
    await turns(20);
    assert.deepEqual(log, []);
    host.advance(1);
    await turns(20);
    assert.deepEqual(log, ["woke at 100"]);
    host.advance(200);
    await done;
    assert.deepEqual(log, ["woke at 100", "main at 300"]);
  });

  it("autojump moves straight to the next deadline: a 10 s timeout takes no real time", async () => {
    const host = new VirtualHost();
    const t0 = Date.now();
    await new Scheduler(host).run(function* () { yield* sleepMs(10_000); });
    assert.equal(host.now(), 10_000);
    assert.ok(Date.now() - t0 < 1000);
  });

  it("starts at the given time", async () => {
    const r = await new Scheduler(new VirtualHost({ start: 5000 })).run(function* () { yield* sleepMs(1); return now(); });
    assert.equal(r, 5001);
  });
});
