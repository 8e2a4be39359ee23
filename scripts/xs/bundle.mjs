// Shared helpers for run-tests.mjs and run-entry.mjs: bundle TypeScript for XS with esbuild
// and run the result under xsnap.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT } from './build-xsnap.mjs';

export const PRELUDE = path.join(ROOT, 'scripts/xs/prelude.mjs');
export const MOCHA_SHIM = path.join(ROOT, 'host-tests/lib/xs-mocha-shim.ts');
const STDBUF = ['/usr/bin/stdbuf', '/bin/stdbuf'].find((p) => fs.existsSync(p));

export const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');
/** An import specifier for an absolute path, usable from a file in ROOT. */
export const spec = (abs) => JSON.stringify(`./${rel(abs)}`);

const builtins = new Set(builtinModules);

/** Fails the build, naming the importing file, when Node built-ins are imported. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!args.path.startsWith('node:') && !builtins.has(args.path)) return undefined;
      const importer = args.importer ? rel(args.importer) : 'the entry';
      return {
        errors: [{
          text: `${importer} imports the Node built-in "${args.path}", which does not exist on XS. ` +
            'If this is a Node-only test, name it *.node.test.ts (it is then skipped on XS).',
        }],
      };
    });
  },
};

/** `import ... from 'mocha'` resolves to the XS shim (it exports the same globals). */
const mochaToShim = {
  name: 'mocha-to-shim',
  setup(build) {
    build.onResolve({ filter: /^mocha$/ }, () => ({ path: MOCHA_SHIM }));
  },
};

/**
 * Bundle `contents` (an ES module whose relative imports are resolved from ROOT) into one
 * ES2022 module at `outfile`. Returns null on success, else a readable error text.
 */
export async function bundle({ contents, outfile, banner = '' }) {
  try {
    await esbuild.build({
      stdin: { contents, resolveDir: ROOT, sourcefile: 'xs-entry.mjs', loader: 'js' },
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      banner: { js: banner },
      plugins: [noNodeBuiltins, mochaToShim],
      logLevel: 'silent',
      legalComments: 'none',
    });
    return null;
  } catch (err) {
    if (!Array.isArray(err.errors)) return String(err?.stack ?? err);
    return err.errors
      .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '') + m.text)
      .join('\n');
  }
}

/** argv for running a bundled module under xsnap, line-buffered when stdbuf is available. */
export function xsnapCommand(xsnap, moduleFile) {
  const argv = [xsnap, '-m', moduleFile];
  return STDBUF ? [STDBUF, '-oL', '-eL', ...argv] : argv;
}

/** Runs xsnap on a bundle and captures stdout+stderr (interleaved) . */
export function runCaptured(xsnap, moduleFile, timeoutMs) {
  return new Promise((resolve) => {
    const [cmd, ...args] = xsnapCommand(xsnap, moduleFile);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, output: String(error) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
