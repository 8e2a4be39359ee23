// The demo console under input it cannot keep up with, and console manners (issue 14): nothing typed is
// lost silently, and the bytes around a lost stretch never join into one command.
import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { startDemo } from "./lib/demo-rig";
import { sleepMs } from "../firmware/sched/index";
import type { UartLineIO } from "../examples/demo/parts/console-io";

const HELP_LED = "led [off|on|slow|fast]: show or set the LED mode";

describe("demo console: input faster than it is answered", () => {
  it("500 unpaced `help led` lines: every answer is the help line or an overrun report; nothing is glued; the byte counts add up", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      r.con.peer.clearReceived();
      let text = "";
      for (let i = 0; i < 500; i++) text += "help led\n";
      r.con.peer.send(text);
      yield* sleepMs(20000);
      r.con.peer.send("status\n");
      yield* sleepMs(1000);
      const lines = r.con.peer.receivedText().split("\n").filter((l) => l !== "");
      const io = r.demo.console!.io as UartLineIO;
      let answered = 0;
      let reported = 0;
      for (const l of lines.slice(0, -6)) {
        const m = /^input overrun: (\d+) bytes dropped$/.exec(l);
        if (m !== null) reported += Number(m[1]);
        else {
          assert.equal(l, HELP_LED);
          answered++;
        }
      }
      assert.ok(io.overruns > 0, "the unpaced paste overran the receive buffer");
      assert.equal(reported, io.overrunBytes, lines.slice(-12).join("\n"));
      // every byte sent is in an answered line, a dropped stretch, or a line cut by a gap
      assert.ok(answered * 9 + reported <= 500 * 9, `${answered} answers, ${reported} bytes dropped`);
      assert.ok(answered >= 500 - reported / 9 - 2 * io.overruns, `${answered} answers, ${reported} bytes dropped in ${io.overruns} overruns`);
      // the next command typed after the burst is answered as itself, not glued to a leftover
      assert.match(lines[lines.length - 6]!, /^up /);
      assert.equal(r.demo.console!.errors, 0);
    });
  });
});

describe("demo console: manners", () => {
  it("led on after stop led is refused and says how to bring the LED back; ps -v shows no [object Object]; errors carry no class names", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      assert.equal(yield* r.ask("stop led"), "led stopped\n");
      const n = r.demo.led.changesCount;
      assert.equal(yield* r.ask("led on"), "error: the LED task is not running, nothing would show it (service start led, or start led)\n");
      assert.equal(r.demo.led.changesCount, n);
      assert.equal(yield* r.ask("start led"), "led started\n");
      assert.equal(yield* r.ask("led on"), "LED on\n");
      const ps = yield* r.ask("ps -v printer");
      assert.match(ps, /^● printer: running since t\+0\.000s; [\d.]+ m?s ago\n {4}┗━► args: \[\[object\],\[function\]\]\n/);
      assert.ok(!ps.includes("[object Object]"));
      assert.equal(yield* r.ask("help nope"), 'error: no command "nope"\n');
      assert.equal(yield* r.ask("log tail 0"), `(no lines asked for; the log keeps ${r.demo.log.length} records)\n`);
    });
  });
});

describe("simulator: overlapping stimuli are queued as the physical world serialises them", () => {
  it("six ir 0x47 typed at once are six keys, no bad frame; six press are six clicks, each after the previous one", async () => {
    await vrun(function* () {
      const r = yield* startDemo();
      r.con.peer.clearReceived();
      r.con.peer.send("ir 0x47\n".repeat(6));
      yield* sleepMs(1500);
      const answers = r.con.peer.receivedText().split("\n").filter((l) => l !== "");
      assert.equal(answers.length, 6);
      assert.equal(answers[0], "sim: IR frame address 0x00 command 0x47 on pin 15");
      for (let i = 1; i < 6; i++) assert.match(answers[i]!, /^sim: IR frame address 0x00 command 0x47 on pin 15 \(queued: starts in \d+ ms, after the previous one\)$/);
      assert.equal(r.demo.ir.keys, 6);
      assert.equal(r.demo.ir.errors, 0);
      assert.equal(r.printed.filter((l) => / \[ir\] key 0x47 \(address 0x00\)$/.test(l)).length, 6);

      const from = r.printed.length;
      r.con.peer.send("press\n".repeat(6));
      yield* sleepMs(6 * 450 + 1000);
      assert.equal(r.printed.slice(from).filter((l) => / \[button\] click$/.test(l)).length, 6);
      assert.equal(r.printed.slice(from).filter((l) => /double click/.test(l)).length, 0);
      // six toggles from slow blink: off, on, off, on, off, on
      assert.equal(r.demo.led.mode, "on");
    });
  });
});
