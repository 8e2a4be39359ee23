#!/usr/bin/env node
// `npm run build:esp32` / `npm run build:pico`: build the firmware with Moddable's mcconfig.
//   node scripts/build.mjs <esp32|pico> [--bench] [extra mcconfig args, e.g. -d or -p esp32/nodemcu]
// --bench builds the device bench (bench/device/manifest.json: npm run build:bench:pico / build:bench:esp32)
// instead of the app (see below). Needs the Moddable SDK (MODDABLE set, its build/bin on PATH) and the device
// SDK: ESP-IDF 6.0 (IDF_PATH), or for the Pico every variable Moddable's pico makefile reads: PICO_SDK_DIR
// (pico-sdk 2.2.0), PICO_ROOT (the folder holding pico-examples), PICO_GCC_ROOT (the arm-none-eabi-gcc
// install: /usr for Debian's gcc-arm-none-eabi). It stops naming everything that is missing. It puts this
// repository's node_modules/.bin first on PATH (mcconfig runs tsc from PATH) and MAKEFLAGS=SHELL=/bin/bash
// for the Pico (its makefile uses bash syntax: under sh, mcconfig says "Expected PICO SDK 2.2.0, found 2.2.0").
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [target, ...rest] = process.argv.slice(2);
const bench = rest.includes('--bench');
const extra = rest.filter((a) => a !== '--bench');

function stop(msg) {
  process.stderr.write(`build:${target ?? '?'}: ${msg}\n`);
  process.exit(1);
}

if (target !== 'esp32' && target !== 'pico') stop('usage: node scripts/build.mjs <esp32|pico> [mcconfig args]');
const MODDABLE = process.env.MODDABLE;
if (!MODDABLE || !fs.existsSync(path.join(MODDABLE, 'tools/mcconfig'))) {
  stop('MODDABLE is not set to a Moddable SDK checkout. Install the Moddable SDK 8.2.3 and its host tools ' +
    '(https://github.com/Moddable-OpenSource/moddable, "Moddable SDK - Getting Started"), then\n' +
    '  export MODDABLE=/path/to/moddable; export PATH=$MODDABLE/build/bin/lin/release:$PATH');
}
const env = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { env }).status === 0;
if (!which('mcconfig')) stop(`mcconfig is not on PATH: add $MODDABLE/build/bin/<lin|mac>/release to PATH (run "make" in $MODDABLE/build/makefiles/lin first).`);
if (!which('tsc')) stop('mcconfig runs "tsc" from PATH and there is none in node_modules/.bin: run npm ci first.');
const args = ['-m', '-p', target, ...extra];
if (target === 'esp32') {
  if (!process.env.IDF_PATH) stop('IDF_PATH is not set: the esp32 build needs ESP-IDF 6.0 (see $MODDABLE/documentation/devices/esp32.md).');
} else {
  const missing = [];
  const dir = (name) => process.env[name] && fs.existsSync(process.env[name]) ? process.env[name] : null;
  if (!dir('PICO_SDK_DIR')) missing.push('PICO_SDK_DIR (the pico-sdk 2.2.0 checkout)');
  if (!dir('PICO_ROOT') || !fs.existsSync(path.join(process.env.PICO_ROOT, 'pico-examples'))) missing.push('PICO_ROOT (the folder that holds pico-examples)');
  if (!dir('PICO_GCC_ROOT') || !fs.existsSync(path.join(process.env.PICO_GCC_ROOT, 'bin', 'arm-none-eabi-gcc'))) missing.push('PICO_GCC_ROOT (where bin/arm-none-eabi-gcc is: /usr for Debian\'s gcc-arm-none-eabi)');
  if (missing.length > 0) stop(`Moddable's pico makefile needs ${missing.join(', ')}: set ${missing.length === 1 ? 'it' : 'them'} (see docs/bench.md and $MODDABLE/documentation/devices/pico.md).`);
  args.push('-t', 'build'); // build xs_pico.uf2 without looking for a board; flash it with npm run flash:pico
  env.MAKEFLAGS = `${env.MAKEFLAGS ?? ''} SHELL=/bin/bash`.trim(); // the pico makefile uses bash syntax
}
// The app: the device bench (--bench), the manifest.json of the current directory (an app made with the
// starter: `xs-async build pico`), or, run in this repository, the demo's (examples/demo/manifest.json).
// XS_ASYNC is set to this package, so the app's "$(XS_ASYNC)/manifest_include.json" is this copy.
const cwd = process.cwd();
const manifest = bench
  ? path.join(ROOT, 'bench', 'device', 'manifest.json')
  : path.resolve(cwd) === ROOT || !fs.existsSync(path.join(cwd, 'manifest.json'))
    ? path.join(ROOT, 'examples', 'demo', 'manifest.json')
    : path.join(cwd, 'manifest.json');
env.XS_ASYNC = ROOT;
const r = spawnSync('mcconfig', [...args, manifest], { cwd: path.dirname(manifest), stdio: 'inherit', env });
process.exit(r.status ?? 1);
