// No console input can stall the firmware (issue 14): `log grep` matches in linear time, long scans of
// the log yield as they go and give up at a budget, and a command that does not yield is reported by
// the stall detector. Also the console's manners: errors without class names, `log tail 0`.
import { assert } from "./lib/assert";
import { vrun, Log } from "./helpers";
import { sleepMs, spawn, now, type Gen } from "../firmware/sched/index";
import { MemoryLineIO, Profiler, RingLog, createConsole, type Console } from "../firmware/control/index";
import { LinearRegExp, PatternError } from "../firmware/control/linear-regexp";
import { scanLog } from "../firmware/control/commands/log";

describe("LinearRegExp", () => {
  it("agrees with RegExp on the supported syntax", () => {
    const cases: [string, string][] = [
      ["^led", "led on"], ["^led", "a led"], ["on$", "led on"], ["\\bon\\b", "led on"], ["\\bon\\b", "led onx"],
      ["[a-c]+d", "xxbbbd"], ["[^a-c]d", "ad"], ["a{2,3}", "caab"], ["a{2,3}", "cab"], ["x|y", "zzy"], ["ab|cd|ef|gh", "xxefx"], ["ab|cd|ef|gh", "xxeg"], ["(a|)b", "b"],
      ["\\d+ ms", "took 12 ms"], ["(a|b)*c", "ababac"], ["", "anything"], ["a?", ""], ["\\[INFO\\]", "1.0 [INFO] [led]"],
      ["colou?r", "color"], ["(?:ab)+$", "xabab"], ["\\s\\S\\w\\W", "a b!?"], ["[\\d.]+", "v1.2"],
      ["\\u0041\\x42", "zAB"], ["a.c", "a\nc"], ["LED (on|off) -> ", "0.1 [INFO] [led] LED off -> on"],
    ];
    for (const [p, s] of cases) assert.equal(new LinearRegExp(p).test(s), new RegExp(p).test(s), `${p} on ${JSON.stringify(s)}`);
  });

  it("answers a catastrophic pattern at once (linear time: a step count, not a stopwatch)", () => {
    const re = new LinearRegExp("(.*.*)*X");
    assert.ok(re.size < 20, `${re.size} instructions`);
    assert.equal(re.test("y".repeat(5000)), false);
    assert.equal(re.test("y".repeat(5000) + "X"), true);
    // (XS's own RegExp never returns from this pattern, even on "aaXb": it is not compared with RegExp above)
    assert.equal(re.test("aaXb"), true);
  });

  it("refuses what it cannot do in linear time, with the reason", () => {
    const refused: [string, string][] = [
      ["(a)\\1", "backreferences are not supported"],
      ["(?=a)b", "lookahead and lookbehind are not supported"],
      ["(a", 'missing ")"'],
      ["[a", 'missing "]"'],
      ["a{3,1}", "bad repeat {3,1}: the maximum is below the minimum"],
      ["(((((((((x)))))))))", "groups nested deeper than 8"],
      ["a**", 'nothing to repeat before "*"'],
      ["(abcdefghij){100}", "pattern too large (more than 400 steps)"],
    ];
    for (const [p, msg] of refused) {
      assert.throws(() => new LinearRegExp(p), (e: unknown) => e instanceof PatternError && e instanceof SyntaxError && e.message === msg, p);
    }
  });
});

describe("console: bounded commands", () => {
  function* rig(profiler?: Profiler): Gen<{ io: MemoryLineIO; log: RingLog; con: Console; ask(line: string): Gen<string> }> {
    const io = new MemoryLineIO();
    const log = new RingLog(8192, { clock: () => 0 });
    const con = createConsole(io, { log, ...(profiler !== undefined ? { profiler } : {}) });
    spawn("console", con.run);
    for (let i = 0; i < 100; i++) log.info(`record ${i} ${"y".repeat(40)}`, "app");
    yield* sleepMs(1);
    io.take();
    return {
      io, log, con,
      *ask(line: string): Gen<string> {
        io.feed(line + "\n");
        yield* sleepMs(1);
        return io.take();
      },
    };
  }

  it("log grep (.*.*)*X on a full log answers, and a catastrophic pattern that matches finds its lines", async () => {
    await vrun(function* () {
      const r = yield* rig();
      assert.equal(yield* r.ask("log grep (.*.*)*X"), "(no match)\n");
      r.log.info("an X marks it", "app");
      assert.equal(yield* r.ask("log grep (.*.*)*X"), "0.000 [INFO] [app] an X marks it\n");
      assert.equal(yield* r.ask("log grep record 9[89]"), "0.000 [INFO] [app] record 98 " + "y".repeat(40) + "\n0.000 [INFO] [app] record 99 " + "y".repeat(40) + "\n");
      assert.equal(yield* r.ask("log grep (?!x)"), "error: log grep: lookahead and lookbehind are not supported\n");
    });
  });

  it("a long scan yields every slice and stops at its budget, saying how far it got", async () => {
    const log = new Log();
    await vrun(function* () {
      const rl = new RingLog(8192, { clock: () => 0 });
      for (let i = 0; i < 100; i++) rl.info(`record ${i}`, "app");
      let t = 0;
      const clock = (): number => (t += 1); // every record costs 1 ms
      const other = spawn(function* (): Gen<void> {
        for (;;) {
          log.plain(`other ran at t=${t}`);
          yield* sleepMs(0);
        }
      });
      const lines = yield* scanLog(rl, (l) => l.endsWith("7"), Infinity, { clock, sliceMs: 20, budgetMs: 50 });
      other.cancel();
      assert.deepEqual(lines, [
        "0.000 [INFO] [app] record 7",
        "0.000 [INFO] [app] record 17",
        "0.000 [INFO] [app] record 27",
        "0.000 [INFO] [app] record 37",
        "0.000 [INFO] [app] record 47",
        "(stopped after 50 ms: searched 49 of 100 records)",
      ]);
      assert.ok(now() >= 0);
    });
    // the other task ran between the slices: after each 20 ms slice
    assert.deepEqual(log.items, ["other ran at t=21", "other ran at t=42"]);
  });

  it("grep yields inside a long line too (one line took 194 ms on a Pico), and its budget cuts the line short", async () => {
    const log = new Log();
    await vrun(function* () {
      const rl = new RingLog(8192, { clock: () => 0 });
      rl.info("a".repeat(200), "app");
      rl.info("an X at the end", "app");
      let t = 0;
      const clock = (): number => (t += 1); // every clock read: 1 ms (four characters matched between reads)
      const other = spawn(function* (): Gen<void> {
        for (;;) {
          log.plain(`other ran at t=${t}`);
          yield* sleepMs(0);
        }
      });
      // ([X], a class: with a plain X the line of a's, which has none, would be skipped at once by one indexOf)
      const re = new LinearRegExp("(.*.*)*[X]");
      assert.deepEqual(yield* scanLog(rl, re, Infinity, { clock, sliceMs: 10, budgetMs: 1000 }), ["0.000 [INFO] [app] an X at the end"]);
      const cut = yield* scanLog(rl, re, Infinity, { clock, sliceMs: 10, budgetMs: 30 });
      other.cancel();
      assert.deepEqual(cut, ["(stopped after 30 ms: searched 0 of 2 records and part of the next)"]);
      assert.ok(log.items.length >= 6, `the other task ran ${log.items.length} times during the first line`);
      assert.equal(log.items[0], "other ran at t=11");
    });
  });

  it("log tail 0 answers that nothing was asked for, not that the log is empty", async () => {
    await vrun(function* () {
      const r = yield* rig();
      assert.equal(yield* r.ask("log tail 0"), "(no lines asked for; the log keeps 100 records)\n");
      assert.equal(yield* r.ask("log tail 1"), "0.000 [INFO] [app] record 99 " + "y".repeat(40) + "\n");
    });
  });

  it("a command that runs without yielding is reported by the stall detector", async () => {
    await vrun(function* () {
      let t = 0;
      const stalls: string[] = [];
      const profiler = new Profiler({ stallMs: 100, clock: () => t, onStall: (name, ms) => stalls.push(`${name} ${ms}`) });
      const r = yield* rig(profiler);
      const con = r.con;
      con.register("busy", "busy: works 250 ms in one go", () => {
        t += 250;
        return "done";
      });
      con.register("gbusy", "gbusy: a generator that works 150 ms in one step", function* (): Gen<string> {
        t += 150;
        yield* sleepMs(0);
        return "done";
      });
      assert.equal(yield* r.ask("busy"), "done\n");
      assert.equal(yield* r.ask("gbusy"), "done\n");
      assert.deepEqual(stalls, ["console/busy 250", "console/gbusy 150"]);
    });
  });
  it("log follow on a console that already shows the log says so instead of printing each record twice", async () => {
    await vrun(function* () {
      const io = new MemoryLineIO();
      const log = new RingLog(1024, { clock: () => 0 });
      spawn("console", createConsole(io, { log, logOnConsole: true }).run);
      yield* sleepMs(1);
      io.feed("log follow\n");
      yield* sleepMs(1);
      log.info("one record", "app");
      yield* sleepMs(1);
      assert.equal(io.take(), "the log already prints here as it is written (log follow is for a console on its own port)\n");
    });
  });
});
