import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";
import {
  Jobs, MemoryLineIO, Profiler, RingLog, ServiceManager, TaskRegistry, MemoryPrefs, createConsole, instrumentationMemory,
  type Console, type ControlParts,
} from "../firmware/control/index";

function* blink(ms: number): Gen<void> {
  for (;;) yield* sleepMs(ms);
}

interface Rig {
  io: MemoryLineIO;
  con: Console;
  reg: TaskRegistry;
  log: RingLog;
  jobs: Jobs;
  task: Task;
  /** Feed a line, let the console answer, return what it wrote. */
  ask(line: string): Gen<string>;
}

function* rig(extra: Partial<ControlParts> = {}): Gen<Rig> {
  const io = new MemoryLineIO();
  const log = new RingLog(2048, { clock: () => 0 });
  const prof = new Profiler({ log });
  const reg = new TaskRegistry({ profiler: prof, log });
  const jobs = new Jobs();
  const services = new ServiceManager(reg, { prefs: new MemoryPrefs(), log });
  services.add({ name: "net", description: "network", tasks: blink, args: [1000] });
  services.add({ name: "mqtt", requires: ["net"], tasks: blink, args: [500] });
  const con = createConsole(io, { registry: reg, log, services, jobs, profiler: prof, ...extra });
  const task = spawn("console", con.run);
  yield* services.boot();
  reg.add("blink", blink, 100);
  log.info("hello world", "app");
  log.warn("low battery", "power");
  yield* sleepMs(1);
  io.take();
  return {
    io, con, reg, log, jobs, task,
    *ask(line: string): Gen<string> {
      io.feed(line + "\n");
      yield* sleepMs(1);
      return io.take();
    },
  };
}

describe("Console", () => {
  it("answers every built-in command", async () => {
    await vrun(function* () {
      const r = yield* rig();
      const help = yield* r.ask("help");
      for (const c of ["eval", "help", "jobs", "log", "mem", "ps", "restart", "service", "services", "start", "stop", "tasks", "top"]) {
        assert.match(help, new RegExp(`^${c}\\b`, "m"));
      }
      assert.equal(yield* r.ask("help stop"), "stop NAME: cancel a task\n");
      assert.equal(yield* r.ask("ps"), [
        "● net: running since t+0.000s; 3 ms ago",
        "● mqtt: running since t+0.000s; 3 ms ago",
        "● blink: running since t+0.000s; 3 ms ago",
        "",
      ].join("\n"));
      assert.equal(yield* r.ask("tasks blink"), [
        "● blink: running since t+0.000s; 4 ms ago",
        "    ┗━► args: [100]",
        "    ┗━► runtime: 4 ms; starts: 1",
        "    ┗━► profile: 1 resumes, 0 ms run, max step 0 ms, 0 stalls",
        "",
      ].join("\n"));
      assert.equal(yield* r.ask("stop blink"), "blink stopped\n");
      assert.equal(r.reg.get("blink")!.state, "cancelled");
      assert.equal(yield* r.ask("start blink"), "blink started\n");
      assert.equal(yield* r.ask("restart blink [250]"), "blink restarted\n");
      assert.deepEqual(r.reg.get("blink")!.args, [250]);
      assert.equal(yield* r.ask("restart blink"), "blink restarted\n");
      assert.equal(yield* r.ask("log cat"), [
        "0.000 [INFO] [services] net started",
        "0.000 [INFO] [services] mqtt started",
        "0.000 [INFO] [app] hello world",
        "0.000 [WARN] [power] low battery",
        "",
      ].join("\n"));
      assert.equal(yield* r.ask("log grep batt"), "0.000 [WARN] [power] low battery\n");
      assert.equal(yield* r.ask("log grep ^nothing"), "(no match)\n");
      assert.equal(yield* r.ask("log tail 1"), "0.000 [WARN] [power] low battery\n");
      assert.match(yield* r.ask("log stats"), /^4 records, \d+\/2048 bytes, 0 dropped, 0 truncated\n$/);
      assert.equal(yield* r.ask("services"), "● net - network [enabled] active (running)\n● mqtt [enabled] active (running)\n");
      assert.match(yield* r.ask("service status mqtt"), /^● mqtt\n    Loaded: enabled\n    Active: active \(running\) since t\+0\.000s; \d+ ms ago\n    Requires: net\n/);
      assert.equal(yield* r.ask("service disable mqtt"), "mqtt disabled\n");
      assert.equal(yield* r.ask("service stop net"), "stopped: mqtt, net\n");
      assert.equal(yield* r.ask("service start net"), "net started\n");
      assert.equal(yield* r.ask("service enable mqtt"), "mqtt enabled\n");
      assert.equal(yield* r.ask("service start mqtt"), "mqtt started\n");
      assert.equal(yield* r.ask("jobs"), "(no jobs)\n");
      r.jobs.bg("blink", blink, 10);
      assert.match(yield* r.ask("jobs"), /^#1 job1:blink running \d+ ms\n$/);
      assert.equal(yield* r.ask("jobs cancel 1"), "#1 cancelled\n");
      assert.equal(yield* r.ask("mem"), "mem: not available on this platform\n");
      assert.match(yield* r.ask("top"), /^TASK +RESUMES +RUN ms +MAX ms +STALLS\n/);
      assert.equal(yield* r.ask("eval 1 + 2"), "error: eval is disabled (the firmware enables it with new Console(io, { allowEval: true }))\n");
      assert.equal(yield* r.ask(""), "");
      assert.equal(yield* r.ask("   "), "");
      assert.equal(r.task.done, false);
    });
  });

  it("log follow prints new records until the next input line", async () => {
    await vrun(function* () {
      const r = yield* rig();
      r.io.feed("log follow\n");
      yield* sleepMs(1);
      r.log.info("first", "x");
      yield* sleepMs(10);
      r.log.error("second", "y");
      yield* sleepMs(1);
      r.io.feed("\n");
      yield* sleepMs(1);
      r.log.info("not shown", "x");
      yield* sleepMs(1);
      assert.equal(r.io.take(), [
        "following the log; press Enter to stop",
        "0.000 [INFO] [x] first",
        "0.000 [ERROR] [y] second",
        "(follow stopped)",
        "",
      ].join("\n"));
      assert.equal(r.log.waiters.length, 0);
      assert.equal(yield* r.ask("help ps"), "ps [-v] [NAME...]: the tasks and their state (-v or names: details)\n");
    });
  });

  it("unknown commands, bad arguments and failing commands get a clear error", async () => {
    await vrun(function* () {
      const r = yield* rig();
      r.con.register("boom", "boom: fails", () => {
        throw new RangeError("kaboom");
      });
      r.con.register("slow", "slow: async command", async () => {
        await sleepMs(5);
        return ["a", "b"];
      });
      const cases: [string, string][] = [
        ["frobnicate", 'error: unknown command "frobnicate" (try help)'],
        ["stop", "error: usage: stop NAME"],
        ["stop nothing", 'error: no task named "nothing"'],
        ["start blink", "error: task blink is already running"],
        ["restart blink [1,", "error: arguments are not valid JSON: [1,"],
        ["restart blink {}", "error: arguments are a JSON array, e.g. [2000]"],
        ["log", "error: usage: log cat | log grep REGEXP | log tail [N] | log follow | log stats"],
        ["log tail x", "error: usage: log tail [N] (N a whole number)"],
        ["log grep", "error: usage: log grep REGEXP"],
        ["service", "error: usage: service status|enable|disable|start|stop|restart NAME"],
        ["service frob net", "error: usage: service status|enable|disable|start|stop|restart NAME"],
        ["service status nope", 'error: no service named "nope"'],
        ["service start net", "error: service net is already active"],
        ["jobs cancel 99", "error: no job #99"],
        ["help nope", 'error: no command "nope"'],
        ["boom", "error: kaboom"],
        ["x".repeat(300), "error: line too long (300 bytes, max 256)"],
      ];
      for (const [line, want] of cases) assert.equal(yield* r.ask(line), want + "\n", line);
      assert.equal(yield* r.ask("log grep ("), 'error: log grep: missing ")"\n');
      assert.equal(yield* r.ask("log grep (a)\\1"), "error: log grep: backreferences are not supported\n");
      r.io.feed("slow\n");
      yield* sleepMs(10);
      assert.equal(r.io.take(), "a\nb\n");
      assert.equal(r.task.done, false);
    });
  });

  it("eval works only when enabled (indirect eval); mem uses an instrumentation provider", async () => {
    await vrun(function* () {
      const names = ["System Free Memory", "XS Slot Heap Used"];
      const instr = { map: (n: string) => (names.indexOf(n) >= 0 ? names.indexOf(n) + 1 : undefined), get: (i: number) => i * 1000 };
      const r = yield* rig({ allowEval: true, memory: instrumentationMemory(instr) });
      assert.equal(yield* r.ask("eval 1 + 2"), "3\n");
      assert.equal(yield* r.ask("eval typeof globalThis"), '"object"\n');
      assert.match(yield* r.ask("eval throw new TypeError('t')"), /^error: TypeError: t\n$/);
      assert.equal(yield* r.ask("mem"), "System Free Memory: 1000\nXS Slot Heap Used: 2000\n");
    });
  });

  it("survives a seeded fuzz of random lines, random bytes, partial and very long lines", async () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const words = ["help", "ps", "tasks", "stop", "start", "restart", "log", "cat", "grep", "tail", "follow", "services", "service",
      "status", "enable", "disable", "jobs", "cancel", "mem", "eval", "top", "blink", "net", "mqtt", "console", "[1,2]", "[", "{}",
      "-v", "(", "*", "999999999999", "-1", "\u00e9", "\ud83d\ude00", "\"", "\\", "null"];
    await vrun(function* () {
      const r = yield* rig();
      let lines = 0;
      for (let i = 0; i < 600; i++) {
        const kind = rnd();
        let bytes: number[];
        if (kind < 0.6) {
          const n = 1 + Math.floor(rnd() * 4);
          const text = Array.from({ length: n }, () => pick(words)).join(" ") + "\n";
          r.io.feed(text);
          lines++;
          bytes = [];
        } else if (kind < 0.8) {
          bytes = Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
        } else if (kind < 0.9) {
          bytes = Array.from({ length: 500 + Math.floor(rnd() * 2000) }, () => 32 + Math.floor(rnd() * 95));
          bytes.push(10);
        } else {
          // a partial line, completed later in pieces
          r.io.feed("lo");
          yield* sleepMs(1);
          r.io.feed("g ta");
          yield* sleepMs(1);
          r.io.feed("il 1\r\n");
          bytes = [];
        }
        if (bytes.length > 0) r.io.feedBytes(bytes);
        yield* sleepMs(1 + Math.floor(rnd() * 3));
        if (r.task.done) assert.fail(`the console ended after input ${i}: ${String(r.task.error)}`);
      }
      r.io.take();
      r.io.feed("\n"); // ends a `log follow` the fuzz may have left running
      yield* sleepMs(5);
      r.io.take();
      assert.match(yield* r.ask("help"), /^eval CODE/);
      assert.ok(r.con.lines >= lines, `${r.con.lines} lines handled, ${lines} fed as whole lines`);
      assert.ok(r.con.errors > 0);
      r.io.close();
      yield* sleepMs(1);
      assert.equal(r.task.done, true);
      assert.equal(r.task.error, undefined, "a closed stream ends the console normally");
    });
  });
});
