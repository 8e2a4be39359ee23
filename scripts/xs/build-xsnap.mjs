#!/usr/bin/env node
// Build the `xsnap` command-line program (Moddable XS engine) from the C sources
// shipped in the @agoric/xsnap npm package, into build/xsnap/. Prints the binary path.
//
//   node scripts/xs/build-xsnap.mjs [--force]
//
// We never use @agoric/xsnap's JS API nor its postinstall script (npm does not run it
// here); we only drive its makefile `xsnap-native/xsnap/makefiles/<os>/xsnap.mk`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PKG = path.join(ROOT, 'node_modules/@agoric/xsnap');
const OS_DIR = process.platform === 'darwin' ? 'mac' : 'lin';
const BUILD_DIR = path.join(ROOT, 'build/xsnap');
export const XSNAP_BIN = path.join(BUILD_DIR, 'bin', OS_DIR, 'release', 'xsnap');
const STAMP = path.join(BUILD_DIR, 'stamp.json');

// Everything the makefile compiles or includes.
const SOURCE_DIRS = [
  'moddable/xs/sources',
  'moddable/xs/includes',
  'moddable/xs/platforms',
  'moddable/modules/data/text',
  'moddable/modules/data/base64',
  'xsnap-native/xsnap/sources',
  `xsnap-native/xsnap/makefiles/${OS_DIR}`,
];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const m = fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

function fail(message) {
  const err = new Error(message);
  err.userFacing = true;
  throw err;
}

/**
 * Make sure the release xsnap binary exists and is up to date; returns its path.
 * @param {{ force?: boolean, log?: (msg: string) => void }} [opts]
 */
export function ensureXsnap({ force = false, log = (m) => process.stderr.write(m + '\n') } = {}) {
  const pkgJson = path.join(PKG, 'package.json');
  const makeDir = path.join(PKG, 'xsnap-native/xsnap/makefiles', OS_DIR);
  if (!fs.existsSync(pkgJson) || !fs.existsSync(path.join(makeDir, 'xsnap.mk'))) {
    fail(`@agoric/xsnap sources not found in ${PKG}.\nRun \`npm ci\` (or \`npm install\`) in ${ROOT} first.`);
  }
  const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
  const stamp = JSON.stringify({ version, cc: process.env.CC ?? 'cc' });

  if (!force && fs.existsSync(XSNAP_BIN) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp) {
    const binTime = fs.statSync(XSNAP_BIN).mtimeMs;
    if (SOURCE_DIRS.every((d) => newestMtime(path.join(PKG, d)) < binTime)) return XSNAP_BIN;
  }
  if (force || (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') !== stamp)) {
    fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  }

  // Pre-create the output dirs: the makefile creates them as ordinary prerequisites,
  // which races with the object files under `make -j`.
  fs.mkdirSync(path.join(BUILD_DIR, 'tmp', OS_DIR, 'release', 'xsnap'), { recursive: true });
  fs.mkdirSync(path.dirname(XSNAP_BIN), { recursive: true });

  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const args = [
    `-j${jobs}`,
    '-f', 'xsnap.mk',
    `MODDABLE=${path.join(PKG, 'moddable')}`,
    `BUILD_DIR=${BUILD_DIR}`,
    'GOAL=release',
  ];
  if (process.env.CC) args.push(`CC=${process.env.CC}`);
  log(`Building xsnap ${version} (release) into ${path.relative(ROOT, BUILD_DIR)}/ ...`);
  const t0 = Date.now();
  // make's stdout goes to our stderr so that stdout stays reserved for the binary path.
  const r = spawnSync('make', args, { cwd: makeDir, stdio: ['ignore', 2, 2] });
  if (r.error) {
    fail(`Could not run \`make\` (${r.error.code ?? r.error.message}). Install make and a C compiler (cc), e.g. \`apt-get install build-essential\`.`);
  }
  if (r.status !== 0 || !fs.existsSync(XSNAP_BIN)) {
    fail(`Building xsnap failed (make exited with ${r.status ?? r.signal}). ` +
      `It needs make and a C compiler: \`cc\`, or set CC=... . See the compiler output above.`);
  }
  fs.writeFileSync(STAMP, stamp);
  log(`Built ${path.relative(ROOT, XSNAP_BIN)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return XSNAP_BIN;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureXsnap({ force: process.argv.includes('--force') }));
  } catch (err) {
    console.error(err.userFacing ? `build-xsnap: ${err.message}` : err);
    process.exit(1);
  }
}
