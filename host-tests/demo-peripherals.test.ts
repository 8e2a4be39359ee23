import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { app, type Demo } from "../examples/demo/app";
import { demoBoards } from "../examples/demo/board";
import { simAppConfig } from "../examples/demo/sim-config";
import { MemoryPrefs } from "../firmware/control/prefs";
import { sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { EdgeClock, addStimulusCommands, createSimBoard, type SimBoard } from "../sim/board";

interface Rig {
  sim: SimBoard;
  demo: Demo;
  printed: string[];
  ask(line: string, waitMs?: number): Gen<string>;
  lines(re: RegExp): string[];
}

/** The demo on the demo's own simulated board (every part: dial, knob, GPS, LCD, touch pad). */
function* start(): Gen<Rig> {
  const sim = createSimBoard(new EdgeClock(), demoBoards.sim);
  const printed: string[] = [];
  let demo: Demo | null = null;
  spawn("app", app, simAppConfig(sim, {
    prefs: new MemoryPrefs(),
    print: (l) => printed.push(l),
    onReady: (d) => {
      demo = d;
      addStimulusCommands(d.console!, sim);
    },
  }));
  yield* sleepMs(0);
  if (demo === null) throw new Error("the demo did not start");
  const con = sim.port(0)!;
  return {
    sim, demo, printed,
    *ask(line: string, waitMs = 300): Gen<string> {
      con.peer.clearReceived();
      con.peer.send(line + "\n");
      yield* sleepMs(waitMs);
      return con.peer.receivedText();
    },
    lines: (re) => printed.filter((l) => re.test(l)),
  };
}

describe("demo on its simulated board: dial, knob, GPS, LCD, touch pad", () => {
  it("boots ten services; the GPS logs its fix and sets the clock, the LCD shows the reading and the GPS time", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(2500);
      assert.deepEqual(r.lines(/\[services\]|ready:/), [
        "0.000 [INFO] [services] led started", "0.000 [INFO] [services] buttons started", "0.000 [INFO] [services] ir started",
        "0.000 [INFO] [services] env started", "0.000 [INFO] [services] modem started", "0.000 [INFO] [services] dial started",
        "0.000 [INFO] [services] knob started", "0.000 [INFO] [services] gps started", "0.000 [INFO] [services] lcd started",
        "0.000 [INFO] [services] touch started", "0.000 [INFO] [demo] ready: 10 of 10 services running",
      ]);
      assert.deepEqual(r.lines(/\[gps\]/), [
        "1.083 [INFO] [gps] GPS fix: 51.50070 N 0.12460 W, 2026-12-06 12:00:01 UTC",
        "1.083 [INFO] [gps] clock set from GPS: 2026-12-06 12:00:01 UTC",
      ]);
      // the LCD refreshes every second: at 2 s it showed the GPS time set at 1.083 s plus 0.917 s
      assert.deepEqual(r.sim.lcd.screen(), ["20.0°C 50%RH    ", "12:00:01 UTC    "]);
      assert.equal(yield* r.ask("lcd"), "|20.0°C 50%RH    |\n|12:00:01 UTC    |\n");
    });
  });

  it("GPS: a lost fix is logged once and a new one sets the clock again; corrupted sentences are counted, never thrown", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(2500);
      assert.equal(yield* r.ask("gps corrupt 3"), "sim: GPS corrupts its next 3 sentences\n");
      yield* sleepMs(2000);
      assert.equal(yield* r.ask("gps nofix"), "sim: GPS has no fix\n");
      yield* sleepMs(5000);
      assert.equal(yield* r.ask("gps fix"), "sim: GPS has a fix\n");
      yield* sleepMs(2000);
      assert.deepEqual(r.lines(/\[gps\]/).slice(2), [
        "5.050 [WARN] [gps] GPS fix lost (last 51.50070 N 0.12460 W): waiting for a new one",
        "11.083 [INFO] [gps] GPS fix: 51.50070 N 0.12460 W, 2026-12-06 12:00:11 UTC",
        "11.083 [INFO] [gps] clock set from GPS: 2026-12-06 12:00:11 UTC",
      ]);
      const s = r.demo.stats.snapshot();
      assert.equal(s["gps"]!["badChecksum"], 3);
      assert.deepEqual([s["panel"]!["gpsFixes"], s["panel"]!["gpsLost"], s["panel"]!["clockSets"]], [2, 1, 2]);
      assert.equal(r.sim.lcd.screen()[1], "12:00:11 UTC    "); // refreshed at 12.06 s: 12:00:11 + 0.977 s
      assert.equal(r.demo.services.get("gps")!.failures, 0);
    });
  });

  it("knob: 200 encoder steps (50 detents) with contact bounce move the env period from 5000 to 10000 ms; back 80 steps: 8000", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      r.sim.encoder.bounce = 3;
      assert.equal(yield* r.ask("turn 200", 1000), "sim: encoder turned 200 steps\n");
      assert.equal(r.demo.env.periodMs, 10000);
      assert.equal(yield* r.ask("turn -80", 1000), "sim: encoder turned -80 steps\n");
      assert.equal(r.demo.env.periodMs, 8000);
      const periods = r.lines(/\[knob\]/).map((l) => / -> (\d+) ms/.exec(l)![1]);
      assert.equal(periods[periods.length - 1], "8000");
      const enc = r.demo.stats.snapshot()["encoder"]!;
      // 280 steps, and the bounce: 3 glitches after each of the 140 A edges, each a step there and back
      assert.deepEqual([enc["position"], enc["steps"], enc["invalid"]], [30, 280 + 140 * 3 * 2, 0]);
      // the env samples on the new period: the last two readings are 8000 ms apart
      yield* sleepMs(20000);
      const at = r.lines(/\[env\] \d+\.\d\d °C/).map((l) => Number(l.split(" ")[0]));
      assert.equal(Math.round((at[at.length - 1]! - at[at.length - 2]!) * 1000), 8000);
    });
  });

  it("dial: a ramp out of the band sets fast blink, noise within the hysteresis never crosses, back inside sets the LED on", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      r.sim.analog.ramp(26, 2048, 4095, 2000);
      yield* sleepMs(3000);
      r.sim.analog.set(26, 3050); // in the upper hysteresis zone, with ±40 of noise: no crossing either way
      r.sim.analog.noise(26, 40, 9);
      yield* sleepMs(5000);
      assert.equal(yield* r.ask("dial 2000"), "sim: analog pin 26 converts to 2000\n");
      yield* sleepMs(500);
      assert.deepEqual(r.lines(/\[led\]/), [
        "2.100 [INFO] [led] LED off -> fast blink (dial 3174 above 1000..3000)",
        "9.100 [INFO] [led] LED fast blink -> on (dial 2005 back in 1000..3000)",
      ]);
      assert.equal(r.demo.panel.dialCrossings, 2);
    });
  });

  it("LCD: bus NACKs are counted and the rows are rewritten at the next refresh; the touch pad acts as the button", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(2500);
      r.sim.lcd.nackNext(2);
      r.sim.htu.temperature = 23.45;
      assert.equal(yield* r.ask("sample", 200), "job #1 started\n");
      yield* sleepMs(3000);
      assert.deepEqual(r.lines(/\[lcd\]/), [
        "3.060 [WARN] [lcd] LCD update failed: Error: write failed: no ACK from 0x27 (retried every 1000 ms)",
        "5.060 [INFO] [lcd] LCD updates again",
      ]);
      assert.deepEqual(r.sim.lcd.screen(), ["23.4°C 50%RH    ", "12:00:04 UTC    "]); // refreshed at 5.06 s
      assert.equal(r.demo.stats.snapshot()["lcd"]!["nacks"], 2);
      assert.equal(yield* r.ask("touch", 1000), "sim: touch pad 6 tapped\n");
      assert.equal(yield* r.ask("touch double", 1000), "sim: touch pad 6 tapped twice\n");
      assert.deepEqual(r.lines(/\[led\]/), [
        "6.120 [INFO] [led] LED off -> on (touch)", // touched at 5.701, seen at the 5.720 reading: a click once the double-click window closed
        "6.960 [INFO] [led] LED on -> fast blink (touch double)", // the second touch at 6.951, seen at 6.960
      ]);
      assert.match((yield* r.ask("stats")), /^panel dialCrossings=0 knobChanges=0 gpsFixes=1 gpsLost=0 clockSets=1 lcdUpdates=\d+ lcdFailures=2 touches=2$/m);
    });
  });
});
