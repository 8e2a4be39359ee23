#!/usr/bin/env node
// Run the mocha suites host-tests/**/*.test.ts on the XS engine (xsnap).
//
//   node scripts/xs/run-tests.mjs [filter]     (npm run test:xs -- [filter])
//
// Each test file is bundled on its own (build/xs-tests/*.mjs) with the prelude and the mocha
// shim (host-tests/lib/xs-mocha-shim.ts) first, then run by its own xsnap process, so a crashing
// file cannot hide the results of the others. `filter` keeps files whose path contains it.
// Files named *.node.test.ts are Node-only and skipped here. The last line printed is the grand
// total `N passed, N failed`; the exit code is 1 if anything failed or crashed, or no test ran.
// Env: XS_TEST_FILE_TIMEOUT_MS (default 900000: sched-immediate.test.ts runs 10^6 awaits, minutes on a loaded machine) kills an xsnap process that runs too long;
// XS_TEST_VERBOSE=1 prints each test's title as it starts (to find the one that crashes xsnap).
// The tests run on the XS device model (docs/testing.md: frozen built-ins, nameless functions, the
// Pico's 512-slot stack and job order); XS_DEVICE_MODEL=0 runs them on plain xsnap instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureXsnap, ROOT } from './build-xsnap.mjs';
import {
  bundleProgram, deviceModelEnabled, FIRMWARE_STACK_SLOTS, MOCHA_SHIM, rel, runCaptured, spec, xsnapEnv,
} from './bundle.mjs';

const TEST_DIR = path.join(ROOT, 'host-tests');
const OUT_DIR = path.join(ROOT, 'build/xs-tests');
const SUMMARY = /^(\d+) passed, (\d+) failed$/;
const UNHANDLED = 'UnhandledPromiseRejectionWarning:';
const FILE_TIMEOUT_MS = Number(process.env.XS_TEST_FILE_TIMEOUT_MS ?? 900_000);

function mochaTimeout() {
  try {
    const t = JSON.parse(fs.readFileSync(path.join(ROOT, '.mocharc.json'), 'utf8')).timeout;
    return typeof t === 'number' ? t : 20000;
  } catch {
    return 20000;
  }
}

/** @returns {Promise<{ passed: number, failed: number, text: string }>} */
async function runFile(xsnap, file, timeout, model) {
  const name = rel(file);
  if (name.endsWith('.node.test.ts')) return { passed: 0, failed: 0, text: `${name}: skipped on XS (Node-only test)` };
  const t0 = Date.now();
  const outfile = path.join(OUT_DIR, `${name.replace(/\.ts$/, '').replace(/[/\\]/g, '__')}.mjs`);
  // The test file is imported statically (flat modules, see bundleProgram); a throw while loading
  // it is reported here in the shim's format.
  const mainContents = [
    `import { run } from ${spec(MOCHA_SHIM)};`,
    `import ${spec(file)};`,
    'run();',
  ].join('\n');
  const verbose = process.env.XS_TEST_VERBOSE === '1';
  const banner = `globalThis.XS_MOCHA = ${JSON.stringify({ timeout, file: name, verbose })};`;
  const onLoadError = `(error) => {
    const text = String((error && error.stack) || error).split('\\n').map((l) => '     ' + l.trim()).join('\\n');
    print(${JSON.stringify(`  1) loading ${name}:`)} + '\\n' + text);
    print('0 passed, 1 failed');
  }`;
  const buildError = await bundleProgram({ mainContents, outfile, model, banner, onLoadError });
  if (buildError) return { passed: 0, failed: 1, text: `${name}: BUNDLE FAILED\n${indent(buildError)}` };

  const { code, signal, timedOut, output } = await runCaptured(xsnap, outfile, FILE_TIMEOUT_MS, xsnapEnv({ model, stackSlots: FIRMWARE_STACK_SLOTS }));
  const lines = output.replace(/\n$/, '').split('\n');
  const idx = lines.findLastIndex((l) => SUMMARY.test(l));
  let passed = 0;
  let failed = 0;
  const problems = [];
  if (idx >= 0) {
    [, passed, failed] = lines[idx].match(SUMMARY).map(Number);
    lines.splice(idx, 1);
  } else {
    problems.push('no summary line: the file crashed or exited before its tests finished');
  }
  const unhandled = lines.filter((l) => l.startsWith(UNHANDLED)).length;
  if (unhandled) problems.push(`${unhandled} unhandled promise rejection(s)`);
  if (timedOut) problems.push(`killed after ${FILE_TIMEOUT_MS} ms (XS_TEST_FILE_TIMEOUT_MS)`);
  else if (code !== 0) problems.push(`xsnap exited with ${code ?? signal}`);
  if (problems.length) failed += Math.max(1, unhandled);
  const ms = Date.now() - t0;
  const status = problems.length ? `${idx >= 0 ? 'ERRORS' : 'CRASHED'} (${problems.join('; ')}), ` : '';
  const body = lines.filter((l) => l !== '').join('\n');
  return { passed, failed, text: `${name}: ${status}${passed} passed, ${failed} failed (${ms} ms)${body ? `\n${body}` : ''}` };
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

const indent = (s) => s.split('\n').map((l) => `    ${l}`).join('\n');

async function main() {
  const filter = process.argv[2] ?? '';
  const files = fs.readdirSync(TEST_DIR, { recursive: true })
    .map((f) => path.join(TEST_DIR, f))
    .filter((f) => f.endsWith('.test.ts') && !f.includes(`${path.sep}node_modules${path.sep}`))
    .filter((f) => rel(f).includes(filter))
    .sort();
  const xsnap = ensureXsnap();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const timeout = mochaTimeout();
  const model = deviceModelEnabled();
  console.log(model
    ? `XS device model on (frozen built-ins, nameless functions, the firmware's ${FIRMWARE_STACK_SLOTS}-slot Pico stack, Pico job order); XS_DEVICE_MODEL=0 turns it off`
    : 'XS device model off (XS_DEVICE_MODEL=0): plain xsnap');

  // Run files in parallel (one xsnap each), print results in file order.
  const slots = files.map(deferred);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      slots[i].resolve(await runFile(xsnap, files[i], timeout, model).catch((err) =>
        ({ passed: 0, failed: 1, text: `${rel(files[i])}: RUNNER ERROR\n${indent(String(err?.stack ?? err))}` })));
    }
  };
  const workers = Array.from({ length: Math.min(files.length, os.availableParallelism()) }, worker);
  let passed = 0;
  let failed = 0;
  for (const slot of slots) {
    const r = await slot.promise;
    passed += r.passed;
    failed += r.failed;
    console.log(r.text);
  }
  await Promise.all(workers);
  if (files.length === 0) console.log(`No test files found${filter ? ` matching "${filter}"` : ''}.`);
  else if (passed + failed === 0) console.log('No tests ran.');
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed + failed === 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(err.userFacing ? `run-tests: ${err.message}` : err);
  process.exit(1);
});
