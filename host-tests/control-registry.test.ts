import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { sleepMs, type Gen } from "../firmware/sched/index";
import { TaskRegistry, RingLog } from "../firmware/control/index";

function* work(ms: number, v: string): Gen<string> {
  yield* sleepMs(ms);
  return v;
}
function* bad(): Gen<void> {
  yield* sleepMs(5);
  throw new Error("boom");
}
function* forever(log: Log, tag: string): Gen<void> {
  try {
    for (;;) {
      log.add(tag);
      yield* sleepMs(1000);
    }
  } finally {
    log.add(`${tag} cleanup`);
  }
}

describe("TaskRegistry", () => {
  it("lists running, done (result), failed (error) and cancelled tasks, systemd style", async () => {
    const log = new Log();
    const seen: string[] = [];
    await vrun(function* () {
      const reg = new TaskRegistry();
      reg.add("work", work, 10, "x");
      const b = reg.add("bad", bad);
      b.onError = (c, e) => seen.push(`${c.name} error ${(e as Error).message}`);
      const c = reg.add("loop", forever, log, "a");
      c.onStop = (x) => seen.push(`${x.name} stopped`);
      const d = reg.add("work", work, 1, "y");
      assert.equal(d.name, "work-2");
      assert.equal(reg.add("work", work, 1, "z").name, "work-3");
      reg.remove("work-3");
      yield* sleepMs(2);
      assert.deepEqual(reg.status(), [
        "● work: running since t+0.000s; 2 ms ago",
        "● bad: running since t+0.000s; 2 ms ago",
        "● loop: running since t+0.000s; 2 ms ago",
        "● work-2: done @ t+0.001s; 1 ms ago --> result: \"y\"",
      ]);
      yield* sleepMs(1998);
      assert.equal(reg.stop("loop"), true);
      assert.equal(reg.stop("loop"), true, "still running until its cleanup ran");
      yield* sleepMs(500);
      assert.equal(reg.stop("loop"), false);
      assert.deepEqual(reg.status(), [
        "● work: done @ t+0.010s; 2 s ago --> result: \"x\"",
        "× bad: failed @ t+0.005s; 2 s ago --> Error: boom",
        "○ loop: cancelled @ t+2.000s; 500 ms ago",
        "● work-2: done @ t+0.001s; 2 s ago --> result: \"y\"",
      ]);
      const v = reg.status({ names: ["bad", "work"], verbose: true });
      assert.equal(v[0], "× bad: failed @ t+0.005s; 2 s ago --> Error: boom");
      assert.equal(v[1], "    ┗━► args: []");
      assert.equal(v[2], "    ┗━► runtime: 5 ms; starts: 1");
      assert.equal(v[3], "        Error: boom");
      assert.ok(v.indexOf("● work: done @ t+0.010s; 2 s ago --> result: \"x\"") > 3);
      assert.ok(v.indexOf("    ┗━► args: [10,\"x\"]") > 3);
      assert.deepEqual(reg.get("bad")!.traceback[0], "Error: boom");
    });
    assert.deepEqual(seen, ["bad error boom", "loop stopped"]);
    assert.deepEqual(log.items, ["a@0", "a@1000", "a cleanup@2000"]);
  });

  it("restart with changed arguments: the old run's cleanup runs first, the new run uses the new args", async () => {
    const log = new Log();
    await vrun(function* () {
      const reg = new TaskRegistry();
      const c = reg.add("blink", forever, log, "slow");
      yield* sleepMs(1500);
      c.args = [log, "edited"];
      reg.restart("blink");
      yield* sleepMs(1);
      assert.equal(c.starts, 2);
      assert.equal(c.state, "running");
      reg.restart("blink", [log, "json"]);
      yield* sleepMs(1);
      reg.stop("blink");
      yield* sleepMs(1);
      assert.equal(c.state, "cancelled");
      reg.start("blink");
      yield* sleepMs(1);
      assert.throws(() => reg.start("blink"), /already running/);
      assert.throws(() => reg.stop("nope"), /no task named "nope"/);
      assert.throws(() => reg.restart("blink", "x" as unknown as unknown[]), TypeError);
      reg.stop("blink");
      yield* sleepMs(1);
      assert.deepEqual(c.args, [log, "json"]);
      assert.equal(reg.status()[0], "○ blink: cancelled @ t+1.504s; 1 ms ago");
    });
    assert.deepEqual(log.items, [
      "slow@0", "slow@1000", "slow cleanup@1500", "edited@1500",
      "edited cleanup@1501", "json@1501", "json cleanup@1502",
      "json@1503", "json cleanup@1504",
    ]);
  });

  it("a failure without onError goes to the log with its traceback, tagged with the task's name", async () => {
    const rl = new RingLog(1024);
    await vrun(function* () {
      const reg = new TaskRegistry({ log: rl });
      reg.add("bad", bad);
      yield* sleepMs(10);
    });
    const e = rl.entries();
    assert.equal(e.length, 1);
    assert.equal(e[0]!.level, "error");
    assert.equal(e[0]!.tag, "bad");
    assert.match(e[0]!.msg, /^failed: Error: boom/);
  });

  it("define() registers without starting; status shows dates with a wall clock", async () => {
    await vrun(function* () {
      const reg = new TaskRegistry({ wallClock: () => Date.UTC(2015, 0, 1, 0, 0, 19) });
      reg.define("idle", work, 1, "q");
      assert.deepEqual(reg.status(), ["○ idle: not started"]);
      reg.start("idle");
      yield* sleepMs(4000);
      reg.restart("idle", [10_000, "r"]);
      yield* sleepMs(4000);
      assert.deepEqual(reg.status(), ["● idle: running since 2015-01-01 00:00:15; 4 s ago"]);
    });
  });
});
