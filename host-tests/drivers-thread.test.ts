import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { TimeoutError, callLater, failAfter, now, sleepMs, spawn } from "../firmware/sched/index";
import { NoThreadsError, setThreadRunner, threadStats, toThread, type ThreadRunner } from "../drivers/thread/index";

/** A runner on virtual time: the "thread" answers `ms` later with fn(...args) (or its error). */
function fakeRunner(ms: number, log: Log): ThreadRunner {
  return {
    name: "fake",
    start(fn, args, done) {
      log.add("start");
      const h = callLater(ms, () => {
        try {
          done(true, fn(...args));
        } catch (e) {
          done(false, e);
        }
      });
      return () => {
        log.add("abort");
        h.cancel();
      };
    },
  };
}

describe("toThread", () => {
  afterEach(() => setThreadRunner(null));

  it("without a runner: a clear error naming the platforms, never a silent run on the loop", async () => {
    await vrun(function* () {
      let ran = false;
      let err: unknown;
      try {
        yield* toThread(() => { ran = true; });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof NoThreadsError);
      assert.match((err as Error).message, /Node has worker_threads.*ESP32 build installs moddableThreadRunner.*the Pico has none: its Worker \(Moddable 8\.2\.3\) runs on the loop's own thread/);
      assert.equal(ran, false);
      assert.throws(() => toThread(5 as never), /toThread needs a function, got number/);
      assert.throws(() => setThreadRunner({} as never), TypeError);
    });
  });

  it("returns the value while other tasks run; errors come back as the task's", async () => {
    const log = new Log();
    await vrun(function* () {
      setThreadRunner(fakeRunner(50, log));
      let ticks = 0;
      const ticker = spawn(function* () {
        for (;;) {
          yield* sleepMs(10);
          ticks++;
        }
      });
      log.add(`value ${yield* toThread((a: number, b: number) => a * b, 6, 7)}`);
      assert.equal(ticks, 5);
      try {
        yield* toThread(() => {
          throw new RangeError("bad input");
        });
      } catch (e) {
        log.add(`${(e as Error).name}: ${(e as Error).message}`);
      }
      ticker.cancel();
    });
    assert.deepEqual(log.items, ["start@0", "value 42@50", "start@50", "RangeError: bad input@100"]);
  });

  it("a timeout or cancel abandons the work at once; a late result is dropped", async () => {
    const log = new Log();
    await vrun(async () => {
      const before = { ...threadStats };
      setThreadRunner(fakeRunner(100, log));
      await assert.rejects(async () => failAfter(30, () => toThread(() => 1)), TimeoutError);
      log.add("timed out");
      // a runner that cannot stop its work: the result comes, and is dropped
      let late: ((ok: boolean, v: unknown) => void) | null = null;
      setThreadRunner({ name: "stubborn", start: (_fn, _args, done) => { late = done; return () => log.add("abort ignored"); } });
      const t = spawn(async () => toThread(() => 2));
      await sleepMs(10);
      t.cancel();
      await sleepMs(1);
      late!(true, 2);
      log.add(`dropped ${threadStats.dropped - before.dropped} abandoned ${threadStats.abandoned - before.abandoned}`);
      log.add(`at ${now()}`);
    });
    assert.deepEqual(log.items, ["start@0", "abort@30", "timed out@30", "abort ignored@40", "dropped 1 abandoned 2@41", "at 41@41"]);
  });
});
