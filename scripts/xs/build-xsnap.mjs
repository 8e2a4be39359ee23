#!/usr/bin/env node
// Build the `xsnap` command-line program (Moddable XS engine) from the C sources
// shipped in the @agoric/xsnap npm package, into build/xsnap/. Prints the binary path.
//
//   node scripts/xs/build-xsnap.mjs [--force]
//
// @agoric/xsnap is deliberately not a dependency in package.json: its postinstall compiles an
// xsnap we never use (so `npm ci` needed make and a C compiler, even for `npm start`), and its
// JS dependencies want Node 22 (EBADENGINE on Node 20). Instead, on first use, this script
// fetches the pinned tarball with `npm pack` (npm's own cache and registry settings; no install
// scripts run), checks it against the pinned integrity and unpacks it into build/xsnap-pkg/.
// We never use its JS API; we only drive its makefile `xsnap-native/xsnap/makefiles/<os>/xsnap.mk`.
//
// The sources are copied to build/xsnap-src/ and patched there (node_modules is never
// modified) so that the binary can model the Moddable device engine (docs/testing.md). Every
// patch is off unless its environment variable is set, so plain `xsnap` behaves as shipped:
//   XSNAP_STACK_COUNT=<n>         JS stack slots (xsnap: 4096)
//   XSNAP_DEVICE_STACK_COUNT=<n>  as many free slots as a device machine created with n slots
//                                 (the Pico: 512): n plus the 143 slots that xsnap keeps its
//                                 intrinsic roots in, which the device keeps in ROM
//   XSNAP_NAMELESS_FUNCTIONS=1    no function gets a `name` property (xsl preload with strip)
//   XSNAP_DEVICE_RUN_LOOP=1       the Pico main loop's order: one due timer, then one
//                                 generation of promise jobs, and again
// plus a harness global `xsnapPendingJobs()` (true when promise jobs are queued), which lets the
// mocha shim tell "nothing can settle this test" apart from "promise jobs still to run", and a
// list of the JS frames on stderr when the stack overflows.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The pinned @agoric/xsnap: its C sources (XS 13.3.0) are what the host tests run on. */
export const XSNAP_PKG = {
  spec: '@agoric/xsnap@0.15.0',
  integrity: 'sha512-ZBm4DZxbtfacxMHVVdJjZi0Y8zOxN77vpu1WwI5RWfPkaRh0aHkz/dVdTGKXalDNzWfz183lljKxlxl3/h0n+A==',
};
const PKG_DIR = path.join(ROOT, 'build/xsnap-pkg');
const PKG = path.join(PKG_DIR, 'package');
const OS_DIR = process.platform === 'darwin' ? 'mac' : 'lin';
const BUILD_DIR = path.join(ROOT, 'build/xsnap');
/** The patched copy of the sources that the binary is built from. */
const SRC_COPY = path.join(ROOT, 'build/xsnap-src');
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

/**
 * Exact-text patches applied to the copy in build/xsnap-src. Each `find` must occur exactly once
 * in its file, else the build stops: a new @agoric/xsnap version needs the patches reviewed.
 * @type {{ file: string, why: string, find: string, replace: string }[]}
 */
export const PATCHES = [
  {
    file: 'xsnap-native/xsnap/sources/xsnap.c',
    why: 'declare the device-model switches and the pending-jobs host function',
    find: 'static void xsBuildAgent(xsMachine* the);\n',
    replace: 'static void xsBuildAgent(xsMachine* the);\n' +
      '/* xs-async device model (scripts/xs/build-xsnap.mjs) */\n' +
      'extern int gxNamelessFunctions;\n' +
      'extern int gxDeviceRunLoop;\n' +
      'extern int fxDeviceStackAllowance(void);\n' +
      'extern int gxDeviceStackSlots;\n' +
      'extern void xs_pendingJobs(xsMachine* the);\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnap.c',
    why: 'the stack size and the device-model switches come from the environment',
    find: '\txsCreation* creation = &_creation;\n',
    replace: '\txsCreation* creation = &_creation;\n' +
      '\t/* xs-async device model (scripts/xs/build-xsnap.mjs) */\n' +
      '\t{\n' +
      '\t\tchar* names[2] = { "XSNAP_STACK_COUNT", "XSNAP_DEVICE_STACK_COUNT" };\n' +
      '\t\tchar* value;\n' +
      '\t\tint which;\n' +
      '\t\tfor (which = 0; which < 2; which++) {\n' +
      '\t\t\tvalue = getenv(names[which]);\n' +
      '\t\t\tif (value && *value) {\n' +
      '\t\t\t\tint count = atoi(value);\n' +
      '\t\t\t\tif (count < 64) {\n' +
      '\t\t\t\t\tfprintf(stderr, "xsnap: %s must be a number of slots >= 64, not %s\\n", names[which], value);\n' +
      '\t\t\t\t\treturn 1;\n' +
      '\t\t\t\t}\n' +
      '\t\t\t\t_creation.stackCount = which ? count + fxDeviceStackAllowance() : count;\n' +
      '\t\t\t\tgxDeviceStackSlots = which ? count : 0;\n' +
      '\t\t\t}\n' +
      '\t\t}\n' +
      '\t\tvalue = getenv("XSNAP_NAMELESS_FUNCTIONS");\n' +
      '\t\tgxNamelessFunctions = value && !strcmp(value, "1");\n' +
      '\t\tvalue = getenv("XSNAP_DEVICE_RUN_LOOP");\n' +
      '\t\tgxDeviceRunLoop = value && !strcmp(value, "1");\n' +
      '\t}\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnap.c',
    why: 'register xsnapPendingJobs() (a snapshot needs every host callback listed)',
    find: '#define mxSnapshotCallbackCount 18\n',
    replace: '#define mxSnapshotCallbackCount 19\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnap.c',
    why: 'register xsnapPendingJobs() (a snapshot needs every host callback listed)',
    find: '\tfx_harden, // 17\n',
    replace: '\tfx_harden, // 17\n\txs_pendingJobs, // 18\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnap.c',
    why: 'register xsnapPendingJobs()',
    find: ' \txsResult = xsNewHostFunction(fx_harden, 1);\n \txsDefine(xsGlobal, xsID("harden"), xsResult, xsDontEnum);\n',
    replace: ' \txsResult = xsNewHostFunction(fx_harden, 1);\n \txsDefine(xsGlobal, xsID("harden"), xsResult, xsDontEnum);\n' +
      '\txsResult = xsNewHostFunction(xs_pendingJobs, 0);\n' +
      '\txsDefine(xsGlobal, xsID("xsnapPendingJobs"), xsResult, xsDontEnum);\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnapPlatform.c',
    why: 'on a stack overflow, list the JS frames and how deep each one starts (to find what uses the stack)',
    find: 'void fxAbort(txMachine* the, int status)\n{\n',
    replace: `/* xs-async (scripts/xs/build-xsnap.mjs): set when XSNAP_DEVICE_STACK_COUNT sized the stack. */
int gxDeviceStackSlots = 0;

/* xs-async: the JS frames at a stack overflow, innermost first, with the slots in use below each. */
static void fxReportStackFrames(txMachine* the)
{
	txSlot* frame = the->frame;
	int count = 0;
	long total = (long)(the->stackTop - the->stackBottom);
	long roots = gxDeviceStackSlots ? total - gxDeviceStackSlots : 0;
	if (gxDeviceStackSlots)
		fxReport(the, "JS frames, innermost first, with the stack slots in use as a %d-slot device counts them:\\n", gxDeviceStackSlots);
	else
		fxReport(the, "JS frames, innermost first, with the slots in use of the %ld-slot stack:\\n", total);
	while (frame && frame->next) {
		txSlot* function = frame + 3;
		char* name = C_NULL;
		if ((function->kind == XS_REFERENCE_KIND) && mxIsFunction(function->value.reference)) {
			txSlot* code = mxFunctionInstanceCode(function->value.reference);
			if (code->ID != XS_NO_ID)
				name = fxGetKeyName(the, code->ID);
		}
		if (count < 60)
			fxReport(the, "  %5ld  %s\\n", (long)(the->stackTop - frame) - roots, (name && *name) ? name : "(anonymous)");
		count++;
		frame = frame->next;
	}
	if (count > 60)
		fxReport(the, "  ... %d more frames\\n", count - 60);
}

void fxAbort(txMachine* the, int status)
{
`,
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnapPlatform.c',
    why: 'on a stack overflow, list the JS frames',
    find: '\t\tfxReport(the, "stack overflow\\n");\n',
    replace: '\t\tfxReport(the, "stack overflow\\n");\n\t\tfxReportStackFrames(the);\n',
  },
  {
    file: 'moddable/xs/sources/xsFunction.c',
    why: 'XSNAP_NAMELESS_FUNCTIONS: no `name` property for any function, as after the xsl preload ' +
      'with "strip" (functions, classes, methods, arrows, host functions; the code ID stays for stack traces)',
    find: '\tif (gxDefaults.newFunctionName)\n\t\tproperty = gxDefaults.newFunctionName(the, instance, id, index, former, prefix);\n',
    replace: '\tif (gxDefaults.newFunctionName && !gxNamelessFunctions)\n' +
      '\t\tproperty = gxDefaults.newFunctionName(the, instance, id, index, former, prefix);\n',
  },
  {
    file: 'moddable/xs/sources/xsFunction.c',
    why: 'XSNAP_NAMELESS_FUNCTIONS: the switch itself',
    find: '\nvoid fxRenameFunction(txMachine* the, txSlot* instance, txID id, txIndex index, txID former, txString prefix)\n{\n',
    replace: '\n/* xs-async device model (scripts/xs/build-xsnap.mjs) */\nint gxNamelessFunctions = 0;\n' +
      '\nvoid fxRenameFunction(txMachine* the, txSlot* instance, txID id, txIndex index, txID former, txString prefix)\n{\n',
  },
  {
    file: 'moddable/xs/sources/xsFunction.c',
    why: 'XSNAP_NAMELESS_FUNCTIONS: bound functions get no "bound ..." name either',
    find: '\tif (gxDefaults.newFunctionName) {\n\t\ttxSize length = 0;\n',
    replace: '\tif (gxDefaults.newFunctionName && !gxNamelessFunctions) {\n\t\ttxSize length = 0;\n',
  },
  {
    file: 'xsnap-native/xsnap/sources/xsnapPlatform.c',
    why: 'XSNAP_DEVICE_RUN_LOOP: the Pico main-loop order, and xsnapPendingJobs()',
    find: 'void fxRunLoop(txMachine* the)\n{\n\tc_timeval tv;\n\ttxNumber when;\n\ttxJob* job;\n\ttxJob** address;\n\tfor (;;) {\n',
    replace: `/* xs-async device model (scripts/xs/build-xsnap.mjs) */
int gxDeviceRunLoop = 0;

/*
 * XSNAP_DEVICE_STACK_COUNT=n gives the machine n + this many slots. A machine that xsnap creates
 * keeps all its roots (intrinsics, prototypes) on its own JS stack; a device machine is cloned
 * from the preloaded one (fxCloneMachine) and keeps only the first ones (mxGlobal ..
 * mxInstanceInspectors), reading the prototypes from the preloaded machine's stack. So n slots
 * on the device leave about as much room for frames as n + this on xsnap.
 */
int fxDeviceStackAllowance(void)
{
	return mxStackIndexCount - (mxInstanceInspectorsStackIndex + 1);
}

/* xsnapPendingJobs(): true when promise jobs are queued and not yet run. */
void xs_pendingJobs(txMachine* the)
{
	mxResult->kind = XS_BOOLEAN_KIND;
	mxResult->value.boolean = (mxPendingJobs.value.reference->next != C_NULL) ? 1 : 0;
}

/* Runs the first due timer, if any (the same code as in fxRunLoop below). */
static void fxRunOneDueTimer(txMachine* the)
{
	c_timeval tv;
	txNumber when;
	txJob* job;
	txJob** address;
	c_gettimeofday(&tv, NULL);
	when = ((txNumber)(tv.tv_sec) * 1000.0) + ((txNumber)(tv.tv_usec) / 1000.0);
	address = (txJob**)&(the->timerJobs);
	while ((job = *address)) {
		txMachine* the = job->the;
		if (the) {
			if (job->when <= when) {
				fxBeginHost(the);
				mxTry(the) {
					mxPushUndefined();
					mxPush(job->function);
					mxCall();
					mxPush(job->argument);
					mxRunCount(1);
					mxPop();
					if (job->the) {
						if (job->interval) {
							job->when += job->interval;
						}
						else {
							fxAccess(the, &job->self);
							*mxResult = the->scratch;
							fxForget(the, &job->self);
							fxSetHostData(the, mxResult, NULL);
							job->the = NULL;
						}
					}
				}
				mxCatch(the) {
					fxAccess(the, &job->self);
					*mxResult = the->scratch;
					fxForget(the, &job->self);
					fxSetHostData(the, mxResult, NULL);
					job->the = NULL;
					fxAbort(the, XS_UNHANDLED_EXCEPTION_EXIT);
				}
				fxEndHost(the);
				break;
			}
			address = &(job->next);
		}
		else {
			*address = job->next;
			c_free(job);
		}
	}
}

/*
 * The Pico main loop (Moddable build/devices/pico/base/xsmain.c): modTimersExecute() runs due
 * timers, then modMessageService() services messages. fxQueuePromiseJobs() posts one message
 * that calls fxRunPromiseJobs() once: jobs queued while it runs wait for a later message, after
 * timers got their turn. So each pass here runs at most one due timer, then exactly one
 * generation of promise jobs, until neither is left.
 */
static void fxRunDeviceLoop(txMachine* the)
{
	for (;;) {
		fxRunOneDueTimer(the);
		if (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
		fxEndJob(the);
		if (!the->promiseJobs && !the->timerJobs)
			break;
	}
	fxCheckUnhandledRejections(the, 1);
}

void fxRunLoop(txMachine* the)
{
	c_timeval tv;
	txNumber when;
	txJob* job;
	txJob** address;
	if (gxDeviceRunLoop) {
		fxRunDeviceLoop(the);
		return;
	}
	for (;;) {
`,
  },
];

/** Copies the sources to SRC_COPY and applies PATCHES; throws if a patch does not apply. */
function preparePatchedSources() {
  fs.rmSync(SRC_COPY, { recursive: true, force: true });
  for (const dir of SOURCE_DIRS) fs.cpSync(path.join(PKG, dir), path.join(SRC_COPY, dir), { recursive: true });
  for (const { file, why, find, replace } of PATCHES) {
    const target = path.join(SRC_COPY, file);
    const text = fs.readFileSync(target, 'utf8');
    const count = text.split(find).length - 1;
    if (count !== 1) {
      fail(`patch for ${file} (${why}) does not apply: its text occurs ${count} times instead of once.\n` +
        'The @agoric/xsnap sources changed: review PATCHES in scripts/xs/build-xsnap.mjs.\n' +
        `Text looked for:\n${find}`);
    }
    fs.writeFileSync(target, text.replace(find, () => replace));
  }
}

const PATCHES_HASH = createHash('sha256').update(JSON.stringify(PATCHES)).digest('hex').slice(0, 16);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const m = fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/** Fetches the pinned @agoric/xsnap tarball (npm pack), checks its integrity, unpacks it into PKG. */
function fetchSources(log) {
  fs.rmSync(PKG_DIR, { recursive: true, force: true });
  fs.mkdirSync(PKG_DIR, { recursive: true });
  log(`Fetching the XS sources (${XSNAP_PKG.spec}, npm pack) into ${path.relative(ROOT, PKG_DIR)}/ ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', XSNAP_PKG.spec, '--ignore-scripts', '--json', '--pack-destination', PKG_DIR], { cwd: PKG_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] });
  if (r.error || r.status !== 0) {
    fail(`\`npm pack ${XSNAP_PKG.spec}\` failed (${r.error ? r.error.message : `exit ${r.status}`}): the XS engine's sources come from the npm registry on first use.`);
  }
  const tgz = fs.readdirSync(PKG_DIR).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) fail(`\`npm pack ${XSNAP_PKG.spec}\` wrote no tarball into ${PKG_DIR}`);
  const file = path.join(PKG_DIR, tgz);
  const got = 'sha512-' + createHash('sha512').update(fs.readFileSync(file)).digest('base64');
  if (got !== XSNAP_PKG.integrity) {
    fail(`${XSNAP_PKG.spec}: the tarball's integrity is ${got}, expected ${XSNAP_PKG.integrity}; not using it.`);
  }
  const x = spawnSync('tar', ['-xzf', file, '-C', PKG_DIR], { stdio: ['ignore', 2, 2] });
  if (x.error || x.status !== 0) fail(`could not unpack ${file} with tar (${x.error ? x.error.message : `exit ${x.status}`})`);
  fs.rmSync(file);
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
  if (!fs.existsSync(pkgJson) || !fs.existsSync(path.join(makeDir, 'xsnap.mk'))) fetchSources(log);
  const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
  const stamp = JSON.stringify({ version, cc: process.env.CC ?? 'cc', patches: PATCHES_HASH });

  if (!force && fs.existsSync(XSNAP_BIN) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp) {
    const binTime = fs.statSync(XSNAP_BIN).mtimeMs;
    if (SOURCE_DIRS.every((d) => newestMtime(path.join(PKG, d)) < binTime)) return XSNAP_BIN;
  }
  if (force || !fs.existsSync(STAMP) || fs.readFileSync(STAMP, 'utf8') !== stamp) {
    fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  }
  preparePatchedSources();

  // Pre-create the output dirs: the makefile creates them as ordinary prerequisites,
  // which races with the object files under `make -j`.
  fs.mkdirSync(path.join(BUILD_DIR, 'tmp', OS_DIR, 'release', 'xsnap'), { recursive: true });
  fs.mkdirSync(path.dirname(XSNAP_BIN), { recursive: true });

  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const args = [
    `-j${jobs}`,
    '-f', 'xsnap.mk',
    `MODDABLE=${path.join(SRC_COPY, 'moddable')}`,
    `BUILD_DIR=${BUILD_DIR}`,
    'GOAL=release',
  ];
  if (process.env.CC) args.push(`CC=${process.env.CC}`);
  log(`Building xsnap ${version} (release, patched in ${path.relative(ROOT, SRC_COPY)}/) into ${path.relative(ROOT, BUILD_DIR)}/ ...`);
  const t0 = Date.now();
  // make's stdout goes to our stderr so that stdout stays reserved for the binary path.
  const r = spawnSync('make', args, { cwd: path.join(SRC_COPY, 'xsnap-native/xsnap/makefiles', OS_DIR), stdio: ['ignore', 2, 2] });
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
