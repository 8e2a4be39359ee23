// npm run soak -- [--days N] [--seed S[,S2...]] [--quiet]
// Boots the demo on the simulated board on the virtual clock, drives a seeded mix of stimuli and faults,
// prints an hourly table and a verdict per seed (see docs/testing.md). Exit status 1 if any seed fails.
import { TABLE_HEADER, formatRow, runSoak, type SoakResult } from "./run";

function usage(msg: string): never {
  process.stderr.write(`soak: ${msg}\nusage: npm run soak -- [--days N] [--seed S[,S...]] [--quiet]\n`);
  process.exit(2);
}

function parse(argv: string[]): { days: number; seeds: number[]; quiet: boolean } {
  let days = 1;
  let seeds = [1];
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === "--days") {
      days = Number(v);
      if (!(days > 0 && days <= 365)) usage(`--days is a number of simulated days from 0 to 365, got ${JSON.stringify(v)}`);
      i++;
    } else if (a === "--seed" || a === "--seeds") {
      seeds = (v ?? "").split(",").map((x) => Number(x));
      if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x))) usage(`--seed is an integer or a comma-separated list, got ${JSON.stringify(v)}`);
      i++;
    } else if (a === "--quiet") quiet = true;
    else usage(`unknown argument ${JSON.stringify(a)}`);
  }
  return { days, seeds, quiet };
}

function wall(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

async function main(): Promise<void> {
  const { days, seeds, quiet } = parse(process.argv.slice(2));
  const results: SoakResult[] = [];
  for (const seed of seeds) {
    const t0 = Date.now();
    const total = days * 86400000;
    const tty = process.stderr.isTTY === true;
    let lastPct = -1;
    const progress = (simMs: number): void => {
      const f = Math.min(1, simMs / total);
      const bar = "#".repeat(Math.round(f * 30)).padEnd(30, ".");
      const line = `seed ${seed} [${bar}] day ${(simMs / 86400000).toFixed(2)} of ${days}, ${wall(Date.now() - t0)} wall`;
      if (tty) process.stderr.write(`\r${line}`);
      else if (Math.floor(f * 10) !== lastPct) {
        lastPct = Math.floor(f * 10);
        process.stderr.write(line + "\n");
      }
    };
    process.stdout.write(`\nsoak: seed ${seed}, ${days} simulated day${days === 1 ? "" : "s"}\n`);
    if (!quiet) process.stdout.write(TABLE_HEADER + "\n");
    const r = await runSoak({
      days, seed,
      onHour: (row) => {
        if (quiet) return;
        if (tty) process.stderr.write("\r\x1b[K");
        process.stdout.write(formatRow(row) + "\n");
      },
      onProgress: progress,
    });
    if (tty) process.stderr.write("\r\x1b[K");
    results.push(r);
    const t = r.totals;
    process.stdout.write(
      `totals: ${t.events} events (${t.faults} faults); clicks ${t.clicksSeen}/${t.clicks}, doubles ${t.doublesSeen}/${t.doubles}, longs ${t.longsSeen}/${t.longs}, ` +
        `spurious button events in ${t.noisySlots} noisy slots ${t.spurious}; IR keys ${t.irKeysSeen}/${t.irKeys}, bad frames ${t.irBadSeen}/${t.irBad}; ` +
        `samples ${t.samples}, failed ${t.sampleFailures}/${t.htuFaults} faults, stored ${t.records}, EEPROM probes ${t.eepromProbes} (${t.unplugs} unplugs, ${t.writeRestarts} restarts in a write cycle); ` +
        `modem garbled ${t.garbled}/${t.noise}, unanswered ${t.modemSilent}; console errors ${t.consoleErrors}/${t.garbage + t.badArgs}; ` +
        `operator stops ${t.stops}, restarts ${t.opRestarts}; service failures ${t.serviceFailures}, automatic restarts ${t.restarts}\n`,
    );
    process.stdout.write(`digest ${r.digest}\n`);
    if (r.violations.length === 0) process.stdout.write(`PASS seed ${seed}: ${days} simulated days, every invariant held (${wall(r.wallMs)} wall)\n`);
    else {
      process.stdout.write(`FAIL seed ${seed}: ${r.violations.length} broken invariants (${wall(r.wallMs)} wall)\n`);
      for (const v of r.violations.slice(0, 30)) process.stdout.write(`  ${v}\n`);
    }
  }
  process.exitCode = results.every((r) => r.violations.length === 0) ? 0 : 1;
}

void main();
