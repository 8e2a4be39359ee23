// `log grep` cost, piece by piece, on a full 8 KB ring of demo-like records (host XS or Node):
//   node scripts/xs/run-entry.mjs scripts/bench/log-grep.ts      # XS (the device engine)
//   npx tsx scripts/bench/log-grep.ts                              # Node
// Read the ratios between rows, not the absolute times (the device is some 100 times slower than the host).
import { runOn, VirtualHost, type Gen } from "../../firmware/sched/index";
import { RingLog } from "../../firmware/control/ringlog";
import { LinearRegExp } from "../../firmware/control/linear-regexp";
import { scanLog } from "../../firmware/control/commands/log";
declare const performance: { now(): number };
const G = globalThis as unknown as { print?: (s: string) => void; console?: { log(s: string): void } };
const out = (s: string): void => (G.print ? G.print(s) : G.console!.log(s));

function fill(): RingLog {
  let t = 1000;
  const log = new RingLog(8192, { clock: () => (t += 137) });
  const kinds = [
    ["modem", (i: number) => `AT+CSQ -> +CSQ: ${10 + (i % 20)},0 | OK`],
    ["led", (i: number) => `LED slow blink -> on (console, press ${i})`],
    ["env", (i: number) => `EEPROM at 0x50: last stored reading #${i}: 21.50 °C 45.0 %RH`],
    ["services", (i: number) => `env started (restart ${i % 5})`],
  ] as const;
  for (let i = 0; i < 400; i++) {
    const [tag, msg] = kinds[i % kinds.length]!;
    log.info(msg(i), tag);
  }
  return log;
}

function time(label: string, records: number, reps: number, body: () => unknown): void {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) body();
  const ms = (performance.now() - t0) / reps;
  out(`${label.padEnd(44)} ${(ms * 1000 / records).toFixed(1).padStart(8)} µs/record`);
}

void runOn(new VirtualHost(), function* (): Gen<void> {
  const log = fill();
  const n = log.length;
  out(`${n} records, ${log.bytesUsed} bytes`);
  const reps = 20;
  time("read (decode)", n, reps, () => {
    for (let s = log.first; s < log.end; s++) log.read(s);
  });
  time("read + format", n, reps, () => {
    for (let s = log.first; s < log.end; s++) log.format(log.read(s)!);
  });
  const lines = log.cat();
  for (const p of ["modem", "OK$", "mod[e]m", "(.*.*)*X", "#1[0-9]+:"]) {
    const re = new LinearRegExp(p);
    time(`LinearRegExp ${JSON.stringify(p)} test()`, n, reps, () => {
      for (const l of lines) re.test(l);
    });
  }
  for (const p of ["modem", "mod[e]m", "#1[0-9]+:", "(.*.*)*X"]) {
    const re = new LinearRegExp(p);
    let hits = 0;
    let last = "";
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const got = yield* scanLog(log, re, Infinity, { budgetMs: 1e9, clock: () => performance.now() });
      hits = got.length;
      last = got[got.length - 1] ?? "";
    }
    const ms = (performance.now() - t0) / reps;
    out(`${`scanLog ${JSON.stringify(p)} (${hits} hits)`.padEnd(44)} ${(ms * 1000 / n).toFixed(1).padStart(8)} µs/record ${last.startsWith("(") ? last : ""}`);
  }
});
