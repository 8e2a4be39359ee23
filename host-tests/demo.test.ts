import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { app, type Demo } from "../examples/demo/app";
import { simAppConfig } from "../examples/demo/sim-config";
import { MemoryPrefs } from "../firmware/control/prefs";
import { decodeRecord } from "../examples/demo/parts/env";
import { necFrame } from "../sim/nec";
import { sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";
import { SIM_CONSOLE_PORT, SIM_MODEM_PORT, addStimulusCommands, createSimBoard, type SimBoard } from "../sim/board";
import type { SimSerialPort } from "../sim/serial";

/** The demo app on a fresh simulated board, under virtual time, with the console on the sim console port. */
interface Rig {
  sim: SimBoard;
  demo: Demo;
  task: Task;
  /** Every printed line (the ring log as it is written). */
  printed: string[];
  console: SimSerialPort;
  /** Type a line on the console, wait `waitMs`, return what the console wrote meanwhile. */
  ask(line: string, waitMs?: number): Gen<string>;
  /** Printed lines from index `from` on, matching `re`. */
  lines(re: RegExp, from?: number): string[];
}

function* start(prefs = new MemoryPrefs()): Gen<Rig> {
  const sim = createSimBoard();
  const printed: string[] = [];
  let demo: Demo | null = null;
  const config = simAppConfig(sim, {
    prefs,
    print: (l) => printed.push(l),
    onReady: (d) => {
      demo = d;
      addStimulusCommands(d.console!, sim);
    },
  });
  const task = spawn("app", app, config);
  yield* sleepMs(0);
  if (demo === null) throw new Error("the demo did not start");
  const con = sim.port(SIM_CONSOLE_PORT)!;
  return {
    sim, demo, task, printed, console: con,
    *ask(line: string, waitMs = 300): Gen<string> {
      con.peer.clearReceived();
      con.peer.send(line + "\n");
      yield* sleepMs(waitMs);
      return con.peer.receivedText();
    },
    lines(re: RegExp, from = 0): string[] {
      return printed.slice(from).filter((l) => re.test(l));
    },
  };
}

const BOOT = [
  "0.000 [INFO] [demo] xs-async demo on sim: LED pin 25, button pin 14, IR pin 15, I2C data 4 clock 5, modem UART port 1, console UART port 0",
  "0.000 [INFO] [services] led started",
  "0.000 [INFO] [services] buttons started",
  "0.000 [INFO] [services] ir started",
  "0.000 [INFO] [services] env started",
  "0.000 [INFO] [services] modem started",
  "0.000 [INFO] [env] EEPROM at 0x50: no stored reading yet",
  "0.000 [INFO] [demo] ready: 5 of 5 services running",
  "0.066 [INFO] [env] 20.00 °C, 50.0 %RH (EEPROM record #1)",
  "0.131 [INFO] [modem] AT -> OK",
  "0.272 [INFO] [modem] AT+CSQ -> +CSQ: 23,0 | OK (signal -67 dBm)",
];

describe("demo firmware on the simulated board (virtual time)", () => {
  it("boots every service and prints what it does: a sample, the modem's answers", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.deepEqual(r.printed, BOOT);
      assert.deepEqual(r.demo.log.cat(), BOOT, "the printed lines are the ring log's");
      assert.equal(r.console.peer.receivedText(), "xs-async demo console on sim: type help\n");
    });
  });

  it("button: a click toggles the LED, a double click blinks it fast, a long press logs a status summary", async () => {
    await vrun(function* () {
      const r = yield* start();
      const led = r.sim.pin.led;
      yield* sleepMs(1000);
      const from = r.printed.length;
      r.sim.click(); // down 1001-1121 ms: a click when the double-click window closes, 400 ms after the press
      yield* sleepMs(1000);
      assert.deepEqual(r.lines(/\[(button|led)\]/, from), ["1.401 [INFO] [button] click", "1.401 [INFO] [led] LED off -> on (button click)"]);
      assert.equal(r.sim.pins.level(led), 1);
      r.sim.doubleClick(); // presses at 2001 and 2251
      yield* sleepMs(1000);
      assert.deepEqual(r.lines(/\[(button|led)\]/, from).slice(2), ["2.251 [INFO] [button] double click", "2.251 [INFO] [led] LED on -> fast blink (button double click)"]);
      const blinks = r.sim.pins.outputs(led).filter((w) => w.ms > 2251 && w.ms < 2700).map((w) => `${w.level}@${Math.round(w.ms)}`);
      assert.deepEqual(blinks, ["1@2351", "0@2451", "1@2551", "0@2651"]);
      r.sim.click(); // blinking -> off
      yield* sleepMs(1000);
      assert.deepEqual(r.lines(/\[led\]/, from).slice(2), ["3.401 [INFO] [led] LED fast blink -> off (button click)"]);
      assert.equal(r.sim.pins.level(led), 0);
      r.sim.longPress(); // held 4001-5501: long press at 5001
      yield* sleepMs(2000);
      assert.deepEqual(r.lines(/\[(button|status)\]/, from).slice(3), [
        "5.001 [INFO] [button] long press: status",
        "5.001 [INFO] [status] up 5 s; LED off (3 changes)",
        "5.001 [INFO] [status] env: 20.00 °C, 50.0 %RH 4 s ago (1 samples, 0 failed, EEPROM record #1)", // the 5 s sample is converting
        "5.001 [INFO] [status] modem: +CSQ: 23,0 | OK 4 s ago (2 commands, 0 unanswered)",
        "5.001 [INFO] [status] ir: 0 keys, 0 repeats ignored, 0 bad frames",
        "5.001 [INFO] [status] services: 5 of 5 running",
        "5.001 [INFO] [status] log: 18 records, 792 of 8192 bytes, 0 dropped",
      ]);
      assert.equal(r.demo.led.mode, "off", "a long press does not touch the LED");
    });
  });

  it("IR: mapped keys drive the LED 73 ms after the frame starts; repeats are ignored; other keys and bad frames are logged", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      const from = r.printed.length;
      r.sim.irKey(0x45); // frame from 1001 ms
      yield* sleepMs(500);
      r.sim.irKey(0x47, 3); // held: a frame and three repeats
      yield* sleepMs(500);
      r.sim.irKey(0x12, 0, 0x20);
      yield* sleepMs(500);
      r.sim.pins.pulseTrain(r.sim.pin.ir, 2600, necFrame(0, 0x44, { flipBit: 20 }), 0); // command and ~command disagree
      yield* sleepMs(500);
      const out = yield* r.ask("ir 0x44");
      assert.equal(out, "sim: IR frame address 0x00 command 0x44 on pin 15\n");
      assert.deepEqual(r.lines(/\[(ir|led)\]/, from), [
        "1.074 [INFO] [ir] key 0x45 (address 0x00)",
        "1.074 [INFO] [led] LED off -> on (IR key 0x45)",
        "1.574 [INFO] [ir] key 0x47 (address 0x00)",
        "1.574 [INFO] [led] LED on -> slow blink (IR key 0x47)",
        "2.074 [INFO] [ir] key 0x12 (address 0x20): not mapped",
        "2.673 [WARN] [ir] bad frame: BADDATA",
        "3.075 [INFO] [ir] key 0x44 (address 0x00)", // typed on the console: the line takes 0.7 ms to arrive
        "3.075 [INFO] [led] LED slow blink -> fast blink (IR key 0x44)",
      ]);
      assert.deepEqual({ ...r.demo.ir }, { keys: 4, repeats: 3, errors: 1 });
    });
  });

  it("env: a new temperature shows at the next sample; a CRC fault is logged and the next sample is fine; readings go to the EEPROM", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("temp 25.5"), "sim: HTU21D temperature set to 25.5 °C (seen at the next sample)\n");
      assert.equal(yield* r.ask("rh 40"), "sim: HTU21D humidity set to 40 %RH (seen at the next sample)\n");
      yield* sleepMs(4000); // the sample at 5 s
      assert.equal(yield* r.ask("fault crc"), "sim: the HTU21D's next reading will carry a wrong CRC\n");
      yield* sleepMs(10000); // the samples at 10 s (fails) and 15 s
      assert.deepEqual(r.lines(/\[env\]/).slice(2), [
        "5.066 [INFO] [env] 25.49 °C, 40.0 %RH (EEPROM record #2)", // 14-bit readings: 0.01 °C steps
        "10.050 [WARN] [env] sample failed: CrcError: HTU21D: CRC mismatch: data 0x6964 has CRC 0xe9, chip sent 0x16",
        "15.066 [INFO] [env] 25.49 °C, 40.0 %RH (EEPROM record #3)",
      ]);
      assert.deepEqual(decodeRecord(Uint8Array.from(r.sim.eeprom.peek(0, 8))), { seq: 3, celsius: 25.49, rh: 40 });
      const i2c = yield* r.ask("i2c");
      assert.match(i2c, /^ {2}htu21d: \d+ uses/m);
      assert.match(i2c, /^ {2}eeprom: 4 uses/m, "one read-back at start, one write per stored reading");
      assert.equal(r.sim.bus.violations.length, 0);
    });
  });

  it("stimulus commands: press, ir hold, fault nack and fault busy each say what they did; the demo recovers", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("press", 1000), "sim: button pin 14 pressed for 120 ms (a click is reported when the double-click window closes)\n");
      assert.equal(r.demo.led.mode, "on");
      assert.equal(yield* r.ask("ir hold 0x46 2", 1000), "sim: IR key 0x46 held: a frame and 2 repeat codes on pin 15\n");
      assert.equal(r.demo.led.mode, "off");
      assert.deepEqual({ ...r.demo.ir }, { keys: 1, repeats: 2, errors: 0 });
      assert.equal(yield* r.ask("fault nack"), "sim: the HTU21D will not acknowledge its next transaction\n");
      yield* sleepMs(2500); // the sample at 5 s
      assert.equal(yield* r.ask("fault busy"), "sim: the HTU21D's next conversion will stay busy for 300 ms\n");
      yield* sleepMs(10000); // the samples at 10 s and 15 s
      assert.deepEqual(r.lines(/\[env\]/).slice(2), [
        "5.000 [WARN] [env] sample failed: Error: write failed: no ACK from 0x40",
        "10.060 [WARN] [env] sample failed: TimeoutError: HTU21D: still converting 10 ms after the 50 ms conversion time (6 reads NACKed: stuck busy or gone)",
        "15.066 [INFO] [env] 20.00 °C, 50.0 %RH (EEPROM record #2)",
      ]);
      assert.match(yield* r.ask("fault smoke"), /^error: usage: fault nack\|crc\|busy$/m);
    });
  });

  it("console: ps lists the demo's tasks, every service is active, a disabled service stays disabled at the next boot", async () => {
    const prefs = new MemoryPrefs();
    await vrun(function* () {
      const r = yield* start(prefs);
      yield* sleepMs(2000);
      assert.equal(yield* r.ask("ps"), [
        "● printer: running since t+0.000s; 2 s ago",
        "● console: running since t+0.000s; 2 s ago",
        "● led: running since t+0.000s; 2 s ago",
        "● buttons: running since t+0.000s; 2 s ago",
        "● ir: running since t+0.000s; 2 s ago",
        "● env: running since t+0.000s; 2 s ago",
        "● modem: running since t+0.000s; 2 s ago",
        "",
      ].join("\n"));
      const services = (yield* r.ask("services")).trim().split("\n");
      assert.equal(services.length, 5);
      for (const l of services) assert.match(l, /^● \w+ - .* \[enabled\] active \(running\)$/);
      assert.equal(yield* r.ask("service disable modem"), "modem disabled\n");
      assert.deepEqual(JSON.parse(prefs.get("svc", "modem") as string), { enabled: false, args: [15000, "AT+CSQ"] });
      assert.equal(yield* r.ask("args env [2000]"), "env args [2000] (stored; restart the service to use them)\n");
      assert.equal(yield* r.ask("led slow"), "LED slow blink\n");
      assert.match(yield* r.ask("help"), /^press: \[sim\] click the button$/m);
    });
    await vrun(function* () {
      const r = yield* start(prefs);
      yield* sleepMs(7000);
      assert.deepEqual(r.printed.slice(5, 8), [
        "0.000 [INFO] [env] EEPROM at 0x50: no stored reading yet",
        "0.000 [INFO] [demo] [ SKIP ] modem: disabled",
        "0.000 [INFO] [demo] ready: 4 of 5 services running (modem disabled)",
      ]);
      assert.deepEqual(r.lines(/\[env\] \d/).map((l) => l.split(" ")[0]), ["0.066", "2.066", "4.066", "6.066"], "env samples every 2 s (stored args)");
      assert.match(yield* r.ask("services"), /^○ modem - .* \[disabled\] disabled$/m);
      assert.equal(r.sim.port(SIM_MODEM_PORT), null, "the modem's UART was never opened");
    });
  });

  it("modem: the console's at command shows the reply; a silent modem is logged as no answer", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("at ATI"), "SIM800 R14.18 (simulated)\nOK\n");
      assert.equal(yield* r.ask("modem silent"), "sim: the modem is silent\n");
      yield* sleepMs(15000);
      assert.deepEqual(r.lines(/\[modem\]/).slice(2), [
        "1.141 [INFO] [modem] ATI -> SIM800 R14.18 (simulated) | OK",
        "16.131 [WARN] [modem] no answer to AT+CSQ", // asked at 15.131 (every 15 s from 0.131), given up after 1 s
      ]);
      assert.match(r.demo.status()[2]!, /^modem: no answer \d+ ms ago \(4 commands, 1 unanswered\)$/);
    });
  });

  it("console: service stop env stops the EEPROM writes, and start brings them back", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(11000); // samples at 0.066, 5.066, 10.066
      const stored = (): number => r.lines(/EEPROM record #/).length;
      assert.equal(stored(), 3);
      assert.equal(yield* r.ask("service stop env"), "stopped: env\n");
      yield* sleepMs(20000);
      assert.equal(stored(), 3, "no record is written once env is stopped");
      assert.match(yield* r.ask("services"), /^○ env - .* inactive/m);
    });
  });

  it("state is true everywhere: stop modem shows in ps, services and status, and no modem command follows", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("stop modem"), "modem stopped\n");
      const from = r.printed.length;
      assert.match(yield* r.ask("ps"), /^○ modem: cancelled @ t\+1\.001s/m);
      assert.match(yield* r.ask("services"), /^○ modem - .* inactive \(task modem stopped\)$/m);
      assert.match(yield* r.ask("status"), /^services: 4 of 5 running \(modem stopped\)$/m);
      yield* sleepMs(40000);
      assert.deepEqual(r.lines(/\[modem\]/, from), [], "a stopped modem sends nothing, and is not restarted");
      assert.equal(yield* r.ask("start modem"), "modem started\n");
      assert.match(yield* r.ask("services"), /^● modem - .* active \(running\)$/m);
    });
  });

  it("the console refuses to stop itself, and restarts itself without running twice", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("stop console"), "error: refused: this is the console you are typing in; restart console starts a fresh one\n");
      assert.equal(yield* r.ask("restart console"), "xs-async demo console on sim: type help\n");
      assert.equal(yield* r.ask("help help"), "help [COMMAND]: list the commands, or show one\n", "one answer: one console reads the port");
      assert.deepEqual(r.demo.registry.list().filter((c) => c.name.startsWith("console")).map((c) => `${c.name} ${c.state} ${c.starts}`), ["console running 2"]);
    });
  });

  it("bad arguments are refused with a reason and never stored; a restart with them is refused too", async () => {
    const prefs = new MemoryPrefs();
    await vrun(function* () {
      const r = yield* start(prefs);
      yield* sleepMs(1000);
      assert.equal(yield* r.ask('args env ["abc"]'), 'error: env: arguments ["abc"] refused: env: the period is a number of ms from 10 to 86400000, got "abc"\n');
      assert.equal(yield* r.ask('restart env ["abc"]'), 'error: env: the period is a number of ms from 10 to 86400000, got "abc"\n');
      assert.match(yield* r.ask('args modem [15000, "ATD\\u0000"]'), /refused: modem: the command is "AT\.\.\."/);
      assert.equal(yield* r.ask("args env"), "env args [5000]\n");
      assert.deepEqual(prefs.keys("svc"), [], "nothing was stored");
      assert.match(yield* r.ask("services"), /^● env - .* active \(running\)$/m);
    });
    // written by an older firmware: refused at the next boot, which starts env with its defaults
    prefs.set("svc", "env", JSON.stringify({ enabled: true, args: ["abc"] }));
    await vrun(function* () {
      const r = yield* start(prefs);
      yield* sleepMs(100);
      assert.deepEqual(r.lines(/refused|ready/), [
        '0.000 [WARN] [services] env: stored arguments ["abc"] refused (env: the period is a number of ms from 10 to 86400000, got "abc"); using the defaults',
        "0.000 [INFO] [demo] ready: 5 of 5 services running",
      ]);
    });
  });

  it("service stop led also stops buttons and ir (they require it); service start led brings all three back", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      assert.equal(yield* r.ask("service stop led"), "stopped: ir, buttons, led\n");
      assert.match(yield* r.ask("services"), /^○ ir - .* inactive \(stopped with led\)$/m);
      assert.equal(yield* r.ask("service start led"), "led started (and buttons, ir)\n");
      assert.equal((yield* r.ask("services")).split("\n").filter((l) => l.startsWith("●")).length, 5);
      // the restarted ir and buttons see their pins' edges (the Pico cannot close an edge pin: keepPinsOpen)
      const from = r.printed.length;
      r.sim.irKey(0x45);
      yield* sleepMs(300);
      r.sim.click();
      yield* sleepMs(1000);
      assert.deepEqual(r.lines(/\[(ir|button)\]/, from).map((l) => l.replace(/^\S+ /, "")), ["[INFO] [ir] key 0x45 (address 0x00)", "[INFO] [button] click"]);
      assert.equal(yield* r.ask("service restart env"), "env started\n");
      assert.match(yield* r.ask("restart nosuch"), /^error: .*no task named "nosuch"\n$/);
    });
  });

  it("modem: line noise, over-long or short, is dropped and counted; the modem goes on", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      const from = r.printed.length;
      assert.equal(yield* r.ask("modem noise 600"), "sim: 600 bytes of line noise before the modem's next reply\n");
      yield* sleepMs(15000); // the AT+CSQ at 15.000 gets the noise
      r.sim.modem.noise = "\u0001\u0002zz"; // a short garbled burst runs into the +CSQ line
      yield* sleepMs(15000);
      yield* sleepMs(15000);
      assert.deepEqual(r.lines(/\[(modem|services)\]/, from), [
        "15.315 [WARN] [modem] AT+CSQ: 1 garbled line dropped",
        "15.315 [INFO] [modem] AT+CSQ -> OK",
        "30.272 [WARN] [modem] AT+CSQ: 1 garbled line dropped",
        "30.272 [INFO] [modem] AT+CSQ -> OK",
        "45.272 [INFO] [modem] AT+CSQ -> +CSQ: 23,0 | OK (signal -67 dBm)",
      ]);
      assert.equal(r.demo.modem.garbled, 2);
      assert.match(yield* r.ask("services"), /^● modem - .* active \(running\)$/m);
    });
  });

  it("env: a restart inside the EEPROM's write cycle polls for its ACK; a missing EEPROM is probed again until it answers", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(5067); // record #2 was written at 5.066: the chip NACKs until 5.076
      assert.equal(r.lines(/EEPROM record #2/).length, 1);
      assert.equal(r.sim.eeprom.busy(r.sim.clock.nowMs()), true);
      const from = r.printed.length;
      yield* r.demo.services.restart("env");
      yield* sleepMs(100);
      assert.deepEqual(r.lines(/\[env\]/, from).slice(0, 1), ["5.077 [INFO] [env] EEPROM at 0x50: last stored reading #2: 20.00 °C, 50.0 %RH"]);
      const eeprom = r.sim.eeprom;
      r.sim.bus.detach(0x50); // unplugged
      yield* sleepMs(10000);
      r.sim.bus.attach(0x50, eeprom); // back
      yield* sleepMs(5000);
      assert.deepEqual(r.lines(/\[env\]/, from).slice(1), [
        "5.143 [INFO] [env] 20.00 °C, 50.0 %RH (EEPROM record #3)",
        "10.143 [WARN] [env] 20.00 °C, 50.0 %RH (not stored: Error: write failed: no ACK from 0x50)",
        "15.163 [WARN] [env] no EEPROM at 0x50 (Error: write failed: no ACK from 0x50): readings are not stored until it answers",
        "15.163 [INFO] [env] 20.00 °C, 50.0 %RH", // after 20 ms of ACK polling
        "20.143 [INFO] [env] EEPROM at 0x50: last stored reading #3: 20.00 °C, 50.0 %RH",
        "20.143 [INFO] [env] 20.00 °C, 50.0 %RH (EEPROM record #4)",
      ]);
    });
  });

  it("env: a stop during the probe of a missing EEPROM leaves the sample counts equal to the logged readings", async () => {
    await vrun(function* () {
      const r = yield* start();
      r.sim.bus.detach(0x50); // unplugged from the start: every sample probes for 20 ms first
      yield* sleepMs(10090); // the sample of 10.02 s has its reading (10.086) and probes until 10.106
      const from = r.printed.length;
      assert.equal(yield* r.ask("service stop env", 100), "stopped: env\n");
      const env = r.demo.env;
      const logged = r.lines(/\[env\] (-?\d+\.\d+ °C|sample failed)/);
      assert.deepEqual([env.samples + env.failures, logged.length], [2, 2]);
      assert.deepEqual(r.lines(/\[env\]/, from), []);
    });
  });

  it("stats: every driver's counters and the timer-queue size, counted where each fault happened", async () => {
    await vrun(function* () {
      const r = yield* start();
      yield* sleepMs(1000);
      r.sim.htu.corruptNextCrc(1);
      r.sim.modem.noise = "\u0001zz";
      r.sim.irKey(0x45);
      yield* sleepMs(30000);
      assert.deepEqual((yield* r.ask("stats")).split("\n"), [
        "env samples=6 failures=1 stored=6 probes=1 storeFailures=0", // the CRC fault, counted by the part...
        "modem commands=4 silent=0 garbled=1", // the noise
        "ir keys=1 repeats=0 errors=0",
        "console.rx available=0 capacity=256 overflowed=0 discardedLong=0 waiting=0",
        "console.tx written=40 free=128 queued=0",
        "button edges=0 changes=0 glitches=0",
        "nec bursts=1 frames=1 repeats=0 errors=0 overruns=0 dropped=0",
        "htu21d readings=12 samples=6 crcErrors=1 nacks=0 retries=0 timeouts=0 errors=0", // ...and by the driver
        "i2c0 acquisitions=35 waits=0 abandoned=0 timeouts=0 totalWaitMs=0 maxWaitMs=0 totalHoldMs=0 maxHoldMs=0 waiting=0",
        "modem.rx available=0 capacity=256 overflowed=0 discardedLong=0 waiting=0",
        "modem.tx written=28 free=128 queued=0",
        "modem.at commands=4 droppedLines=0 waiting=0",
        "sched timers=3",
        "",
      ]);
    });
  });
});
