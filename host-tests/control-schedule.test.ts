import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { after, everyWith, every, atFrequency, type OverrunPolicy } from "../firmware/control/index";

const N = 10_000;
const P = 10;

/** Runs 10,000 periods of 10 ms; every 97th run (from the first) takes 25 ms instead of 1 ms. */
async function cadence(policy: OverrunPolicy): Promise<{ starts: number[]; runs: number; overruns: number; missed: number }> {
  const starts: number[] = [];
  let i = 0;
  function* body(): Gen<void> {
    starts.push(now());
    yield* sleepMs(i++ % 97 === 0 ? 25 : 1);
  }
  return await vrun(function* () {
    const p = everyWith(P, { policy, times: N }, body);
    const runs = yield* p.start("tick").join();
    return { starts, runs, overruns: p.overruns, missed: p.missed };
  });
}

describe("Periodic schedules", () => {
  it("'skip' keeps the grid exactly over 10,000 periods and counts the missed deadlines", async () => {
    const r = await cadence("skip");
    assert.equal(r.runs, N);
    const longRuns = Math.ceil(N / 97); // runs 0, 97, ..., 9991
    assert.equal(r.overruns, longRuns);
    assert.equal(r.missed, 2 * longRuns); // a 25 ms run misses the next two 10 ms deadlines
    for (let n = 0; n < N; n++) {
      const want = P * (n + 2 * Math.ceil(n / 97));
      if (r.starts[n] !== want) assert.fail(`run ${n} started at ${r.starts[n]}, expected ${want}`);
    }
  });

  it("'catch-up' runs the late deadlines at once, then is back on the original grid", async () => {
    const r = await cadence("catch-up");
    assert.equal(r.runs, N);
    assert.equal(r.missed, 0);
    // a long run (0..25) ends after the next deadline (10); the catch-up run for 10 (25..26) ends after 20;
    // the one for 20 (26..27) is back in time
    assert.equal(r.overruns, 2 * Math.ceil(N / 97));
    let n = 0;
    for (let k = 0; k < N; k++) {
      const phase = k % 97;
      const base = P * k;
      const want = phase === 1 ? base - P + 25 : phase === 2 ? base - 2 * P + 26 : base;
      if (r.starts[n] !== want) assert.fail(`run ${k} started at ${r.starts[n]}, expected ${want}`);
      n++;
    }
    assert.equal(r.starts[N - 1], P * (N - 1));
  });

  it("'delay' restarts the cadence from the end of a late run", async () => {
    const r = await cadence("delay");
    assert.equal(r.runs, N);
    assert.equal(r.overruns, Math.ceil(N / 97));
    assert.equal(r.missed, 0);
    for (let n = 0; n < N; n++) {
      const want = P * n + 25 * Math.ceil(n / 97); // each long run moves the grid by 25 ms
      if (r.starts[n] !== want) assert.fail(`run ${n} started at ${r.starts[n]}, expected ${want}`);
    }
  });

  it("'catch-up' runs at most maxCatchUp late deadlines back to back and drops the older ones", async () => {
    const log = new Log();
    let i = 0;
    await vrun(function* () {
      const p = everyWith(10, { policy: "catch-up", maxCatchUp: 3, times: 6 }, function* () {
        log.add("run");
        yield* sleepMs(i++ === 0 ? 55 : 1);
      });
      yield* p.start().join();
      assert.equal(p.missed, 2);
      assert.equal(p.overruns, 3);
    });
    assert.deepEqual(log.items, ["run@0", "run@55", "run@56", "run@57", "run@60", "run@70"]);
  });

  it("the period changes while the schedule sleeps: next = previous deadline + new period", async () => {
    const log = new Log();
    await vrun(function* () {
      const p = every(100, () => log.add("tick"));
      const t = p.start("ticker");
      yield* sleepMs(250);
      p.setPeriod(40); // last deadline 200: next 240, already passed: at once, then 280, 320...
      yield* sleepMs(70); // at 320, main runs before the schedule's run for 320
      p.setFrequency(10); // last deadline 280: next 380
      yield* sleepMs(200);
      p.setPeriod(1000);
      p.setPeriod(5); // last deadline 480: 485 has passed, so at once; then the first deadline after 520
      yield* sleepMs(6);
      t.cancel();
      assert.equal(p.runs, log.items.length);
    });
    assert.deepEqual(log.items, ["tick@0", "tick@100", "tick@200", "tick@250", "tick@280", "tick@380", "tick@480", "tick@520", "tick@525"]);
  });

  it("atFrequency, a plain function, and after()", async () => {
    const log = new Log();
    await vrun(function* () {
      const p = atFrequency(4, () => log.add("hz"));
      const t = p.start();
      const later = spawn("later", after(600, (x: number) => x * 2, 21));
      assert.equal(yield* later.join(), 42);
      log.add("after");
      t.cancel();
    });
    assert.deepEqual(log.items, ["hz@0", "hz@250", "hz@500", "after@600"]);
  });

  it("async run bodies run as joined child tasks; bad periods are refused", async () => {
    const log = new Log();
    await vrun(function* () {
      const p = everyWith(50, { times: 3, startAfter: 5 }, async (tag: string) => {
        await sleepMs(10);
        log.add(tag);
      }, "async");
      yield* p.start().join();
    });
    assert.deepEqual(log.items, ["async@15", "async@65", "async@115"]);
    assert.throws(() => every(0, () => 1), RangeError);
    assert.throws(() => every(NaN, () => 1), RangeError);
    assert.throws(() => everyWith(1, { policy: "nope" as OverrunPolicy }, () => 1), TypeError);
  });
});
