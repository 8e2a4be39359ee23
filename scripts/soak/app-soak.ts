// The soak of any app (`xs-async soak` in an app made with the starter): the app on the simulated board its
// description declares, on the virtual clock, with a seeded mix of stimuli and faults on the parts the board
// has (button clicks and contact noise, IR keys and damaged frames, HTU21D NACKs, bad CRCs and stuck
// conversions, the EEPROM unplugged and back, the modem silent or noisy) and invariants any app must keep:
// nothing uncaught, the timer queue bounded, every service running at the end and every failure restarted.
// The demo's own soak (run.ts) checks the demo's counts exactly on top of this.
import { boardParts, type AppDefinition, type AppParts, type BoardDescription } from "../../firmware/board/index";
import { VirtualHost, activeScheduler, runOn, sleepMs, spawn, type Gen } from "../../firmware/sched/index";
import { EdgeClock, createSimBoard, lineNoise } from "../../sim/board";
import { necFrame } from "../../sim/nec";

export interface AppSoakOptions {
  app: AppDefinition;
  description: BoardDescription;
  hours: number;
  seed: number;
  /** One stimulus or fault per slot (default 5000 ms). */
  slotMs?: number;
  onHour?: (line: string) => void;
}

export interface AppSoakResult {
  events: number;
  /** The kinds of part that got stimuli or faults. */
  parts: string[];
  violations: string[];
  wallMs: number;
}

export function runAppSoak(o: AppSoakOptions): Promise<AppSoakResult> {
  const slotMs = o.slotMs ?? 5000;
  let x = (o.seed >>> 0) ^ 0x9e3779b9 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
  const wall0 = Date.now();
  const violations: string[] = [];
  return runOn(new VirtualHost(), function* soak(): Gen<AppSoakResult> {
    const sched = activeScheduler();
    sched.setExceptionHandler((e, ctx) => void violations.push(`${(sched.now() / 1000).toFixed(3)} s: uncaught: ${ctx.message}: ${String(e)}`));
    const sim = createSimBoard(new EdgeClock(), o.description);
    sim.pins.historyLimit = 200;
    let parts: AppParts = {};
    spawn("app", o.app.main, {
      description: o.description, board: sim, print: () => undefined, prefs: undefined, console: null,
      nowUs: () => sim.clock.nowUs(), ready: (p) => void (parts = p),
    });
    // what can be done to this board
    const acts: (() => void)[] = [];
    const kinds = new Set<string>();
    for (const p of boardParts(o.description)) {
      if (p.kind === "button") {
        kinds.add("buttons");
        acts.push(() => void sim.click(60 + Math.floor(rnd() * 200), p.name));
        acts.push(() => void sim.longPress(1200, p.name));
        acts.push(() => sim.pins.noise(p.spec.pin, { fromMs: sched.now() + 1, toMs: sched.now() + 500, ratePerS: 20, seed: Math.floor(rnd() * 1e9) }));
      } else if (p.kind === "ir-receiver") {
        kinds.add("IR receivers");
        acts.push(() => void sim.irKey(0x45 + Math.floor(rnd() * 4), 0, 0, p.name));
        acts.push(() => sim.irRaw(necFrame(0, 0x45).slice(0, 3 + 2 * Math.floor(rnd() * 30)), p.name));
      } else if (p.kind === "i2c-device") {
        const model = sim.parts.get(p.name);
        if (p.spec.type === "htu21d" && model !== undefined && "stallNext" in model) {
          kinds.add("HTU21D");
          acts.push(() => model.nackNext(1), () => model.corruptNextCrc(1), () => model.stallNext(1));
        } else if (p.spec.type === "eeprom-24c32" && model !== undefined) {
          kinds.add("EEPROM");
          const bus = sim.buses.get(p.bus)!;
          acts.push(() => {
            if (bus.device(p.address) === undefined) return;
            bus.detach(p.address);
            sim.clock.after(2000 + Math.floor(rnd() * 10000), () => void bus.attach(p.address, model as never));
          });
        }
      } else if (p.kind === "uart" && p.spec.device === "at-modem") {
        const m = sim.parts.get(p.name);
        if (m !== undefined && "csq" in m) {
          kinds.add("modem");
          acts.push(() => {
            m.silent = true;
            sim.clock.after(5000 + Math.floor(rnd() * 30000), () => void (m.silent = false));
          });
          acts.push(() => void (m.noise = lineNoise(8 + Math.floor(rnd() * 300), Math.floor(rnd() * 1e9))));
        }
      }
    }
    const totalMs = Math.round(o.hours * 3600000);
    let events = 0;
    for (let t = 0; t + slotMs <= totalMs; t += slotMs) {
      yield* sleepMs(t + Math.floor(rnd() * (slotMs / 2)) - sched.now());
      if (acts.length > 0) {
        acts[Math.floor(rnd() * acts.length)]!();
        events++;
      }
      yield* sleepMs(t + slotMs - sched.now());
      if (sched.timerCount > 200) violations.push(`${(sched.now() / 1000).toFixed(3)} s: ${sched.timerCount} entries in the timer queue`);
      if (sched.now() % 3600000 === 0 && o.onHour !== undefined) o.onHour(`hour ${sched.now() / 3600000}: ${events} stimuli and faults, ${sched.timerCount} timers`);
    }
    yield* sleepMs(60000);
    for (const s of parts.services?.all() ?? []) {
      if (!s.running) violations.push(`service ${s.name} is not running at the end: ${s.state} (${s.reason})`);
      if (s.restarts < s.failures) violations.push(`service ${s.name} failed ${s.failures} times and was restarted ${s.restarts} times`);
    }
    return { events, parts: [...kinds], violations, wallMs: Date.now() - wall0 };
  });
}
