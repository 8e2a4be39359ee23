#!/usr/bin/env node
// `xs-async new <dir> [--board pico|esp32] [--from <tarball|dir>]`: write a new app from starter/template.
// --from: where its package.json takes xs-async from (a packed tarball or a directory; default: this copy).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependencyLock } from './lock.mjs';

const APP_DEV = ['typescript', '@types/node'];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(ROOT, 'starter', 'template');

function stop(msg) {
  process.stderr.write(`xs-async new: ${msg}\nusage: xs-async new <dir> [--board pico|esp32] [--from <tarball|dir>]\n`);
  process.exit(2);
}

let dir = null;
let board = 'pico';
let from = ROOT;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--board') board = argv[++i];
  else if (a === '--from') from = argv[++i];
  else if (a.startsWith('-')) stop(`unknown option ${a}`);
  else if (dir === null) dir = a;
  else stop(`one directory, got ${dir} and ${a}`);
}
if (dir === null) stop('name the new app\'s directory');
if (board !== 'pico' && board !== 'esp32') stop(`--board is pico or esp32, got ${JSON.stringify(board)}`);
if (from === undefined || !fs.existsSync(from)) stop(`--from: ${from} does not exist`);
const target = path.resolve(dir);
if (fs.existsSync(target) && fs.readdirSync(target).length > 0) stop(`${target} exists and is not empty`);
const name = path.basename(target).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-app';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const dev = { ...pkg.devDependencies, ...pkg.dependencies };

const BOARDS = {
  pico: `{
  name: "pico",
  leds: { status: { pin: 25 } },
  buttons: { user: { pin: 14 } },
}`,
  esp32: `{
  name: "esp32",
  leds: { status: { pin: 2 } },
  buttons: { user: { pin: 0 } },
}`,
};
const fill = (text) => text.replaceAll('__NAME__', name).replaceAll('__BOARD__', board).replaceAll('__DEVICE_BOARD__', BOARDS[board]);

const written = [];
const write = (rel, text) => {
  const p = path.join(target, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  written.push(rel);
};
const json = (v) => JSON.stringify(v, null, 2) + '\n';

const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else write(path.relative(TEMPLATE, p).replace(/^_gitignore$/, '.gitignore'), fill(fs.readFileSync(p, 'utf8')));
  }
};
walk(TEMPLATE);

const source = path.resolve(from);
write('package.json', json({
  name,
  version: '0.1.0',
  private: true,
  description: `${name}: firmware on xs-async for the ${board === 'pico' ? 'Raspberry Pi Pico' : 'ESP32'}`,
  scripts: {
    start: 'xs-async start',
    test: 'tsc --noEmit -p . && xs-async test',
    'build:pico': 'xs-async build pico',
    'build:esp32': 'xs-async build esp32',
    flash: `xs-async flash ${board}`,
    console: 'xs-async console',
    soak: 'xs-async soak',
  },
  dependencies: { 'xs-async': `file:${source}` },
  devDependencies: { '@types/node': dev['@types/node'], typescript: dev.typescript },
}));
write('tsconfig.json', json({
  compilerOptions: {
    target: 'es2022', lib: ['es2022'], module: 'preserve', moduleResolution: 'bundler', strict: true,
    noImplicitOverride: true, noFallthroughCasesInSwitch: true, isolatedModules: true, skipLibCheck: true, noEmit: true,
    types: ['node'],
  },
  include: ['src/**/*.ts', 'test/**/*.ts', 'node_modules/xs-async/types/**/*.d.ts'],
}));
write('manifest.json', json({
  build: { 'XS_ASYNC ?=': './node_modules/xs-async' },
  include: ['$(MODDABLE)/examples/manifest_base.json', '$(XS_ASYNC)/manifest_include.json'],
  modules: { '*': './src/*' },
  preload: ['app', 'board'],
  typescript: { tsconfig: { compilerOptions: { strict: true, target: 'es2024', lib: ['es2024'], noEmitOnError: true } } },
  platforms: { esp32: { creation: { stack: 1024 } }, pico: { creation: { static: 229376, stack: 1024 } } },
  defines: { pico: { usb: 1 } },
}));
// the lockfile: xs-async from `source`, its dependencies at the versions it is tested with (starter/lock.mjs)
const deps = dependencyLock();
const spec = `file:${source}`;
write('package-lock.json', json({
  name, version: '0.1.0', lockfileVersion: 3, requires: true,
  packages: {
    '': { name, version: '0.1.0', dependencies: { 'xs-async': spec }, devDependencies: { '@types/node': dev['@types/node'], typescript: dev.typescript } },
    'node_modules/xs-async': {
      version: pkg.version, resolved: spec, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin,
      ...(pkg.engines ? { engines: pkg.engines } : {}),
    },
    ...Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, APP_DEV.includes(k.slice('node_modules/'.length)) ? { ...v, dev: true } : v])),
  },
}));
process.stdout.write(`xs-async new: ${name} for the ${board} in ${target}, xs-async from ${source}\n` +
  written.sort().map((f) => `  ${f}\n`).join('') +
  `next:\n  cd ${path.relative(process.cwd(), target) || '.'}\n  npm install\n  npm start\n  npm test\n`);
