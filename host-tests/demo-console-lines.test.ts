// Console lines are whole or refused (issue 24): an over-long line on the serial path is refused whole
// (none of it runs) and reading resumes at the next line end; a command refuses words it does not take;
// service and task arguments are plain JSON with finite numbers, and `args NAME default` resets them.
import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { sleepMs } from "../firmware/sched/index";
import { startDemo } from "./lib/demo-rig";

describe("demo console: lines are whole or refused", () => {
  it("`led off`, 300 spaces and x is refused as too long and leaves the LED as it was; the next line runs", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      const mode = r.demo.led.mode;
      assert.equal(yield* r.ask(`led off${" ".repeat(300)}x`), "error: line too long (308 bytes, max 256)\n");
      assert.equal(r.demo.led.mode, mode);
      assert.equal(yield* r.ask("led fast"), "LED fast blink\n");
    });
  });

  it("a 5 KB line is refused in one answer; the line after it in the same burst is answered as itself", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      r.con.peer.clearReceived();
      // paced at the line rate: 5 KB takes about 450 ms at 115200 baud
      r.con.peer.send("A".repeat(5000) + "\nled on\n");
      yield* sleepMs(1500);
      assert.equal(r.con.peer.receivedText(), "error: line too long (5000 bytes, max 256)\nLED on\n");
      assert.equal(r.demo.console!.errors, 1);
    });
  });

  it("a line of 256 bytes (the most) runs; multi-byte characters count in bytes", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      assert.equal(yield* r.ask(`led on${" ".repeat(250)}`), "LED on\n");
      assert.equal(yield* r.ask(`at ${"é".repeat(127)}`), "error: line too long (257 bytes, max 256)\n");
    });
  });

  it("extra words are refused, not ignored: led slow bogus, status now, service stop env now, log cat x", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      const mode = r.demo.led.mode;
      assert.equal(yield* r.ask("led slow bogus"), "error: too many arguments (led takes at most 1); usage: led [off|on|slow|fast]\n");
      assert.equal(r.demo.led.mode, mode);
      assert.equal(yield* r.ask("status now"), "error: too many arguments (status takes none); usage: status\n");
      assert.equal(yield* r.ask("service stop env now"), "error: too many arguments (service takes at most 2); usage: service status|enable|disable|start|stop|restart NAME\n");
      assert.ok(r.demo.services.get("env")!.running);
      assert.equal(yield* r.ask("log cat x"), "error: too many arguments; usage: log cat | log grep REGEXP | log tail [N] | log follow | log stats\n");
      assert.equal(yield* r.ask("trace stop now"), "error: too many arguments; usage: trace start [RECORDS] [STALL_MS] | trace stop | trace dump | trace stats\n");
      assert.equal(yield* r.ask("ir 0x45 0x46"), "error: usage: ir CODE | ir hold CODE N\n");
      assert.equal(yield* r.ask("modem ok now"), "error: usage: modem silent|ok|noise N\n");
      assert.equal(yield* r.ask("press twice"), "error: too many arguments (press takes none); usage: press\n");
    });
  });
});

describe("demo console: arguments by type and range", () => {
  it("args env [1e400] is refused (not stored as null); args env [] says how to reset; args env default resets", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      assert.equal(yield* r.ask("args env [1e400]"), "error: arguments refused: numbers must be finite, got Infinity (out of range?)\n");
      assert.equal(yield* r.ask("args env [1e12]"), "error: env: arguments [1000000000000] refused: env: the period is a number of ms from 10 to 86400000, got 1000000000000\n");
      assert.equal(yield* r.ask("args env []"), "error: env: arguments [] refused: env: no arguments given (args env default goes back to the defaults)\n");
      assert.equal(yield* r.ask("args env [2000, 1]"), "error: env: arguments [2000,1] refused: env: takes at most 1 argument, got 2\n");
      assert.equal(yield* r.ask("args env [2000]"), "env args [2000] (stored; restart the service to use them)\n");
      assert.equal(yield* r.ask("args env default"), "env args [5000] (stored; restart the service to use them)\n");
      assert.equal(yield* r.ask("args led [1]"), "error: led: takes no arguments\n");
      assert.equal(yield* r.ask("args led []"), "led args [] (stored; restart the service to use them)\n");
      assert.equal(yield* r.ask("restart env [1e400]"), "error: arguments refused: numbers must be finite, got Infinity (out of range?)\n");
      assert.ok(r.demo.services.get("env")!.running);
    });
  });

  it("restart printer [] is refused: its arguments (the ring log, the print function) are not JSON; the log keeps printing", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      assert.equal(yield* r.ask("restart printer []"), "error: printer's arguments cannot be set from the console (they are not JSON data); restart printer without arguments\n");
      const from = r.printed.length;
      assert.equal(yield* r.ask("led fast"), "LED fast blink\n");
      assert.ok(r.printed.slice(from).some((l) => /\[led\] LED \w+ -> fast blink \(console\)$/.test(l)), r.printed.slice(from).join("\n"));
      assert.equal(yield* r.ask("restart printer"), "printer restarted\n");
    });
  });
});
