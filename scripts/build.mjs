#!/usr/bin/env node
// `npm run build:esp32` / `npm run build:pico`: build the firmware with Moddable's mcconfig.
//   node scripts/build.mjs <esp32|pico> [extra mcconfig args, e.g. -d or -p esp32/nodemcu]
// The app: the manifest.json of the current directory (an app made with the starter: `xs-async build pico`),
// or, run in this repository, the demo's (examples/demo/manifest.json). XS_ASYNC is set to this package, so
// the app's "$(XS_ASYNC)/manifest_include.json" is this copy.
// Needs the Moddable SDK (MODDABLE set, its build/bin on PATH) and the device SDK (ESP-IDF 6.0, or
// pico-sdk 2.2.0 with PICO_SDK_DIR); it stops with a clear message when they are missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [target, ...extra] = process.argv.slice(2);

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
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!which('mcconfig')) stop(`mcconfig is not on PATH: add $MODDABLE/build/bin/<lin|mac>/release to PATH (run "make" in $MODDABLE/build/makefiles/lin first).`);
if (!which('tsc')) stop('mcconfig runs "tsc" from PATH: npm install -g typescript (6.x matches Moddable 8.2.3; 5.x works with this manifest).');
const args = ['-m', '-p', target, ...extra];
const env = { ...process.env };
if (target === 'esp32') {
  if (!process.env.IDF_PATH) stop('IDF_PATH is not set: the esp32 build needs ESP-IDF 6.0 (see $MODDABLE/documentation/devices/esp32.md).');
} else {
  if (!process.env.PICO_SDK_DIR) stop('PICO_SDK_DIR is not set: the pico build needs pico-sdk 2.2.0 (see $MODDABLE/documentation/devices/pico.md).');
  args.push('-t', 'build'); // build xs_pico.uf2 without looking for a board; flash it with npm run flash:pico
  env.MAKEFLAGS = `${env.MAKEFLAGS ?? ''} SHELL=/bin/bash`.trim(); // the pico makefile uses bash syntax
}
const cwd = process.cwd();
const manifest = path.resolve(cwd) === ROOT || !fs.existsSync(path.join(cwd, 'manifest.json'))
  ? path.join(ROOT, 'examples', 'demo', 'manifest.json')
  : path.join(cwd, 'manifest.json');
env.XS_ASYNC = ROOT;
const r = spawnSync('mcconfig', [...args, manifest], { cwd: path.dirname(manifest), stdio: 'inherit', env });
process.exit(r.status ?? 1);
