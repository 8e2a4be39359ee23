#!/usr/bin/env node
// The xs-async command (package.json "bin"): make an app, and the tools an app's npm scripts call.
//   xs-async new <dir> [--board pico|esp32] [--from <tarball|dir>]   a new app (starter/new-app.mjs)
//   xs-async start [--for S] [--console-tty P] [--web [PORT]]         the app on the simulated board (host/cli.ts)
//   xs-async test                                                      its tests on Node (node --test, tsx)
//   xs-async soak [--hours H] [--seed S]                               seeded stimuli and faults on the declared parts
//   xs-async build <pico|esp32> [mcconfig args]                        mcconfig on the app's manifest.json
//   xs-async flash <pico|esp32> [args]    xs-async console [args]      the repository's flashing and console tools
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// tsx runs the TypeScript tools (looked up when needed: `new` runs without the dependencies installed)
const tsx = (file) => path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', file);

const [command, ...args] = process.argv.slice(2);

function run(argv) {
  const r = spawnSync(process.execPath, argv, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

function usage(msg) {
  if (msg) process.stderr.write(`xs-async: ${msg}\n`);
  process.stderr.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 9).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(msg ? 2 : 0);
}

/** The app's test files: test/**\/*.test.ts. */
function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

switch (command) {
  case 'new':
    run([path.join(ROOT, 'starter', 'new-app.mjs'), ...args]);
    break;
  case 'start':
  case 'soak':
    run([tsx('cli.mjs'), path.join(ROOT, 'host', 'cli.ts'), command, ...args]);
    break;
  case 'test': {
    const files = args.length > 0 ? args : testFiles(path.resolve('test'));
    if (files.length === 0) usage('no test files (test/**/*.test.ts)');
    run(['--import', pathToFileURL(tsx('loader.mjs')).href, '--test', ...files]);
    break;
  }
  case 'build':
    run([path.join(ROOT, 'scripts', 'build.mjs'), ...args]);
    break;
  case 'flash':
    if (args[0] !== 'pico' && args[0] !== 'esp32') usage('flash pico|esp32 [args]');
    run([tsx('cli.mjs'), path.join(ROOT, 'scripts', 'flash', `${args[0]}.ts`), ...args.slice(1)]);
    break;
  case 'console':
    run([tsx('cli.mjs'), path.join(ROOT, 'scripts', 'console', 'console.ts'), ...args]);
    break;
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    usage();
    break;
  default:
    usage(`unknown command ${JSON.stringify(command)}`);
}
