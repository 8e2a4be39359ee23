#!/usr/bin/env node
// Bundle one TypeScript/JavaScript entry with esbuild and run it under the XS engine (xsnap).
//
//   node scripts/xs/run-entry.mjs <entry.ts> [args...]
//
// The program sees its arguments as `globalThis.XS_ARGS` (an array of strings) and gets a
// `console` that writes through xsnap's print() (stdout). Output is streamed; the exit code is
// xsnap's: 0 normally, non-zero (5) if the entry throws while loading or an exception escapes a
// setImmediate callback. The bundle is written to build/xs-run/<entry name>.mjs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureXsnap, ROOT } from './build-xsnap.mjs';
import { bundle, PRELUDE, rel, spec, xsnapCommand } from './bundle.mjs';

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
  // A dynamic import so that a throw while loading the entry is caught: xsnap would silently
  // ignore it. Re-throwing from setImmediate makes xsnap report it and exit non-zero.
  const contents = [
    `import ${spec(PRELUDE)};`,
    `import(${spec(entry)}).catch((error) => setImmediate(() => { throw error; }));`,
  ].join('\n');
  const error = await bundle({ contents, outfile, banner: `globalThis.XS_ARGS = ${JSON.stringify(args)};` });
  if (error) {
    console.error(`run-entry: bundling ${rel(entry)} failed:\n${error}`);
    return 1;
  }
  const [cmd, ...argv] = xsnapCommand(xsnap, outfile);
  const child = spawn(cmd, argv, { stdio: 'inherit' });
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
