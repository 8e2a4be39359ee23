import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { now, sleepMs, type Gen } from "../firmware/sched/index";
import { cronNext, cronWith, atTime, formatDate, type CronSpec } from "../firmware/control/index";

const U = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);

// [what, spec, now, expected next match]
const TABLE: [string, CronSpec, number, number][] = [
  ["03:00 daily, one second before", { hrs: 3 }, U(2024, 1, 1, 2, 59, 59), U(2024, 1, 1, 3)],
  ["03:00 daily, exactly at the match: the next one", { hrs: 3 }, U(2024, 1, 1, 3), U(2024, 1, 2, 3)],
  ["every second, from mid-second", { secs: "*", mins: "*" }, U(2024, 1, 1, 12, 0, 0, 500), U(2024, 1, 1, 12, 0, 1)],
  ["a list of minutes", { mins: [0, 30] }, U(2024, 1, 1, 10, 15), U(2024, 1, 1, 10, 30)],
  ["a list of seconds", { secs: [15, 45], mins: "*" }, U(2024, 1, 1, 10, 0, 20), U(2024, 1, 1, 10, 0, 45)],
  ["new year", { month: 1, mday: 1, hrs: 0 }, U(2023, 12, 31, 23, 59, 59), U(2024, 1, 1)],
  ["day 31 skips a 30-day month", { mday: 31 }, U(2024, 4, 15), U(2024, 5, 31)],
  ["day 31 across the year end", { mday: 31, hrs: 23, mins: 59, secs: 59 }, U(2024, 12, 31, 23, 59, 59), U(2025, 1, 31, 23, 59, 59)],
  ["leap day, next year", { month: 2, mday: 29, hrs: 12 }, U(2023, 3, 1), U(2024, 2, 29, 12)],
  ["leap day after 2096 is 2104 (2100 is not leap)", { month: 2, mday: 29 }, U(2096, 3, 1), U(2104, 2, 29)],
  ["Monday = 0", { wday: 0, hrs: 9 }, U(2024, 1, 6, 10), U(2024, 1, 8, 9)],
  ["Sunday = 6, across the year end", { wday: 6, hrs: 0 }, U(2024, 12, 31), U(2025, 1, 5)],
  ["mday and wday must both match (Friday 13th)", { mday: 13, wday: 4 }, U(2024, 1, 1), U(2024, 9, 13)],
  ["Feb 28 -> Mar 1 in a common year", { mday: 1, hrs: 0 }, U(2023, 2, 28, 12), U(2023, 3, 1)],
  ["Feb 28 -> Feb 29 in a leap year", { hrs: 0 }, U(2024, 2, 28, 12), U(2024, 2, 29)],
  ["last second of a leap year", { secs: "*", mins: "*" }, U(2024, 12, 31, 23, 59, 59), U(2025, 1, 1)],
];

describe("cron", () => {
  it("cronNext: ms until the next match, for a table of cases", () => {
    for (const [what, spec, t, want] of TABLE) {
      const got = cronNext(spec, t);
      assert.equal(got, want - t, `${what}: next is ${formatDate(t + got)}, expected ${formatDate(want)}`);
    }
  });

  it("cronNext rejects bad fields and specs that never match", () => {
    assert.throws(() => cronNext({ hrs: 24 }, 0), /cron hrs: 24 is not an integer in 0\.\.23/);
    assert.throws(() => cronNext({ wday: 7 }, 0), RangeError);
    assert.throws(() => cronNext({ mins: 1.5 }, 0), RangeError);
    assert.throws(() => cronNext({ mday: 0 }, 0), RangeError);
    assert.throws(() => cronNext({ secs: [] }, 0), TypeError);
    assert.throws(() => cronNext({ month: 2, mday: 30 }, 0), /never matches/);
  });

  it("a cron job runs at each match on the wall clock, `times` times", async () => {
    const log = new Log();
    const base = U(2024, 1, 1, 2, 59, 0);
    const done = await vrun(function* () {
      const job = cronWith({ secs: [0, 30], mins: "*", times: 4 }, { clock: () => base + now() }, () => log.add("run"));
      return yield* job.start("every30").join();
    });
    assert.equal(done, 4);
    assert.deepEqual(log.items, ["run@30000", "run@60000", "run@90000", "run@120000"]);
  });

  it("long sleeps are split, so a clock set forward or back is followed", async () => {
    const log = new Log();
    let offset = 0;
    const base = U(2024, 1, 1, 0, 0, 0);
    const clock = (): number => base + now() + offset;
    await vrun(function* () {
      const job = cronWith({ hrs: 3, times: 1 }, { clock, maxSleepMs: 60_000 }, () => log.add(`run ${formatDate(clock())}`));
      const t = job.start("nightly");
      yield* sleepMs(630_000);
      offset = U(2024, 1, 1, 2, 59, 30) - (base + 660_000); // set forward: at 660 000 the clock reads 02:59:30
      yield* sleepMs(50_000);
      offset -= 10_000; // set back 10 s while the job sleeps its last 30 s
      yield* t.join();
    });
    assert.deepEqual(log.items, ["run 2024-01-01 03:00:00@700000"]);
  });

  it("atTime runs once the wall clock reaches the time", async () => {
    const log = new Log();
    const base = U(2024, 1, 1);
    await vrun(function* (): Gen<void> {
      const body = atTime(base + 150_000, { clock: () => base + now(), maxSleepMs: 60_000 }, (x: string) => log.add(x), "at");
      yield* body();
    });
    assert.deepEqual(log.items, ["at@150000"]);
  });
});
