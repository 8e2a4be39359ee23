#!/usr/bin/env node
// `npm run bench`: runs scripts/bench/main.ts on Node and on the XS engine (xsnap) in one go and prints
// rates, sizes and the ratios the design promises. A benchmark, not a test: nothing here fails on speed.
//   node scripts/bench.mjs [quick] [trace]     (trace: only the task trace's cost per switch)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT, ensureXsnap } from './xs/build-xsnap.mjs';

const quick = process.argv.includes('quick');
const OUT = path.join(ROOT, 'build/bench');
fs.mkdirSync(OUT, { recursive: true });

// The task trace's hooks (`if (tracing) TRACE.x(...)` lines in the scheduler) stripped out: the
// baseline that "trace off" is compared with.
const stripTrace = {
  name: 'strip-trace',
  setup(b) {
    b.onLoad({ filter: /firmware[\\/]sched[\\/]scheduler\.ts$/ }, (a) => {
      const src = fs.readFileSync(a.path, 'utf8');
      const out = src.replace(/^[ \t]*if \(tracing\) TRACE\.\w+\([^;\n]*\);\n/gm, '');
      if ((src.match(/if \(tracing\)/g) ?? []).length < 10 || /if \(tracing\)/.test(out)) throw new Error('strip-trace: the trace hooks in scheduler.ts are not where the bench expects them');
      return { contents: out, loader: 'ts' };
    });
  },
};

async function build(engine, args, plugins = []) {
  const outfile = path.join(OUT, `${engine}-${args.join('-') || 'main'}${plugins.length > 0 ? '-stripped' : ''}.mjs`);
  const banner = engine === 'node'
    ? `globalThis.BENCH_ENGINE="node";globalThis.BENCH_ARGS=${JSON.stringify(args)};` +
      'globalThis.benchHeapUsed=()=>{gc();gc();return process.memoryUsage().heapUsed;};'
    : `globalThis.BENCH_ENGINE="xs";globalThis.BENCH_ARGS=${JSON.stringify(args)};`;
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'scripts/bench/main.ts')], outfile, bundle: true, format: 'esm',
    platform: engine === 'node' ? 'node' : 'neutral', target: 'es2022', banner: { js: banner }, logLevel: 'error', plugins,
  });
  return outfile;
}

/** Run one program; returns its BENCH records. On XS, answers memory probes with the process RSS. */
function runProgram(engine, file, xsnap) {
  const cmd = engine === 'node' ? [process.execPath, ['--expose-gc', file]] : ['stdbuf', ['-oL', xsnap, '-m', file]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd[1], { cwd: path.dirname(file), stdio: ['ignore', 'pipe', 'inherit'] });
    const records = [];
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith('BENCH ')) { process.stdout.write(`  [${engine}] ${line}\n`); continue; }
        const rec = JSON.parse(line.slice(6));
        if (rec.probe) {
          const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
          rec.rssBytes = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
        }
        records.push(rec);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(records) : reject(new Error(`${engine} bench exited with ${code}`))));
  });
}

/**
 * The task trace's cost per switch: the same programs with the hooks stripped out, compiled in but off,
 * and on; processes alternate (3 each), 5 runs each, the best run counts (the machine may be busy).
 */
async function measureTrace(engine, xsnap) {
  const args = ['trace', quick ? 'quick' : 'full'];
  const plain = await build(engine, args);
  const stripped = await build(engine, args, [stripTrace]);
  const best = {};
  const keep = (k, v) => { if (best[k] === undefined || v > best[k]) best[k] = v; };
  for (let i = 0; i < 3; i++) {
    for (const [file, tag] of [[stripped, 'none'], [plain, 'hooks']]) {
      const r = Object.assign({}, ...(await runProgram(engine, file, xsnap)));
      if (r.error) throw new Error(`${engine}: ${r.error}`);
      for (const [k, v] of Object.entries(r.trace)) {
        if (tag === 'hooks') keep(k, v);
        else if (k.startsWith('off')) keep(k.replace('off', 'none'), v); // stripped: "on" records nothing
      }
    }
  }
  const ns = (rate) => 1e9 / rate;
  const line = (label, none, off, on) =>
    `  ${label}: no hooks ${ns(none).toFixed(0)} ns, trace off ${ns(off).toFixed(0)} ns (${(ns(off) - ns(none)) >= 0 ? '+' : ''}${(ns(off) - ns(none)).toFixed(1)} ns, ` +
    `${(((ns(off) - ns(none)) / ns(none)) * 100).toFixed(1)}%), trace on ${ns(on).toFixed(0)} ns (+${(ns(on) - ns(none)).toFixed(0)} ns)`;
  console.log([
    `== ${engine}: task trace, time per switch (100 generator tasks; best of 3 processes x 5 runs) ==`,
    line('bare yield          ', best.noneYield, best.offYield, best.onYield),
    line('yield* checkpoint() ', best.noneCp, best.offCp, best.onCp),
    line('Event ping-pong trip', best.nonePing, best.offPing, best.onPing),
    `  one record: ${best.recordBytes} bytes; a switch writes 2 (in, out), a wake-up through an Event 4 (park, wake, in, out)`,
  ].join('\n'));
}

async function measure(engine, xsnap) {
  const main = await runProgram(engine, await build(engine, quick ? ['quick'] : []), xsnap);
  const r = Object.assign({}, ...main);
  if (r.error) throw new Error(`${engine}: ${r.error}`);
  r.mem = {};
  const n = engine === 'xs' ? (quick ? 50000 : 100000) : (quick ? 2000 : 10000);
  for (const kind of ['bare-generator', 'gen-task', 'async-task', 'event', 'lock', 'queue100']) {
    const count = kind === 'queue100' ? Math.max(1000, n / 10) : n;
    const recs = await runProgram(engine, await build(engine, ['mem', kind, String(count)]), xsnap);
    const direct = recs.find((x) => x.mem);
    if (direct) r.mem[kind] = direct.bytesPerItem;
    else {
      const [a, b] = recs.filter((x) => x.probe);
      r.mem[kind] = (b.rssBytes - a.rssBytes) / (count - count / 10);
    }
  }
  return r;
}

const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(2));
const ratio = (a, b) => (a / b).toFixed(2);

function report(engine, r) {
  const lines = [
    `== ${engine} ==`,
    `bare generator resume       10 gens: ${fmt(r.bareGen10)}/s   1000 gens: ${fmt(r.bareGen1000)}/s   bare await null: ${fmt(r.bareAwait)}/s`,
    `checkpoint round robin     10 tasks: ${fmt(r.rr10)}/s   1000 tasks: ${fmt(r.rr1000)}/s   (generator tasks, yield* checkpoint())`,
    `                           10 tasks: ${fmt(r.yieldRr10)}/s   1000 tasks: ${fmt(r.yieldRr1000)}/s   (generator tasks, bare yield)`,
    `                           10 tasks: ${fmt(r.asyncRr10)}/s   1000 tasks: ${fmt(r.asyncRr1000)}/s   (async tasks)`,
    `  cost of a switch / bare resume: yield* checkpoint() 10 tasks ${ratio(r.bareGen10, r.rr10)}x, 1000 tasks ${ratio(r.bareGen1000, r.rr1000)}x;` +
      ` bare yield 10 tasks ${ratio(r.bareGen10, r.yieldRr10)}x, 1000 tasks ${ratio(r.bareGen1000, r.yieldRr1000)}x   (target <= 3x)`,
    `  async switch / bare await:      10 tasks ${ratio(r.bareAwait, r.asyncRr10)}x, 1000 tasks ${ratio(r.bareAwait, r.asyncRr1000)}x`,
    `sleepers (virtual clock, 1 us/step)  100: ${fmt(r.sleepers100.rate)} wakeups/s, lateness mean ${r.sleepers100.lateMean.toFixed(4)} ms max ${r.sleepers100.lateMax.toFixed(3)} ms`,
    `                                   10000: ${fmt(r.sleepers10k.rate)} wakeups/s, lateness mean ${r.sleepers10k.lateMean.toFixed(4)} ms max ${r.sleepers10k.lateMax.toFixed(3)} ms`,
    `  per-wakeup cost 10000 / 100 sleepers: ${ratio(r.sleepers100.rate, r.sleepers10k.rate)}x   (target <= 2x)`,
    `bytes per item (${engine === 'node' ? 'heap slope' : 'process RSS slope'}): bare suspended generator ${r.mem['bare-generator'].toFixed(0)}, ` +
      `parked generator task ${r.mem['gen-task'].toFixed(0)}, parked async task ${r.mem['async-task'].toFixed(0)}`,
    `  parked generator task / bare generator: ${ratio(r.mem['gen-task'], r.mem['bare-generator'])}x   (target <= 1.5x)`,
  ];
  const prim = (label, p) =>
    `primitives (generator tasks, ${label}): Event ping-pong ${fmt(p.eventPingPong)} round trips/s (${ratio(r.bareGen10, p.eventPingPong)}x a bare resume), ` +
    `Lock hand-off ${fmt(p.lockHandoff)}/s, Queue(1) ${fmt(p.queue1)} items/s (${ratio(r.bareGen10, p.queue1)}x), ` +
    `Queue(100) ${fmt(p.queue100)} items/s (${ratio(r.bareGen10, p.queue100)}x), RingbufQueue ${fmt(p.ringbuf)} items/s   (target <= 4x)`;
  lines.push(
    prim('minBatch 1, the default', r.prims),
    prim('minBatch 16', r.prims16),
    `bytes per primitive: Event ${r.mem.event.toFixed(0)}, Lock ${r.mem.lock.toFixed(0)}, Queue(100) full ${r.mem.queue100.toFixed(0)}`,
  );
  const u = r.upy;
  const us = (x) => `${x.toFixed(2)} us`;
  lines.push(
    `MicroPython-comparable workloads (real clock, a host turn per 2 ms batch as on a device; us per operation):`,
    `  round robin 10 tasks ${us(u.rr10)}, 1000 tasks ${us(u.rr1000)} per switch; Event ping-pong ${us(u.event)} per round trip;` +
      ` Queue(1) ${us(u.queue1)}, Queue(100) ${us(u.queue100)} per item`,
    `  1000 tasks sleeping 10 ms (x10): ${us(u.sleep1000.usPerWake)} per wake-up, lateness mean ${u.sleep1000.lateMean.toFixed(2)} ms max ${u.sleep1000.lateMax.toFixed(2)} ms`,
  );
  if (r.heapFlatPrims) lines.push(`heap over 1M primitive operations: ${fmt(r.heapFlatPrims.before)} -> ${fmt(r.heapFlatPrims.after)} bytes (growth ${r.heapFlatPrims.growthBytes} bytes)`);
  if (r.heapFlat) lines.push(`heap over 1M switches: ${fmt(r.heapFlat.before)} -> ${fmt(r.heapFlat.after)} bytes (growth ${r.heapFlat.growthBytes} bytes)`);
  console.log(lines.join('\n'));
}

const xsnap = ensureXsnap({ log: () => {} });
const traceOnly = process.argv.includes('trace');
for (const engine of ['node', 'xs']) {
  await measureTrace(engine, xsnap);
  if (!traceOnly) report(engine, await measure(engine, xsnap));
}
