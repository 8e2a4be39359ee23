// A deterministic soak of the demo firmware: the app on the simulated board, on the virtual clock, driven
// by a seeded mix of clean stimuli and faults on every channel, with invariants checked as it goes.
// `npm run soak -- --days N --seed S` (scripts/soak/main.ts) prints the hourly table and the verdict; the
// short soak in the tests (host-tests/soak.node.test.ts) runs it for a day. Node only (hashing, GC).
import { createHash } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { app, type Demo } from "../../examples/demo/app";
import { demoBoards } from "../../examples/demo/board";
import { DIAL, ENV_PERIOD_MIN_MS, ENV_PERIOD_MAX_MS, lcdRows } from "../../examples/demo/parts/peripherals";
import { simAppConfig } from "../../examples/demo/sim-config";
import { MemoryPrefs } from "../../firmware/control/prefs";
import { VirtualHost, activeScheduler, runOn, sleepMs, spawn, type Gen } from "../../firmware/sched/index";
import { NEC_REPEAT_PERIOD_MS, necFrame } from "../../sim/nec";
import { EdgeClock, SIM_CONSOLE_PORT, createSimBoard, lineNoise, type SimBoard } from "../../sim/board";

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Simulated days (fractions allowed). */
  days: number;
  seed: number;
  /** One stimulus or fault per slot, at a random moment in its first half (default 5000 ms). */
  slotMs?: number;
  /** Called with each hour's row as it completes. */
  onHour?: (row: HourRow) => void;
  /** Called about every simulated 10 minutes with the simulated time reached (ms). */
  onProgress?: (simMs: number) => void;
  /** Called with the demo before its services boot: tests use it to undo a fix and see the soak fail. */
  tamper?: (demo: Demo, sim: SimBoard) => void;
}

/** What one simulated hour did (counts in that hour; heap and timers at its end). */
export interface HourRow {
  hour: number;
  events: number;
  faults: number;
  clicks: number;
  irKeys: number;
  irBad: number;
  samples: number;
  records: number;
  sampleFailures: number;
  garbled: number;
  restarts: number;
  timers: number;
  heapMB: number;
}

export interface SoakResult {
  days: number;
  seed: number;
  rows: HourRow[];
  /** Broken invariants, each one line (empty: the run passed). */
  violations: string[];
  /** SHA-256 over every log line and the final counters: the same seed gives the same digest. */
  digest: string;
  /** Totals of what was sent and what the firmware counted. */
  totals: Record<string, number>;
  wallMs: number;
}

/** xorshift32: the soak's own seeded random numbers. */
function random(seed: number): () => number {
  let x = (seed >>> 0) ^ 0x9e3779b9 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function gcNow(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const SERVICES = ["led", "buttons", "ir", "env", "modem", "dial", "knob", "gps", "lcd", "touch"];
/** The dial's pin on the demo's simulated board. */
const DIAL_PIN = demoBoards.sim.analogInputs.dial.pin;
const HOUR = 3600000;
const IR_KEYS = [0x45, 0x46, 0x47, 0x44, 0x16];

type Kind =
  | "click" | "double" | "long" | "button-noise"
  | "ir" | "ir-jitter" | "ir-held" | "ir-truncated" | "ir-bitflip"
  | "temp" | "htu-nack" | "htu-crc" | "htu-busy" | "eeprom-unplug" | "env-restart-in-write"
  | "modem-silent" | "modem-noise"
  | "gps-corrupt" | "gps-nofix" | "turn" | "turn-bounce" | "dial" | "dial-noise" | "lcd-nack"
  | "service-stop" | "service-restart" | "bad-args" | "console-garbage" | "console-command" | "crash";

/** Weighted choice of what happens in a slot. */
const MIX: [Kind, number][] = [
  ["click", 8], ["double", 4], ["long", 3], ["button-noise", 3],
  ["ir", 8], ["ir-jitter", 3], ["ir-held", 2], ["ir-truncated", 3], ["ir-bitflip", 3],
  ["temp", 4], ["htu-nack", 3], ["htu-crc", 3], ["htu-busy", 2], ["eeprom-unplug", 1], ["env-restart-in-write", 1],
  ["modem-silent", 1], ["modem-noise", 3],
  ["gps-corrupt", 3], ["gps-nofix", 2], ["turn", 3], ["turn-bounce", 3], ["dial", 3], ["dial-noise", 3], ["lcd-nack", 3],
  ["service-stop", 2], ["service-restart", 1], ["bad-args", 1], ["console-garbage", 3], ["console-command", 3], ["crash", 1],
];
const MIX_TOTAL = MIX.reduce((a, [, w]) => a + w, 0);
/** The services each kind needs running (else another kind is drawn). */
const NEEDS: Partial<Record<Kind, string>> = {
  click: "buttons", double: "buttons", long: "buttons", "button-noise": "buttons",
  ir: "ir", "ir-jitter": "ir", "ir-held": "ir", "ir-truncated": "ir", "ir-bitflip": "ir",
  "htu-nack": "env", "htu-crc": "env", "htu-busy": "env", "env-restart-in-write": "env", "eeprom-unplug": "env",
  "modem-noise": "modem", "modem-silent": "modem",
  "gps-corrupt": "gps", "gps-nofix": "gps", turn: "knob", "turn-bounce": "knob", dial: "dial", "dial-noise": "dial", "lcd-nack": "lcd",
};
const FAULTS = new Set<Kind>(["crash", "button-noise", "ir-truncated", "ir-bitflip", "htu-nack", "htu-crc", "htu-busy", "eeprom-unplug", "env-restart-in-write", "modem-silent", "modem-noise", "gps-corrupt", "gps-nofix", "turn-bounce", "dial-noise", "lcd-nack", "service-stop", "bad-args", "console-garbage"]);

/** Where the dial's level is: out of the band (either side), in it, or in a hysteresis zone (no crossing either way). */
function dialZone(level: number): "out" | "in" | "zone" {
  if (level < DIAL.low - DIAL.hysteresis || level > DIAL.high + DIAL.hysteresis) return "out";
  if (level >= DIAL.low + DIAL.hysteresis && level <= DIAL.high - DIAL.hysteresis) return "in";
  return "zone";
}

/** Run the soak (resolves when the simulated days are over; never rejects for a broken invariant). */
export function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const slotMs = opts.slotMs ?? 5000;
  if (!(opts.days > 0)) throw new RangeError(`days must be > 0, got ${opts.days}`);
  if (!Number.isInteger(opts.seed)) throw new RangeError(`the seed is an integer, got ${opts.seed}`);
  const totalMs = Math.round(opts.days * 24 * HOUR);
  const rnd = random(opts.seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const hash = createHash("sha256");
  const gc = gcNow();
  const violations: string[] = [];
  const violate = (at: number, what: string): void => {
    if (violations.length < 1000) violations.push(`${(at / 1000).toFixed(3)} s: ${what}`);
  };
  const wall0 = Date.now();

  // what was sent (cumulative), and what the firmware logged, counted from the printed lines
  const sent = { gpsCorrupt: 0, gpsNofix: 0, turns: 0, bouncyTurns: 0, stepsTurned: 0, dialMoves: 0, dialNoisy: 0, lcdNacks: 0, events: 0, faults: 0, htuNack: 0, htuCrc: 0, htuBusy: 0, clicks: 0, doubles: 0, longs: 0, noisySlots: 0, irKeys: 0, irBad: 0, htuFaults: 0, noise: 0, garbage: 0, badArgs: 0, stops: 0, opRestarts: 0, crashes: 0, writeRestarts: 0, unplugs: 0 };
  const seen = { gpsLost: 0, gpsFixes: 0, clicks: 0, doubles: 0, longs: 0, readings: 0, stored: 0, sampleFailed: 0, serviceFailures: 0, consoleErrors: 0, consoleLines: 0 };
  const rows: HourRow[] = [];
  let hourBase = { ...sent, ...seen, garbled: 0, restartsAll: 0, irKeysSeen: 0, irBadSeen: 0 };
  let spurious = 0;
  let eepromSince: number | null = 0; // present since (ms), null while unplugged
  let aimRestart = false; // restart env inside the next EEPROM write cycle
  let noisyUntil = -1; // button noise in progress: events of the button are not clean
  // a fault in flight must not be cut short by an operator: a sample or an AT exchange cancelled while it
  // handles the fault would lose it (that is a cancel, not a miscount), so stops wait until these times
  let envBusyUntil = -1;
  let modemBusyUntil = -1;
  // the same for the new parts: a corrupted GPS burst or a fix-loss episode, a turn of the encoder
  let gpsBusyUntil = -1;
  let knobBusyUntil = -1;
  let gpsHasFixSince: number | null = null; // from the log: the GPS part's last word was a fix (since when)
  let nofixUntil = -1;
  // the dial: the band state the firmware must be in (it crosses on in <-> out only), and crossings expected
  let dialState: "in" | "out" = "in";
  let dialExpected = 0;

  return runOn(new VirtualHost(), function* soak(): Gen<SoakResult> {
    const sched = activeScheduler();
    let uncaught = 0;
    sched.setExceptionHandler((e, ctx) => {
      uncaught++;
      violate(sched.now(), `uncaught: ${ctx.message}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    });
    // the demo's simulated board: every part (the default sim board has only the first five services' parts)
    const sim = createSimBoard(new EdgeClock(), demoBoards.sim);
    sim.pins.historyLimit = 200;
    sim.onSerialOpen((_n, port) => {
      port.peer.historyLimit = 4096;
    });
    let demo: Demo | null = null;
    const onLine = (line: string): void => {
      hash.update(line);
      hash.update("\n");
      const at = sched.now();
      const m = /^\S+ \[(\w+)\] \[([\w.-]+)\] (.*)$/.exec(line);
      if (m === null) return;
      const [, , tag, text] = m;
      if (tag === "button") {
        const noisy = at <= noisyUntil;
        if (text === "click") noisy ? spurious++ : seen.clicks++;
        else if (text === "double click") noisy ? spurious++ : seen.doubles++;
        else if (text === "long press: status") noisy ? spurious++ : seen.longs++;
      } else if (tag === "env") {
        if (/^-?\d+\.\d\d °C/.test(text!)) {
          seen.readings++;
          const stored = /\(EEPROM record #\d+\)$/.test(text!);
          if (stored) seen.stored++;
          if (!stored && eepromSince !== null && at - eepromSince > slotMs + 200) violate(at, `a reading was not stored with the EEPROM present since ${(eepromSince / 1000).toFixed(3)} s: ${text}`);
          if (stored && aimRestart && at > envBusyUntil) {
            aimRestart = false;
            const d = demo!;
            sim.clock.after(1 + Math.floor(rnd() * 8), () => {
              if (d.services.get("env")!.running) spawn("soak.restart-env", function* () { yield* d.services.restart("env"); });
            });
          }
        } else if (text!.startsWith("sample failed")) seen.sampleFailed++;
      } else if (tag === "services" && / failed: /.test(text!)) {
        seen.serviceFailures++;
      } else if (tag === "gps") {
        if (text!.startsWith("GPS fix:")) {
          seen.gpsFixes++;
          gpsHasFixSince = at;
        } else if (text!.startsWith("GPS fix lost")) {
          seen.gpsLost++;
          gpsHasFixSince = null;
        }
      }
      if (tag === "services" && /^gps (started|stopped|failed)/.test(text!)) gpsHasFixSince = null;
    };
    const config = simAppConfig(sim, {
      prefs: new MemoryPrefs(),
      print: onLine,
      onReady: (d) => {
        demo = d;
        if (opts.tamper !== undefined) opts.tamper(d, sim);
      },
    });
    spawn("app", app, config);
    yield* sleepMs(0);
    if (demo === null) throw new Error("the demo did not start");
    const d: Demo = demo;
    // the HTU21D driver's counters over every instance (a restart of env makes a new one)
    const htuTotals = { crcErrors: 0, timeouts: 0, nacks: 0 };
    // and the GPS's bad checksums, the LCD's NACKs over every instance; the encoder's steps since its instance opened
    const gpsTotals = { badChecksum: 0 };
    const lcdTotals = { nacks: 0 };
    let encoderBase = 0;
    const detach = d.stats.detach.bind(d.stats);
    d.stats.detach = (name, source) => {
      if (name === "htu21d" && source !== undefined) {
        const st = source.stats() as typeof htuTotals;
        htuTotals.crcErrors += st.crcErrors;
        htuTotals.timeouts += st.timeouts;
        htuTotals.nacks += st.nacks;
      }
      if (name === "gps" && source !== undefined) gpsTotals.badChecksum += (source.stats() as { badChecksum: number }).badChecksum;
      if (name === "lcd" && source !== undefined) lcdTotals.nacks += (source.stats() as { nacks: number }).nacks;
      detach(name, source);
    };
    const attach = d.stats.attach.bind(d.stats);
    d.stats.attach = (name, source) => {
      if (name === "encoder") encoderBase = sim.encoder.stepsSent;
      if (name === "dial") {
        // a new dial task starts inside the band and crosses at once if the level is out
        dialState = "in";
        if (dialZone(sim.analog.level(DIAL_PIN)) === "out") {
          dialState = "out";
          dialExpected++;
        }
      }
      attach(name, source);
    };
    const liveStat = (name: string, field: string): number => d.stats.snapshot()[name]?.[field] ?? 0;
    const htuCounted = (): typeof htuTotals => {
      const live = d.stats.snapshot()["htu21d"] ?? { crcErrors: 0, timeouts: 0, nacks: 0 };
      return { crcErrors: htuTotals.crcErrors + live.crcErrors!, timeouts: htuTotals.timeouts + live.timeouts!, nacks: htuTotals.nacks + live.nacks! };
    };
    const con = sim.port(SIM_CONSOLE_PORT)!;
    let partial = "";
    con.peer.onData((bytes) => {
      const text = partial + new TextDecoder().decode(bytes);
      const lines = text.split("\n");
      partial = lines.pop()!;
      for (const l of lines) {
        seen.consoleLines++;
        if (l.startsWith("error:")) seen.consoleErrors++;
      }
    });
    const type = (line: string): void => {
      con.peer.send(line + "\n");
    };
    const running = (name: string): boolean => d.services.get(name)!.running;
    const depsUp = (name: string): boolean => d.services.get(name)!.requires.every(running);
    /** May an operator stop or restart `name` now (no fault in flight in it)? */
    const mayStop = (name: string): boolean => {
      const now = sched.now();
      if (name === "env") return now > envBusyUntil;
      // (noise waits for the modem to speak, so it may go out long after it was injected: also wait until
      // the reply that carries it has been read)
      if (name === "modem") return now > modemBusyUntil && sim.modem.noise === null && now - sim.modem.noiseSentAt > 2000;
      if (name === "gps") return now > gpsBusyUntil;
      if (name === "knob") return now > knobBusyUntil;
      // the LCD shares the env's bus: a NACK waiting for its next transfer stays injected across a restart
      if (name === "dial") return sched.now() > dialSettledAt;
      return true;
    };
    const stopped: { name: string; until: number }[] = [];
    let dialSettledAt = -1;
    let typedAt = -1;

    const irCounters = { keys: 0, errors: 0 };
    const collect = (hour: number): void => {
      gc();
      const heapMB = process.memoryUsage().heapUsed / 1048576;
      const restartsAll = d.services.all().reduce((a, s) => a + s.restarts, 0);
      const row: HourRow = {
        hour,
        events: sent.events - hourBase.events,
        faults: sent.faults - hourBase.faults,
        clicks: seen.clicks - hourBase.clicks,
        irKeys: d.ir.keys - hourBase.irKeysSeen,
        irBad: d.ir.errors - hourBase.irBadSeen,
        samples: seen.readings - hourBase.readings,
        records: seen.stored - hourBase.stored,
        sampleFailures: seen.sampleFailed - hourBase.sampleFailed,
        garbled: d.modem.garbled - hourBase.garbled,
        restarts: restartsAll - hourBase.restartsAll,
        timers: sched.timerCount,
        heapMB: Math.round(heapMB * 10) / 10,
      };
      rows.push(row);
      hourBase = { ...sent, ...seen, garbled: d.modem.garbled, restartsAll, irKeysSeen: d.ir.keys, irBadSeen: d.ir.errors };
      if (opts.onHour !== undefined) opts.onHour(row);
      // exact at every hour: every event of the previous slot has long been handled
      if (seen.clicks !== sent.clicks) violate(sched.now(), `clicks: ${sent.clicks} clean clicks gave ${seen.clicks} click events`);
      if (seen.doubles !== sent.doubles) violate(sched.now(), `double clicks: ${sent.doubles} sent, ${seen.doubles} seen`);
      if (seen.longs !== sent.longs) violate(sched.now(), `long presses: ${sent.longs} sent, ${seen.longs} seen`);
      if (d.ir.keys !== sent.irKeys) violate(sched.now(), `IR: ${sent.irKeys} clean frames gave ${d.ir.keys} keys`);
      if (d.ir.errors !== sent.irBad) violate(sched.now(), `IR: ${sent.irBad} damaged frames, ${d.ir.errors} counted as bad`);
      if (seen.consoleErrors !== sent.garbage + sent.badArgs) violate(sched.now(), `console: ${sent.garbage + sent.badArgs} bad lines, ${seen.consoleErrors} error answers`);
      if (sched.timerCount > 40) violate(sched.now(), `${sched.timerCount} entries in the timer queue`);
      if (d.panel.dialCrossings !== dialExpected) violate(sched.now(), `dial: ${dialExpected} band crossings expected from the levels set, ${d.panel.dialCrossings} made (noise must never cross)`);
      if (seen.gpsLost !== sent.gpsNofix) violate(sched.now(), `GPS: ${sent.gpsNofix} fix losses injected, ${seen.gpsLost} logged`);
      if (gpsTotals.badChecksum + liveStat("gps", "badChecksum") !== sent.gpsCorrupt) violate(sched.now(), `GPS: ${sent.gpsCorrupt} corrupted sentences sent, ${gpsTotals.badChecksum + liveStat("gps", "badChecksum")} bad checksums counted`);
      if (running("knob") && sched.now() > knobBusyUntil && liveStat("encoder", "position") * 4 !== sim.encoder.stepsSent - encoderBase) {
        violate(sched.now(), `encoder: ${sim.encoder.stepsSent - encoderBase} steps turned since it opened, position ${liveStat("encoder", "position")}`);
      }
      if (!(d.env.periodMs >= ENV_PERIOD_MIN_MS && d.env.periodMs <= ENV_PERIOD_MAX_MS)) violate(sched.now(), `env period ${d.env.periodMs} ms is out of its limits`);
      irCounters.keys = d.ir.keys;
      irCounters.errors = d.ir.errors;
    };

    const dataBit = (): number => 3 + 2 * (16 + Math.floor(rnd() * 8)); // a space of the command byte
    const act = (kind: Kind): void => {
      sent.events++;
      if (FAULTS.has(kind)) sent.faults++;
      const now = sched.now();
      switch (kind) {
        case "click":
          sim.click(60 + Math.floor(rnd() * 200));
          sent.clicks++;
          break;
        case "double":
          sim.doubleClick();
          sent.doubles++;
          break;
        case "long":
          sim.longPress(1200 + Math.floor(rnd() * 1000));
          sent.longs++;
          break;
        case "button-noise":
          // glitches of 1-20 µs: whatever they do is not a clean gesture (counted as spurious, not checked)
          sim.pins.noise(sim.pin.button, { fromMs: now + 1, toMs: now + 500, ratePerS: 20, seed: Math.floor(rnd() * 1e9) });
          noisyUntil = now + 500 + 1500;
          sent.noisySlots++;
          break;
        case "ir":
          sim.irKey(pick(IR_KEYS));
          sent.irKeys++;
          break;
        case "ir-jitter": {
          const f = necFrame(0, pick(IR_KEYS)).map((us) => Math.round(us * (0.9 + 0.2 * rnd())));
          sim.irRaw(f);
          sent.irKeys++;
          break;
        }
        case "ir-held": {
          const code = pick(IR_KEYS);
          const n = 1 + Math.floor(rnd() * 4);
          sim.irKey(code, n); // a frame and n repeat codes: one key, the repeats are ignored
          sent.irKeys++;
          void NEC_REPEAT_PERIOD_MS;
          break;
        }
        case "ir-truncated": {
          const f = necFrame(0, pick(IR_KEYS));
          sim.irRaw(f.slice(0, 3 + 2 * Math.floor(rnd() * 30)));
          sent.irBad++;
          break;
        }
        case "ir-bitflip": {
          const f = necFrame(0, pick(IR_KEYS));
          const i = dataBit();
          f[i] = f[i]! > 1000 ? 562 : 1687; // one command bit flipped: the inverted copy no longer matches
          sim.irRaw(f);
          sent.irBad++;
          break;
        }
        case "temp":
          sim.htu.temperature = Math.round((15 + rnd() * 15) * 100) / 100;
          sim.htu.humidity = Math.round((30 + rnd() * 40) * 10) / 10;
          break;
        case "htu-nack":
          sim.htu.nackNext(1);
          sent.htuFaults++;
          sent.htuNack++;
          envBusyUntil = now + 2 * slotMs;
          break;
        case "htu-crc":
          sim.htu.corruptNextCrc(1);
          sent.htuFaults++;
          sent.htuCrc++;
          envBusyUntil = now + 2 * slotMs;
          break;
        case "htu-busy":
          sim.htu.stallNext(1);
          sent.htuFaults++;
          sent.htuBusy++;
          envBusyUntil = now + 2 * slotMs;
          break;
        case "eeprom-unplug": {
          if (eepromSince === null) break;
          const chip = sim.eeprom;
          sim.bus.detach(0x50);
          eepromSince = null;
          sent.unplugs++;
          sim.clock.after(2000 + Math.floor(rnd() * 10000), () => {
            sim.bus.attach(0x50, chip);
            eepromSince = sched.now();
          });
          break;
        }
        case "env-restart-in-write":
          aimRestart = true;
          sent.writeRestarts++;
          break;
        case "modem-silent":
          sim.modem.silent = true;
          sim.clock.after(5000 + Math.floor(rnd() * 30000), () => {
            sim.modem.silent = false;
          });
          break;
        case "modem-noise":
          if (sim.modem.noise !== null) break;
          sim.modem.noise = lineNoise(pick([8, 40, 200, 300, 700]), Math.floor(rnd() * 1e9));
          sent.noise++;
          modemBusyUntil = now + 20000;
          break;
        case "service-stop": {
          const name = pick(SERVICES);
          if (!mayStop(name)) break;
          type(`service stop ${name}`);
          stopped.push({ name, until: now + slotMs * (1 + Math.floor(rnd() * 4)) });
          sent.stops++;
          break;
        }
        case "service-restart": {
          const ok = SERVICES.filter((n) => depsUp(n) && mayStop(n) && !stopped.some((x) => x.name === n));
          if (ok.length === 0) break;
          type(`service restart ${pick(ok)}`);
          sent.opRestarts++;
          break;
        }
        case "bad-args":
          type(pick(['args env ["abc"]', "args env [1]", 'args modem [15000, 7]', "restart env [-5]", "args modem {}"]));
          sent.badArgs++;
          break;
        case "console-garbage": {
          let g = "~";
          const n = 1 + Math.floor(rnd() * 60);
          for (let i = 0; i < n; i++) {
            const c = 1 + Math.floor(rnd() * 254);
            g += c === 10 || c === 13 ? "?" : String.fromCharCode(c);
          }
          type(g);
          sent.garbage++;
          break;
        }
        case "crash": {
          // a bug: a service's task throws at its wait point; the restart policy must bring it back
          if (typedAt === now) break; // not under an operator's command on its way (it would be refused)
          const ok = SERVICES.filter((n) => running(n) && mayStop(n) && !stopped.some((x) => x.name === n));
          if (ok.length === 0) break;
          const c = d.registry.get(pick(ok))!;
          c.task!.cancel(new Error(`soak: injected crash in ${c.name}`));
          sent.crashes++;
          break;
        }
        case "gps-corrupt": {
          if (sched.now() <= gpsBusyUntil) break; // one fault in flight at a time (its count is then exact)
          const n = 1 + Math.floor(rnd() * 4);
          sim.gps()!.corrupt(n);
          sent.gpsCorrupt += n;
          gpsBusyUntil = now + 2500; // the next burst (within 1 s) carries them; stops wait until it was read
          break;
        }
        case "gps-nofix": {
          // a fix-loss episode of 4-30 s, only while the GPS part holds a fix (so exactly one loss is logged)
          if (gpsHasFixSince === null || now - gpsHasFixSince < 2000 || now <= gpsBusyUntil) break;
          const g = sim.gps()!;
          const ms = 4000 + Math.floor(rnd() * 26000);
          g.fix = false;
          nofixUntil = now + ms;
          sim.clock.after(ms, () => void (g.fix = true));
          sent.gpsNofix++;
          gpsBusyUntil = nofixUntil + 2500;
          break;
        }
        case "turn":
        case "turn-bounce": {
          if (now <= knobBusyUntil) break;
          // whole detents (4 steps each), steered back toward the default 5000 ms period
          const up = d.env.periodMs < 5000 ? rnd() < 0.8 : rnd() < 0.2;
          const steps = (up ? 1 : -1) * 4 * (1 + Math.floor(rnd() * 12));
          sim.encoder.bounce = kind === "turn-bounce" ? 1 + Math.floor(rnd() * 8) : 0;
          const stepUs = 800 + Math.floor(rnd() * 4000);
          const lastEdge = sim.encoder.turn(steps, { stepUs });
          sent.turns++;
          if (kind === "turn-bounce") sent.bouncyTurns++;
          sent.stepsTurned += Math.abs(steps);
          knobBusyUntil = lastEdge + 600; // settled (250 ms) and applied
          break;
        }
        case "dial":
        case "dial-noise": {
          // a level out of the band, in it, or in a hysteresis zone; noise smaller than the hysteresis
          const r = rnd();
          const level = r < 0.2 ? Math.floor(rnd() * 850) : r < 0.4 ? 3160 + Math.floor(rnd() * 900) : r < 0.7 ? 1110 + Math.floor(rnd() * 1780) : r < 0.85 ? 960 + Math.floor(rnd() * 70) : 2970 + Math.floor(rnd() * 70);
          sim.analog.set(DIAL_PIN, level);
          sim.analog.noise(DIAL_PIN, kind === "dial-noise" ? 10 + Math.floor(rnd() * 50) : 0, Math.floor(rnd() * 1e9));
          sent.dialMoves++;
          if (kind === "dial-noise") sent.dialNoisy++;
          const z = dialZone(level);
          if (z !== "zone" && z !== dialState) {
            dialState = z;
            dialExpected++;
          }
          dialSettledAt = now + 500;
          break;
        }
        case "lcd-nack": {
          const n = 1 + Math.floor(rnd() * 3);
          sim.lcd.nackNext(n);
          sent.lcdNacks += n;
          break;
        }
        case "console-command":
          type(pick(["status", "ps", "services", "stats", "log tail 5", "i2c", "service status env", "help"]));
          break;
      }
    };

    const draw = (): Kind | null => {
      for (let tries = 0; tries < 10; tries++) {
        let x = rnd() * MIX_TOTAL;
        let k: Kind = MIX[0]![0];
        for (const [kind, w] of MIX) {
          if ((x -= w) < 0) {
            k = kind;
            break;
          }
        }
        const need = NEEDS[k];
        if (need !== undefined && !running(need)) continue;
        if ((k === "click" || k === "double" || k === "long") && sched.now() <= noisyUntil) continue;
        return k;
      }
      return null;
    };

    // the run: a slot at a time; bring stopped services back when their time is up
    let nextHour = HOUR;
    let nextProgress = 600000;
    for (let slot = 0; (slot + 1) * slotMs <= totalMs; slot++) {
      const start = slot * slotMs;
      yield* sleepMs(start + Math.floor(rnd() * (slotMs / 2)) - sched.now());
      // an operator brings back what they stopped: once its dependencies run (a start with them stopped
      // is refused), and not if it already came back with a dependency
      for (let i = 0; i < stopped.length; i++) {
        const x = stopped[i]!;
        if (x.until > sched.now() || (!running(x.name) && !depsUp(x.name))) continue;
        if (!running(x.name)) {
          type(`service start ${x.name}`);
          typedAt = sched.now();
        }
        stopped.splice(i--, 1);
        break; // one command per slot
      }
      const k = draw();
      if (k !== null) act(k);
      yield* sleepMs(start + slotMs - sched.now());
      if (sched.now() >= nextHour) {
        collect(nextHour / HOUR);
        nextHour += HOUR;
      }
      if (sched.now() >= nextProgress) {
        nextProgress += 600000;
        if (opts.onProgress !== undefined) opts.onProgress(sched.now());
      }
    }

    // settle: everything operators stopped comes back, faults are cleared, pending ones get consumed
    stopped.length = 0;
    for (const name of SERVICES) {
      yield* sleepMs(1000);
      // what operators stopped (a failed service must come back by itself)
      if (d.services.get(name)!.state === "stopped") type(`service start ${name}`);
    }
    sim.modem.silent = false;
    sim.gps()!.fix = true;
    yield* sleepMs(60000);
    const end = sched.now();
    // the new parts: every injected fault counted where it happened, the LCD shows the latest reading and the time
    const gpsBad = gpsTotals.badChecksum + liveStat("gps", "badChecksum");
    if (gpsBad !== sent.gpsCorrupt) violate(end, `GPS: ${sent.gpsCorrupt} corrupted sentences sent, ${gpsBad} bad checksums counted`);
    if (seen.gpsLost !== sent.gpsNofix) violate(end, `GPS: ${sent.gpsNofix} fix losses injected, ${seen.gpsLost} logged`);
    if (gpsHasFixSince === null) violate(end, "GPS: no fix at the end");
    const lcdNacks = lcdTotals.nacks + liveStat("lcd", "nacks");
    if (lcdNacks !== sent.lcdNacks) violate(end, `LCD: ${sent.lcdNacks} NACKs injected, the driver counted ${lcdNacks}`);
    // (a sample may have come after the last refresh: give the LCD a refresh or two to catch up)
    let screen = sim.lcd.screen();
    let top = lcdRows(d.env, d.utc)[0];
    for (let i = 0; i < 3 && screen[0]!.trimEnd() !== top; i++) {
      yield* sleepMs(1000);
      screen = sim.lcd.screen();
      top = lcdRows(d.env, d.utc)[0];
    }
    if (screen[0]!.trimEnd() !== top || !/^\d\d:\d\d:\d\d UTC/.test(screen[1]!)) violate(end, `LCD shows ${JSON.stringify(screen)}, expected ${JSON.stringify(top)} and the GPS time`);
    if (liveStat("encoder", "position") * 4 !== sim.encoder.stepsSent - encoderBase) violate(end, `encoder: ${sim.encoder.stepsSent - encoderBase} steps turned since it opened, position ${liveStat("encoder", "position")}`);
    if (d.panel.dialCrossings !== dialExpected) violate(end, `dial: ${dialExpected} band crossings expected, ${d.panel.dialCrossings} made`);
    for (const s of d.services.all()) {
      if (!s.running) violate(end, `service ${s.name} is not running at the end: ${s.state} (${s.reason})`);
      if (s.restarts < s.failures) violate(end, `service ${s.name} failed ${s.failures} times and was restarted ${s.restarts} times`);
    }
    // each HTU21D fault is counted by the driver: a bad CRC as crcErrors, a stuck conversion as a timeout,
    // a NACK as nacks (a NACK on the result read is retried and the sample succeeds; on a command it fails)
    const hc = htuCounted();
    if (hc.crcErrors !== sent.htuCrc) violate(end, `HTU21D: ${sent.htuCrc} bad CRCs injected, the driver counted ${hc.crcErrors}`);
    if (hc.timeouts !== sent.htuBusy) violate(end, `HTU21D: ${sent.htuBusy} stuck conversions injected, the driver counted ${hc.timeouts} timeouts`);
    if (hc.nacks < sent.htuNack) violate(end, `HTU21D: ${sent.htuNack} NACKs injected, the driver counted ${hc.nacks}`);
    if (d.env.failures > sent.htuFaults || d.env.failures < sent.htuCrc + sent.htuBusy) {
      violate(end, `env: ${d.env.failures} failed samples for ${sent.htuCrc + sent.htuBusy} bad CRCs and stuck conversions and ${sent.htuNack} NACKs`);
    }
    if (d.modem.garbled !== sent.noise) violate(end, `modem: ${sent.noise} noise bursts, ${d.modem.garbled} garbled lines counted`);
    if (seen.readings + seen.sampleFailed !== d.env.samples + d.env.failures) {
      violate(end, `env: ${d.env.samples + d.env.failures} sample attempts, ${seen.readings + seen.sampleFailed} logged`);
    }
    // every failure is an injected crash (the other faults are handled where they happen), and the
    // restart policy brought each one back
    if (seen.serviceFailures !== sent.crashes) violate(end, `${seen.serviceFailures} service failures for ${sent.crashes} injected crashes`);
    const autoRestarts = d.services.all().reduce((a, s) => a + s.restarts, 0);
    if (autoRestarts !== sent.crashes) violate(end, `${autoRestarts} automatic restarts for ${sent.crashes} injected crashes`);
    if (d.profiler.stalls > 0) violate(end, `${d.profiler.stalls} stalls`);
    if (uncaught > 0) violate(end, `${uncaught} uncaught failures`);
    if (rows.length >= 4) {
      const base = Math.min(...rows.slice(2, Math.max(3, Math.min(rows.length, 24))).map((r) => r.heapMB));
      const last = rows[rows.length - 1]!.heapMB;
      if (last > base + 4) violate(end, `heap grew from ${base} MB (hour 3-24) to ${last} MB`);
    }
    const totals: Record<string, number> = {
      ...sent,
      clicksSeen: seen.clicks, doublesSeen: seen.doubles, longsSeen: seen.longs, spurious,
      irKeysSeen: d.ir.keys, irBadSeen: d.ir.errors, samples: d.env.samples, sampleFailures: d.env.failures,
      htuCrcCounted: hc.crcErrors, htuTimeouts: hc.timeouts, htuNacks: hc.nacks,
      records: seen.stored, eepromProbes: d.env.probes, garbled: d.modem.garbled, modemSilent: d.modem.silent,
      consoleErrors: seen.consoleErrors, serviceFailures: seen.serviceFailures,
      restarts: d.services.all().reduce((a, s) => a + s.restarts, 0),
      gpsBadCounted: gpsBad, gpsLostSeen: seen.gpsLost, gpsFixesSeen: seen.gpsFixes, lcdNacksCounted: lcdNacks, lcdFailures: d.panel.lcdFailures,
      dialCrossings: d.panel.dialCrossings, dialExpected, knobChanges: d.panel.knobChanges, envPeriodMs: d.env.periodMs,
    };
    hash.update(JSON.stringify(totals));
    hash.update(JSON.stringify(d.stats.snapshot()));
    yield* sleepMs(0);
    return { days: opts.days, seed: opts.seed, rows, violations, digest: hash.digest("hex"), totals, wallMs: Date.now() - wall0 };
  });
}

/** The hourly table's header and one row, fixed-width. */
export const TABLE_HEADER = " hour events faults clicks irKey irBad samples stored sFail garbl restarts timers heapMB";
export function formatRow(r: HourRow): string {
  const p = (v: number | string, w: number): string => String(v).padStart(w);
  return `${p(r.hour, 5)} ${p(r.events, 6)} ${p(r.faults, 6)} ${p(r.clicks, 6)} ${p(r.irKeys, 5)} ${p(r.irBad, 5)} ${p(r.samples, 7)} ${p(r.records, 6)} ${p(r.sampleFailures, 5)} ${p(r.garbled, 5)} ${p(r.restarts, 8)} ${p(r.timers, 6)} ${p(r.heapMB.toFixed(1), 6)}`;
}
