#!/usr/bin/env node
// The first step of `npm test`: what the suites need from the machine, said once, before any suite runs.
// - A C compiler (cc, or $CC) and make: the XS suites (and the device-model tests among the Node ones)
//   build their engine, xsnap, on first use. Missing, with no engine built yet: one line, exit 1.
// - Chromium (the dashboard's browser test) and socat (the pseudo-terminal tests of the flash and console
//   tools): missing, their tests are skipped, and this says so here once. With CI=true they are required:
//   missing, exit 1 (.ci/run installs them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { XSNAP_BIN } from './xs/build-xsnap.mjs';

const has = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
};
const ci = process.env.CI === 'true';
const problems = [];
const cc = process.env.CC ?? 'cc';
if (!fs.existsSync(XSNAP_BIN)) {
  const missing = [has(cc, ['--version']) ? null : `a C compiler (${cc})`, has('make', ['--version']) ? null : 'make'].filter((x) => x !== null);
  if (missing.length > 0) problems.push(`${missing.join(' and ')} not found: the XS suites build their engine (xsnap) with them; install them (apt-get install -y gcc make) or run npm run test:node alone`);
}
// CHROMIUM_PATH, else chromium or chromium-browser on PATH (host-tests/dashboard.node.test.ts looks the same way)
const onPath = (name) => (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '').map((d) => path.join(d, name)).find((f) => {
  try {
    fs.accessSync(f, fs.constants.X_OK);
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
});
const chromium = process.env.CHROMIUM_PATH ? (fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined) : onPath('chromium') ?? onPath('chromium-browser');
const optional = [];
if (chromium === undefined) optional.push(['chromium', "the dashboard's browser test", 'apt-get install -y chromium, or put it on PATH or in CHROMIUM_PATH']);
if (!has('socat', ['-V'])) optional.push(['socat', 'the pseudo-terminal tests of flash:esp32 and npm run console', 'apt-get install -y socat']);
for (const [what, tests, fix] of optional) {
  if (ci) problems.push(`${what} is not installed, and CI=true: ${tests} must run (${fix})`);
  else process.stdout.write(`npm test: ${what} is not installed: ${tests} will be skipped (${fix}; CI=true makes it required)\n`);
}
for (const p of problems) process.stderr.write(`npm test: ${p}\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
