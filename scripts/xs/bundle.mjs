// Shared helpers for run-tests.mjs and run-entry.mjs: bundle TypeScript for XS with esbuild
// and run the result under xsnap.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT } from './build-xsnap.mjs';

export const PRELUDE = path.join(ROOT, 'scripts/xs/prelude.mjs');
export const DEVICE_PRELUDE = path.join(ROOT, 'scripts/xs/device-prelude.mjs');
export const MOCHA_SHIM = path.join(ROOT, 'host-tests/lib/xs-mocha-shim.ts');
/** Moddable's default JS stack for the Pico, in slots (build/devices/pico/manifest.json `creation.stack`). */
export const PICO_STACK_SLOTS = 512;
/**
 * The firmware's JS stack on the Pico, in slots: the project manifest's pico `creation.stack`, else
 * Moddable's default. The test suites run on that size.
 */
export const FIRMWARE_STACK_SLOTS = (() => {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'demo', 'manifest.json'), 'utf8'));
    const n = m?.platforms?.pico?.creation?.stack;
    return typeof n === 'number' && n > 0 ? n : PICO_STACK_SLOTS;
  } catch {
    return PICO_STACK_SLOTS;
  }
})();
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

const SELF = Symbol('xs-modules');
const COMMON = {
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  mainFields: ['module', 'main'],
  logLevel: 'silent',
  legalComments: 'none',
  absWorkingDir: ROOT,
};

/** Readable text of an esbuild failure. */
function buildErrorText(err) {
  if (!Array.isArray(err?.errors)) return String(err?.stack ?? err);
  return err.errors
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '') + m.text)
    .join('\n');
}

/**
 * Bundle `contents` (an ES module whose relative imports are resolved from ROOT) into one
 * ES2022 module at `outfile`. Returns null on success, else a readable error text.
 */
export async function bundle({ contents, outfile, banner = '', plugins = [] }) {
  try {
    await esbuild.build({
      ...COMMON,
      stdin: { contents, resolveDir: ROOT, sourcefile: 'xs-entry.mjs', loader: 'js' },
      outfile,
      bundle: true,
      banner: { js: banner },
      plugins: [...plugins, noNodeBuiltins, mochaToShim],
    });
    return null;
  } catch (err) {
    return buildErrorText(err);
  }
}

/** Where the module compiled from `source` (an absolute path) goes in the tree under `outdir`. */
const modulePath = (outdir, source) =>
  path.join(outdir, path.relative(ROOT, source)).replace(/\.[cm]?[jt]sx?$/, '') + '.mjs';

/**
 * Keeps every import out of the output, rewritten to the absolute path of the imported module's
 * own output file: xsnap's loader then loads each module once (it keys modules by the path string,
 * and an absolute path has a single spelling).
 */
const externalModules = (outdir) => ({
  name: 'external-modules',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind === 'entry-point' || args.pluginData === SELF) return undefined;
      let target = args.path === 'mocha' ? MOCHA_SHIM : undefined;
      if (!target) {
        const r = await build.resolve(args.path, {
          kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: SELF,
        });
        if (r.errors.length > 0) return { errors: r.errors };
        target = r.path;
      }
      return { path: modulePath(outdir, target), external: true };
    });
  },
});

/**
 * Compile `contents` (an ES module whose relative imports resolve from ROOT) and every module it
 * imports, each into its own ES module under `outdir` (a tree mirroring ROOT); the main module is
 * `outdir/main.mjs`. Returns null on success, else a readable error text.
 */
async function buildModuleTree({ contents, outdir }) {
  try {
    fs.rmSync(outdir, { recursive: true, force: true });
    const stdin = { contents, resolveDir: ROOT, sourcefile: '<xs-main>', loader: 'js' };
    // 1. The module graph.
    const graph = await esbuild.build({
      ...COMMON, stdin, bundle: true, write: false, metafile: true, outfile: path.join(outdir, 'all.mjs'),
      plugins: [noNodeBuiltins, mochaToShim],
    });
    const sources = Object.keys(graph.metafile.inputs)
      .filter((p) => p !== '<stdin>' && p !== stdin.sourcefile)
      .map((p) => path.resolve(ROOT, p));
    // 2. Each module on its own, its imports external.
    if (sources.length > 0) {
      const built = await esbuild.build({
        ...COMMON, entryPoints: sources, bundle: true, write: false, outdir, outbase: ROOT,
        plugins: [noNodeBuiltins, externalModules(outdir)],
      });
      // esbuild names the outputs <outdir>/<path from ROOT>.js; the imports point at .mjs files
      const outputs = new Map(built.outputFiles.map((f) => [f.path.replace(/\.js$/, ''), f.contents]));
      for (const source of sources) {
        const file = modulePath(outdir, source);
        const text = outputs.get(file.replace(/\.mjs$/, ''));
        if (!text) throw new Error(`esbuild wrote no output for ${rel(source)}`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
    }
    // 3. The main module.
    await esbuild.build({
      ...COMMON, stdin, bundle: true, outfile: path.join(outdir, 'main.mjs'),
      plugins: [noNodeBuiltins, externalModules(outdir)],
    });
    return null;
  } catch (err) {
    return buildErrorText(err);
  }
}

/** Leaves `import("<main>")` to xsnap's module loader. */
const externalMain = (mainFile) => ({
  name: 'external-main',
  setup(build) {
    build.onResolve({ filter: /\.mjs$/ }, (args) => (args.path === mainFile ? { path: mainFile, external: true } : undefined));
  },
});

/**
 * Build an XS program: `outfile` is the entry, which runs the preludes (and `banner`) first, then
 * `import()`s the main module `mainContents` with `.catch(onLoadError)` (the source of a function
 * expression), so a throw while loading is caught. The main module and every module it imports
 * are compiled one file each into `<outfile without .mjs>/` and loaded by xsnap's module loader,
 * as the device loads one module after the other. Bundling them into one file would change the
 * stack use: the body of one big module keeps a stack slot per top-level binding of every
 * module while it runs, and a lazily imported bundle nests an init function per import level;
 * both overflow a 512-slot stack where the device does not. Returns null on success, else a
 * readable error text.
 * @param {{ mainContents: string, outfile: string, model: boolean, banner?: string, onLoadError: string }} opts
 */
export async function bundleProgram({ mainContents, outfile, model, banner = '', onLoadError }) {
  const outdir = outfile.replace(/\.mjs$/, '');
  const error = await buildModuleTree({ contents: mainContents, outdir });
  if (error) return error;
  const mainFile = path.join(outdir, 'main.mjs');
  const contents = [
    preludeImports(model),
    `import(${JSON.stringify(mainFile)}).catch(${onLoadError});`,
  ].join('\n');
  return bundle({ contents, outfile, banner, plugins: [externalMain(mainFile)] });
}

/**
 * The device model (docs/testing.md) is on unless XS_DEVICE_MODEL=0 (or "off"/"false").
 * @returns {boolean}
 */
export function deviceModelEnabled(env = process.env) {
  return !['0', 'off', 'false', 'no'].includes(String(env.XS_DEVICE_MODEL ?? '').toLowerCase());
}

/**
 * The first lines of an XS entry module: the console prelude, then, with the device model, the
 * device prelude that freezes the built-ins before anything else is evaluated.
 */
export function preludeImports(model) {
  return [`import ${spec(PRELUDE)};`, ...(model ? [`import ${spec(DEVICE_PRELUDE)};`] : [])].join('\n');
}

const MODEL_VARS = ['XSNAP_STACK_COUNT', 'XSNAP_DEVICE_STACK_COUNT', 'XSNAP_NAMELESS_FUNCTIONS', 'XSNAP_DEVICE_RUN_LOOP'];

/**
 * The environment of an xsnap process. With the device model: nameless functions, the Pico's
 * main-loop job order and a device-sized stack (`stackSlots` device slots, default 512; or
 * `rawStackSlots` xsnap slots). Without it, xsnap as shipped (4096 slots unless `rawStackSlots`).
 * @param {{ model: boolean, stackSlots?: number, rawStackSlots?: number, env?: NodeJS.ProcessEnv }} opts
 */
export function xsnapEnv({ model, stackSlots = PICO_STACK_SLOTS, rawStackSlots, env = process.env }) {
  const out = { ...env };
  for (const name of MODEL_VARS) delete out[name];
  if (rawStackSlots !== undefined) out.XSNAP_STACK_COUNT = String(rawStackSlots);
  if (model) {
    if (rawStackSlots === undefined) out.XSNAP_DEVICE_STACK_COUNT = String(stackSlots);
    out.XSNAP_NAMELESS_FUNCTIONS = '1';
    out.XSNAP_DEVICE_RUN_LOOP = '1';
  }
  return out;
}

/** argv for running a bundled module under xsnap, line-buffered when stdbuf is available. */
export function xsnapCommand(xsnap, moduleFile) {
  const argv = [xsnap, '-m', moduleFile];
  return STDBUF ? [STDBUF, '-oL', '-eL', ...argv] : argv;
}

/** Runs xsnap on a bundle and captures stdout+stderr (interleaved); `env` as from xsnapEnv(). */
export function runCaptured(xsnap, moduleFile, timeoutMs, env = process.env) {
  return new Promise((resolve) => {
    const [cmd, ...args] = xsnapCommand(xsnap, moduleFile);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
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

/**
 * Bundles `source` (the text of an ES module; relative imports resolve from ROOT) as a program
 * (bundleProgram) at `outfile` and runs it under xsnap with xsnapEnv({ model, ... }).
 * @param {{ xsnap: string, source: string, outfile: string, model: boolean, stackSlots?: number,
 *   rawStackSlots?: number, timeoutMs?: number }} opts
 * @returns {Promise<{ code: number | null, signal: string | null, timedOut: boolean, output: string }>}
 */
export async function runXsSource({ xsnap, source, outfile, model, stackSlots, rawStackSlots, timeoutMs = 60_000 }) {
  const onLoadError = '(error) => { console.log(`load error: ${String(error)}`); }';
  const error = await bundleProgram({ mainContents: source, outfile, model, onLoadError });
  if (error) throw new Error(`bundling ${rel(outfile)} failed:\n${error}`);
  return runCaptured(xsnap, outfile, timeoutMs, xsnapEnv({ model, stackSlots, rawStackSlots }));
}
