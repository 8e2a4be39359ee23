#!/usr/bin/env node
// Bundle one TypeScript/JavaScript entry with esbuild and run it under the XS engine (xsnap).
//
//   node scripts/xs/run-entry.mjs <entry.ts> [args...]
//
// The program sees its arguments as `globalThis.XS_ARGS` (an array of strings) and gets a
// `console` that writes through xsnap's print() (stdout). Output is streamed; the exit code is
// xsnap's: 0 normally, non-zero (5) if the entry throws while loading or an exception escapes a
// setImmediate callback. The bundle is written to build/xs-run/<entry name>.mjs.
// Like run-tests.mjs it runs on the XS device model (docs/testing.md); XS_DEVICE_MODEL=0 turns it off.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureXsnap, ROOT } from './build-xsnap.mjs';
import { bundleProgram, deviceModelEnabled, FIRMWARE_STACK_SLOTS, rel, spec, xsnapCommand, xsnapEnv } from './bundle.mjs';

async function main() {
  const [entryArg, ...args] = process.argv.slice(2);
  if (!entryArg) {
    console.error('usage: node scripts/xs/run-entry.mjs <entry.ts> [args...]');
    return 2;
  }
  const entry = path.resolve(entryArg);
  if (!fs.existsSync(entry)) {
    console.error(`run-entry: ${entryArg} not found`);
    return 2;
  }
  const xsnap = ensureXsnap();
  const outfile = path.join(ROOT, 'build/xs-run', `${rel(entry).replace(/\.[cm]?[jt]s$/, '').replace(/[/\\]/g, '__')}.mjs`);
  // The entry is loaded by a dynamic import (bundleProgram) so that a throw while loading it is
  // caught: xsnap would silently ignore it. Re-throwing from setImmediate makes xsnap report it
  // and exit non-zero.
  const model = deviceModelEnabled();
  const error = await bundleProgram({
    mainContents: `import ${spec(entry)};`,
    outfile,
    model,
    banner: `globalThis.XS_ARGS = ${JSON.stringify(args)};`,
    onLoadError: '(error) => setImmediate(() => { throw error; })',
  });
  if (error) {
    console.error(`run-entry: bundling ${rel(entry)} failed:\n${error}`);
    return 1;
  }
  const [cmd, ...argv] = xsnapCommand(xsnap, outfile);
  const child = spawn(cmd, argv, { stdio: 'inherit', env: xsnapEnv({ model, stackSlots: FIRMWARE_STACK_SLOTS }) });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`run-entry: cannot run xsnap: ${err.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 0)));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err.userFacing ? `run-entry: ${err.message}` : err);
    process.exit(1);
  },
);
