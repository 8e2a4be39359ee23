import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Jobs, Profiler, RingLog, TaskRegistry } from "../firmware/control/index";
import { VirtualHost, runOn } from "../firmware/sched/index";

function* twice(n: number): Gen<number> {
  yield* sleepMs(50 * n);
  return 2 * n;
}
async function failing(msg: string): Promise<never> {
  await sleepMs(10);
  throw new TypeError(msg);
}

describe("Jobs (bg / call)", () => {
  it("bg returns a job; get() returns the result or re-raises the job's error; wait() never raises", async () => {
    const log = new Log();
    await vrun(function* () {
      const jobs = new Jobs();
      const a = jobs.bg("twice", twice, 2);
      const b = jobs.bg("failing", failing, "bad input");
      assert.equal(a.id, 1);
      assert.equal(b.id, 2);
      assert.equal(a.state, "running");
      yield* b.wait();
      log.add(`b ${b.state}`);
      try {
        yield* b.get();
      } catch (e) {
        log.add(`b raised ${(e as Error).name}: ${(e as Error).message}`);
      }
      log.add(`a ${yield* a.get()}`);
      log.add(`a again ${yield* a.get()}`);
      assert.deepEqual(jobs.lines(), [
        "#1 job1:twice done 0 ms ago --> 4",
        "#2 job2:failing failed 90 ms ago --> TypeError: bad input",
      ]);
      log.add(`call ${yield* jobs.call(twice, 1)}`);
    });
    assert.deepEqual(log.items, ["b failed@10", "b raised TypeError: bad input@10", "a 4@100", "a again 4@100", "call 2@150"]);
  });

  it("a cancelled get() stops waiting but leaves the job running; cancel() cancels it; get() then raises CancelledError", async () => {
    const log = new Log();
    await vrun(function* () {
      const jobs = new Jobs();
      const j = jobs.bg("twice", twice, 10);
      const getter = spawn("getter", function* () {
        yield* j.get();
      });
      yield* sleepMs(100);
      getter.cancel();
      yield* sleepMs(1);
      assert.equal(getter.cancelled, true);
      assert.equal(j.state, "running");
      assert.equal(j.cancel(), true);
      try {
        yield* j.get();
      } catch (e) {
        log.add((e as Error).name);
      }
      assert.equal(j.state, "cancelled");
      assert.equal(j.cancel(), false);
      assert.deepEqual(jobs.lines(), ["#1 job1:twice cancelled 0 ms ago"]);
    });
    assert.deepEqual(log.items, ["CancelledError@101"]);
  });

  it("keeps at most `keep` finished jobs; call() re-raises and a cancelled caller cancels the call", async () => {
    await vrun(function* () {
      const jobs = new Jobs(2);
      for (let i = 0; i < 5; i++) jobs.bg(twice, 0);
      yield* sleepMs(1);
      jobs.bg(twice, 0);
      assert.deepEqual(jobs.list().map((j) => j.id), [5, 6]);
      let msg = "";
      try {
        yield* jobs.call(failing, "x");
      } catch (e) {
        msg = (e as Error).message;
      }
      assert.equal(msg, "x");
    });
  });
});

describe("Profiler and stall detector", () => {
  it("counts resumes and run time per task, and warns (log + counter, with the task's name) when a step runs too long", async () => {
    const host = new VirtualHost();
    const rl = new RingLog(1024);
    const stalls: string[] = [];
    await runOn(host, function* () {
      const prof = new Profiler({ stallMs: 20, log: rl, onStall: (n, ms) => stalls.push(`${n}:${ms}`) });
      const reg = new TaskRegistry({ profiler: prof });
      reg.add("good", function* () {
        for (let i = 0; i < 5; i++) {
          host.charge(2); // 2 ms of work per step
          yield* sleepMs(10);
        }
      });
      reg.add("hog", function* () {
        yield* sleepMs(5);
        host.charge(150); // a busy loop that never yields: the "program hangs" case
        yield* sleepMs(5);
        return "done";
      });
      reg.add("async", async () => {
        await sleepMs(1);
      });
      yield* sleepMs(1000);
      const good = prof.tasks.get("good")!;
      assert.equal(good.resumes, 6);
      assert.equal(good.runMs, 10);
      assert.equal(good.stalls, 0);
      const hog = prof.tasks.get("hog")!;
      assert.equal(hog.resumes, 3);
      assert.equal(hog.maxStepMs, 150);
      assert.equal(hog.stalls, 1);
      assert.equal(prof.stalls, 1);
      assert.equal(prof.tasks.has("async"), false);
      assert.equal(reg.get("hog")!.result, "done");
      assert.deepEqual(prof.lines(), [
        "TASK              RESUMES     RUN ms   MAX ms STALLS",
        "good                    6         10        2      0",
        "hog                     3        150      150      1",
      ]);
      assert.equal(reg.status({ names: ["hog"], verbose: true })[3], "    ┗━► profile: 3 resumes, 150 ms run, max step 150 ms, 1 stalls");
    });
    assert.deepEqual(stalls, ["hog:150"]);
    const w = rl.entries();
    assert.equal(w.length, 1);
    assert.equal(w[0]!.level, "warn");
    assert.equal(w[0]!.tag, "hog");
    assert.equal(w[0]!.msg, "task hog ran 150 ms without yielding (stall threshold 20 ms)");
  });

  it("a profiled task still receives cancellation and errors at its wait point", async () => {
    const log = new Log();
    await vrun(function* () {
      const prof = new Profiler();
      const reg = new TaskRegistry({ profiler: prof });
      reg.add("w", function* () {
        try {
          yield* sleepMs(Infinity);
        } finally {
          log.add("cleanup");
        }
      });
      yield* sleepMs(5);
      reg.stop("w");
      yield* sleepMs(1);
      assert.equal(reg.get("w")!.state, "cancelled");
      assert.equal(prof.tasks.get("w")!.resumes, 2);
    });
    assert.deepEqual(log.items, ["cleanup@5"]);
  });
});
