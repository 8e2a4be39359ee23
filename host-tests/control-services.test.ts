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
      assert.equal(st[4], "    Traceback:");
      assert.equal(st[5], "      RangeError: no sensor on the bus");
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
      yield* sm.start("net");
      yield* sm.start("mqtt");
      yield* sleepMs(1);
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
      assert.equal(st[2], "    Active: failed (task failed: Error: lost link)");
      assert.ok(st.indexOf("      task flaky:") > 0);
      assert.ok(st.indexOf("      Error: lost link") > 0);
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
