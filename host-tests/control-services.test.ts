import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { sleepMs, type Gen } from "../firmware/sched/index";
import { MemoryPrefs, RingLog, ServiceManager, TaskRegistry, getJSON } from "../firmware/control/index";

function* loop(log: Log, tag: string): Gen<void> {
  log.add(`${tag} up`);
  yield* sleepMs(Infinity);
}

describe("ServiceManager", () => {
  it("boots in dependency order; a failing init is reported with its traceback and its dependents are not started", async () => {
    const log = new Log();
    const rl = new RingLog(2048);
    await vrun(function* () {
      const reg = new TaskRegistry();
      const sm = new ServiceManager(reg, { log: rl });
      // registered out of order on purpose
      sm.add({ name: "app", description: "the application", requires: ["mqtt", "clock"], tasks: loop, args: [log, "app"] });
      sm.add({ name: "mqtt", requires: ["net"], tasks: { rx: loop, tx: loop }, args: [log, "mqtt"] });
      sm.add({ name: "net", init: function* (l: Log) { l.add("net init"); yield* sleepMs(100); }, tasks: loop, args: [log, "net"] });
      sm.add({ name: "clock", requires: ["sensor"], tasks: loop, args: [log, "clock"] });
      sm.add({ name: "sensor", init: function* () { yield* sleepMs(5); throw new RangeError("no sensor on the bus"); }, tasks: loop, args: [log, "sensor"] });
      sm.add({ name: "ui", tasks: loop, args: [log, "ui"], enabled: false });
      assert.deepEqual(sm.order().map((s) => s.name), ["net", "mqtt", "sensor", "clock", "app", "ui"]);
      const rep = yield* sm.boot();
      assert.deepEqual(rep.lines, [
        "[ OK ] net started",
        "[ OK ] mqtt started",
        "[ FAILED ] sensor: RangeError: no sensor on the bus",
        "[ SKIP ] clock: not started, dependency sensor failed",
        "[ SKIP ] app: not started, dependency clock not started",
        "[ SKIP ] ui: disabled",
      ]);
      assert.deepEqual(rep.started, ["net", "mqtt"]);
      assert.deepEqual(rep.failed, ["sensor"]);
      assert.deepEqual(rep.skipped, ["clock", "app", "ui"]);
      yield* sleepMs(1);
      assert.deepEqual(sm.list(), [
        "○ app - the application [enabled] inactive (dependency clock not started)",
        "● mqtt [enabled] active (running)",
        "● net [enabled] active (running)",
        "○ clock [enabled] inactive (dependency sensor failed)",
        "× sensor [enabled] failed (RangeError: no sensor on the bus)",
        "○ ui [disabled] disabled",
      ]);
      const st = sm.status("sensor");
      assert.equal(st[0], "× sensor");
      assert.equal(st[2], "    Active: failed (RangeError: no sensor on the bus)");
      assert.equal(st[4], "    Failures: 1, the last 1 ms ago: RangeError: no sensor on the bus");
      assert.equal(st[5], "    Traceback:");
      assert.equal(st[6], "      RangeError: no sensor on the bus");
      assert.deepEqual(sm.status("mqtt").slice(0, 5), [
        "● mqtt",
        "    Loaded: enabled",
        "    Active: active (running) since t+0.100s; 6 ms ago",
        "    Requires: net",
            "    Args: [{\"items\":[\"net init@0\",\"net up@100\",\"mqtt up@100\",\"mqtt up@100\"]},\"mqtt\"]",
      ]);
      assert.deepEqual(reg.list().map((c) => c.name), ["net", "mqtt.rx", "mqtt.tx"]);
      assert.throws(() => sm.stop("nope"), /no service named "nope"/);
      // a dependency that fails later (a task) fails the service too
    });
    assert.deepEqual(log.items, ["net init@0", "net up@100", "mqtt up@100", "mqtt up@100"]);
    assert.deepEqual(rl.grep(/services/).map((l) => l.replace(/^\S+ /, "").split("\n")[0]), [
      "[INFO] [services] net started",
      "[INFO] [services] mqtt started",
      "[ERROR] [services] sensor failed: RangeError: no sensor on the bus",
      "[WARN] [services] clock not started: dependency sensor failed",
      "[WARN] [services] app not started: dependency clock not started",
    ]);
  });

  it("a dependency cycle is an error naming it, before anything starts", async () => {
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry());
      sm.add({ name: "a", requires: ["b"] });
      sm.add({ name: "b", requires: ["c"] });
      sm.add({ name: "c", requires: ["a"] });
      assert.throws(() => sm.boot(), /service dependency cycle: a -> b -> c -> a/);
    });
  });

  it("runtime stop (dependents first), start, enable/disable and arguments persist through Prefs", async () => {
    const log = new Log();
    const up = function* (tag: string): Gen<void> {
      yield* loop(log, tag);
    };
    const prefs = new MemoryPrefs();
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { prefs });
      sm.add({ name: "net", tasks: up, args: ["net"] });
      sm.add({ name: "mqtt", requires: ["net"], tasks: up, args: ["mqtt"] });
      yield* sm.boot();
      yield* sleepMs(10);
      assert.deepEqual(sm.stop("net"), ["mqtt", "net"]);
      yield* sleepMs(1);
      assert.equal(sm.list()[1], "○ mqtt [enabled] inactive (stopped with net)");
      let err = "";
      try {
        yield* sm.start("mqtt");
      } catch (e) {
        err = (e as Error).message;
      }
      assert.equal(err, "service mqtt cannot start: dependency net stopped");
      sm.setArgs("net", ["net2"]);
      yield* sm.start("net"); // and mqtt, stopped with it
      yield* sleepMs(1);
      assert.deepEqual(sm.list(), ["● net [enabled] active (running)", "● mqtt [enabled] active (running)"]);
      sm.disable("mqtt");
      assert.deepEqual(getJSON(prefs, "svc", "mqtt"), { enabled: false, args: ["mqtt"] });
      assert.deepEqual(getJSON(prefs, "svc", "net"), { enabled: true, args: ["net2"] });
    });
    assert.deepEqual(log.items, ["net up@0", "mqtt up@0", "net2 up@11", "mqtt up@11"]);
    // a new boot reads the stored configuration: mqtt stays off, net gets its stored args
    const log2 = new Log();
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { prefs });
      sm.add({ name: "net", tasks: (tag: string) => log2.add(tag), args: ["default"] });
      sm.add({ name: "mqtt", requires: ["net"], tasks: up, args: ["mqtt"] });
      const rep = yield* sm.boot();
      assert.deepEqual(rep.lines, ["[ OK ] net started", "[ SKIP ] mqtt: disabled"]);
      yield* sleepMs(1);
      assert.equal(sm.list()[0], "● net [enabled] active (exited)");
      sm.enable("mqtt");
      assert.deepEqual(getJSON(prefs, "svc", "mqtt"), { enabled: true, args: ["mqtt"] });
    });
    assert.deepEqual(log2.items, ["net2@0"]);
  });

  it("a service whose task fails later shows failed with the task's traceback", async () => {
    await vrun(function* () {
      const reg = new TaskRegistry();
      reg.add("placeholder", function* () {});
      const sm = new ServiceManager(reg);
      sm.add({ name: "flaky", tasks: function* () { yield* sleepMs(50); throw new Error("lost link"); } });
      yield* sm.boot();
      yield* sleepMs(60);
      const st = sm.status("flaky");
      assert.equal(st[2], "    Active: failed (task flaky failed: Error: lost link)");
      assert.ok(st.indexOf("      task flaky:") > 0);
      assert.ok(st.indexOf("      Error: lost link") > 0);
    });
  });
});

describe("ServiceManager restart policies", () => {
  function lines(rl: RingLog): string[] {
    return rl.grep(/\[services\]/).map((l) => l.split("\n")[0]!);
  }

  it("on-failure: restarts after a delay that doubles, then parks the service at its start limit until an operator starts it", async () => {
    const rl = new RingLog(8192);
    let runs = 0;
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { log: rl });
      sm.add({
        name: "flaky", restart: "on-failure", restartMs: 100, restartMaxMs: 400, startLimitBurst: 3, startLimitIntervalMs: 10000,
        tasks: function* () { runs++; yield* sleepMs(10); throw new Error(`lost link ${runs}`); },
      });
      yield* sm.boot();
      yield* sleepMs(15);
      assert.equal(sm.list()[0], "↻ flaky [enabled] activating (auto-restart in 95 ms; last failure: task flaky failed: Error: lost link 1)");
      yield* sleepMs(2000);
      assert.deepEqual(lines(rl), [
        "0.000 [INFO] [services] flaky started",
        "0.010 [ERROR] [services] flaky failed: task flaky failed: Error: lost link 1",
        "0.010 [WARN] [services] flaky: restart 1 in 100 ms",
        "0.110 [INFO] [services] flaky started (restart 1)",
        "0.120 [ERROR] [services] flaky failed: task flaky failed: Error: lost link 2",
        "0.120 [WARN] [services] flaky: restart 2 in 200 ms",
        "0.320 [INFO] [services] flaky started (restart 2)",
        "0.330 [ERROR] [services] flaky failed: task flaky failed: Error: lost link 3",
        "0.330 [WARN] [services] flaky: restart 3 in 400 ms",
        "0.730 [INFO] [services] flaky started (restart 3)",
        "0.740 [ERROR] [services] flaky failed: task flaky failed: Error: lost link 4",
        "0.740 [ERROR] [services] flaky: start limit hit: 3 restarts in 630 ms; last failure: task flaky failed: Error: lost link 4; start it by hand when fixed",
      ]);
      assert.equal(sm.list()[0], "× flaky [enabled] failed (start limit hit: 3 restarts in 630 ms; last failure: task flaky failed: Error: lost link 4), 3 restarts");
      const st = sm.status("flaky");
      assert.deepEqual(st.slice(2, 6), [
        "    Active: failed (start limit hit: 3 restarts in 630 ms; last failure: task flaky failed: Error: lost link 4)",
        "    Args: []",
        "    Restart: on-failure (after 100 ms, doubling up to 400 ms; limit 3 in 10 s); 3 so far",
        "    Failures: 4, the last 1 s ago: task flaky failed: Error: lost link 4",
      ]);
      yield* sm.start("flaky"); // the operator: a fresh start limit and delay
      yield* sleepMs(15);
      assert.equal(sm.get("flaky")!.state, "restarting");
      assert.equal(lines(rl).slice(-1)[0], "2.025 [WARN] [services] flaky: restart 4 in 100 ms");
    });
    assert.equal(runs, 5);
  });

  it("a run that lasted restartMaxMs resets the delay; \"always\" also restarts a service whose tasks returned", async () => {
    const rl = new RingLog(8192);
    const ends = [10, 10, 500, 10];
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { log: rl });
      let i = 0;
      sm.add({
        name: "job", restart: "always", restartMs: 50, restartMaxMs: 400,
        tasks: function* () { yield* sleepMs(ends[i++] ?? Infinity); },
      });
      yield* sm.boot();
      yield* sleepMs(1000);
      assert.deepEqual(lines(rl).filter((l) => l.includes("restart ")), [
        "0.010 [WARN] [services] job: restart 1 in 50 ms",
        "0.060 [INFO] [services] job started (restart 1)",
        "0.070 [WARN] [services] job: restart 2 in 100 ms",
        "0.170 [INFO] [services] job started (restart 2)",
        "0.670 [WARN] [services] job: restart 3 in 50 ms", // ran 500 ms >= 400: healthy, the delay starts over
        "0.720 [INFO] [services] job started (restart 3)",
        "0.730 [WARN] [services] job: restart 4 in 100 ms",
        "0.830 [INFO] [services] job started (restart 4)",
      ]);
      assert.equal(sm.get("job")!.failures, 0);
      assert.equal(sm.list()[0], "● job [enabled] active (running), 4 restarts");
    });
  });

  it("an operator's stop is never undone: a stopped task stops its service, service stop cancels a pending restart", async () => {
    const rl = new RingLog(8192);
    await vrun(function* () {
      const reg = new TaskRegistry();
      const sm = new ServiceManager(reg, { log: rl });
      sm.add({ name: "a", restart: "always", tasks: function* () { yield* sleepMs(Infinity); } });
      sm.add({ name: "b", restart: "on-failure", restartMs: 100, tasks: function* () { yield* sleepMs(10); throw new Error("boom"); } });
      sm.add({ name: "c", tasks: { rx: function* () { yield* sleepMs(Infinity); }, tx: function* () { yield* sleepMs(30); } } });
      yield* sm.boot();
      yield* sleepMs(50);
      assert.equal(reg.stop("a"), true); // the console's `stop a`
      yield* sleepMs(20);
      assert.deepEqual(sm.list(), [
        "○ a [enabled] inactive (task a stopped)",
        "↻ b [enabled] activating (auto-restart in 40 ms; last failure: task b failed: Error: boom)",
        "● c [enabled] active (running)",
      ]);
      assert.deepEqual(sm.stop("b"), ["b"]);
      yield* sleepMs(5000);
      assert.deepEqual(sm.list().slice(0, 2), ["○ a [enabled] inactive (task a stopped)", "○ b [enabled] inactive (stopped)"]);
      assert.deepEqual(reg.list().map((x) => `${x.name} ${x.state}`), ["a cancelled", "b failed", "c.rx running", "c.tx done"]);
      reg.start("a"); // starting its task by hand brings the service back
      yield* sleepMs(1);
      assert.equal(sm.list()[0], "● a [enabled] active (running)");
    });
  });

  it("services blocked on a failed one start when it comes back", async () => {
    const rl = new RingLog(8192);
    let tries = 0;
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { log: rl });
      sm.add({ name: "bus", restart: "on-failure", restartMs: 1000, init: function* () { if (++tries < 3) throw new Error("no ACK"); }, tasks: function* () { yield* sleepMs(Infinity); } });
      sm.add({ name: "sensor", requires: ["bus"], tasks: function* () { yield* sleepMs(Infinity); } });
      const rep = yield* sm.boot();
      assert.deepEqual(rep.lines, ["[ FAILED ] bus: Error: no ACK", "[ SKIP ] sensor: not started, dependency bus restarting"]);
      yield* sleepMs(5000);
      assert.deepEqual(sm.list(), ["● bus [enabled] active (running), 2 restarts", "● sensor [enabled] active (running)"]);
      assert.deepEqual(lines(rl).slice(-2), ["3.000 [INFO] [services] bus started (restart 2)", "3.000 [INFO] [services] sensor started"]);
    });
  });

  it("arguments are checked before they are stored; bad stored ones are refused at boot with a reason", async () => {
    const rl = new RingLog(8192);
    const prefs = new MemoryPrefs();
    const validate = (a: unknown[]): void => {
      if (typeof a[0] !== "number" || !(a[0] >= 10)) throw new RangeError(`the period is a number of ms >= 10, got ${JSON.stringify(a[0])}`);
    };
    await vrun(function* () {
      const reg = new TaskRegistry();
      const sm = new ServiceManager(reg, { prefs, log: rl });
      sm.add({ name: "env", args: [5000], validate, tasks: function* () { yield* sleepMs(Infinity); } });
      yield* sm.boot();
      assert.throws(() => sm.setArgs("env", ["abc"]), /^RangeError: env: arguments \["abc"\] refused: the period is a number of ms >= 10, got "abc"$/);
      assert.deepEqual(sm.get("env")!.args, [5000]);
      assert.equal(getJSON(prefs, "svc", "env"), undefined, "nothing stored");
      assert.throws(() => reg.restart("env", [1]), /got 1/);
      assert.equal(reg.get("env")!.state, "running", "the refused restart left it running");
      sm.setArgs("env", [2000]);
      assert.deepEqual(getJSON(prefs, "svc", "env"), { enabled: true, args: [2000] });
    });
    prefs.set("svc", "env", JSON.stringify({ enabled: true, args: ["abc"] })); // written by an older firmware
    await vrun(function* () {
      const sm = new ServiceManager(new TaskRegistry(), { prefs, log: rl });
      sm.add({ name: "env", args: [5000], validate, tasks: function* () { yield* sleepMs(Infinity); } });
      assert.deepEqual(sm.get("env")!.args, [5000]);
      assert.equal(lines(rl).slice(-1)[0], '0.000 [WARN] [services] env: stored arguments ["abc"] refused (the period is a number of ms >= 10, got "abc"); using the defaults');
    });
  });
});

describe("MemoryPrefs", () => {
  it("round-trips values by domain and refuses what Moddable's Preference cannot store", () => {
    const p = new MemoryPrefs();
    p.set("svc", "a", true);
    p.set("svc", "b", 42);
    p.set("svc", "c", "text");
    p.set("other", "a", new Uint8Array([1, 2, 3]).buffer);
    assert.equal(p.get("svc", "a"), true);
    assert.equal(p.get("svc", "b"), 42);
    assert.equal(p.get("svc", "c"), "text");
    assert.deepEqual([...new Uint8Array(p.get("other", "a") as ArrayBuffer)], [1, 2, 3]);
    assert.deepEqual(p.keys("svc"), ["a", "b", "c"]);
    p.delete("svc", "b");
    assert.equal(p.get("svc", "b"), undefined);
    assert.deepEqual(p.keys("none"), []);
    assert.throws(() => p.set("svc", "x", 1.5), TypeError);
    assert.throws(() => p.set("svc", "x", {} as unknown as string), TypeError);
  });
});
