// Minimal mocha-compatible BDD runner for the XS engine (xsnap), used by scripts/xs/run-tests.mjs.
// Not loaded under Node: there mocha itself runs the same *.test.ts files.
//
// Supports describe/it/before/after/beforeEach/afterEach (+ context/specify/xit/xdescribe),
// nested suites, .skip and .only, sync tests, promise-returning tests, `done` callbacks,
// `this.timeout(ms)` / `this.skip()` (for non-arrow functions). Tests run sequentially.
//
// XS (xsnap) has no timers besides setImmediate, so async progress only comes from promise jobs
// and setImmediate callbacks. This shim wraps setImmediate to count pending callbacks: when a
// test is still pending, no callback is queued and no promise job is left, nothing can ever settle
// it, so it fails at once as "never settled" instead of letting xsnap exit silently. With the
// device model's job order (docs/testing.md) promise jobs can still be queued when a
// setImmediate callback runs, so the watchdog asks the patched xsnap (`xsnapPendingJobs()`).
// A wall-clock timeout (default 20000 ms, like .mocharc.json) covers tests that spin forever.
//
// Each test and hook body starts from its own setImmediate callback, i.e. from a fresh, shallow JS
// stack like a callback on the device, so the runner's frames do not eat into the 512-slot stack
// of the device model.
import { inspect } from './assert';

type Done = (err?: unknown) => void;
type Fn = (this: Context, done: Done) => unknown;
type Ctx = Record<string, unknown>;

interface Context {
  timeout(ms?: number): unknown;
  slow(ms?: number): unknown;
  retries(n?: number): unknown;
  skip(): never;
}

interface Test {
  title: string;
  fn: Fn | undefined;
  parent: Suite;
  skip: boolean;
  only: boolean;
}

interface Suite {
  title: string;
  parent: Suite | undefined;
  tests: Test[];
  suites: Suite[];
  hooks: Record<HookKind, Fn[]>;
  skip: boolean;
  only: boolean;
  timeout: number | undefined;
  aborted: boolean;
}

type HookKind = 'before' | 'after' | 'beforeEach' | 'afterEach';
type Outcome = { status: 'passed' } | { status: 'pending' } | { status: 'failed'; error: unknown };

const g = globalThis as unknown as Ctx;
const out: (s: string) => void =
  typeof g.print === 'function' ? (g.print as (s: string) => void) : (s) => console.log(s);
const now: () => number =
  typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();
const config = (g.XS_MOCHA ?? {}) as { timeout?: number; file?: string; verbose?: boolean };
const DEFAULT_TIMEOUT = config.timeout ?? 20000;

const newSuite = (title: string, parent: Suite | undefined): Suite => ({
  title, parent, tests: [], suites: [], skip: false, only: false, timeout: undefined, aborted: false,
  hooks: { before: [], after: [], beforeEach: [], afterEach: [] },
});
const root = newSuite('', undefined);
let collecting = root;
let hasOnly = false;

// ---------------------------------------------------------------------------
// Collection API (globals)

function addSuite(title: string, fn: ((this: Ctx) => void) | undefined, mode?: 'skip' | 'only') {
  const suite = newSuite(title, collecting);
  suite.skip = mode === 'skip';
  suite.only = mode === 'only';
  if (mode === 'only') hasOnly = true;
  collecting.suites.push(suite);
  const saved = collecting;
  collecting = suite;
  try {
    fn?.call({ timeout: (ms: number) => { suite.timeout = ms; }, slow() {}, retries() {} });
  } finally {
    collecting = saved;
  }
  return suite;
}

function addTest(title: string, fn: Fn | undefined, mode?: 'skip' | 'only') {
  const test: Test = { title, fn, parent: collecting, skip: mode === 'skip', only: mode === 'only' };
  if (mode === 'only') hasOnly = true;
  collecting.tests.push(test);
  return test;
}

function hook(kind: HookKind) {
  return (titleOrFn: string | Fn, maybeFn?: Fn) => {
    const fn = typeof titleOrFn === 'function' ? titleOrFn : maybeFn;
    if (fn) collecting.hooks[kind].push(fn);
  };
}

export const describe = Object.assign((t: string, fn?: (this: Ctx) => void) => addSuite(t, fn), {
  skip: (t: string, fn?: (this: Ctx) => void) => addSuite(t, fn, 'skip'),
  only: (t: string, fn?: (this: Ctx) => void) => addSuite(t, fn, 'only'),
});
export const it = Object.assign((t: string, fn?: Fn) => addTest(t, fn), {
  skip: (t: string, fn?: Fn) => addTest(t, fn, 'skip'),
  only: (t: string, fn?: Fn) => addTest(t, fn, 'only'),
});
export const before = hook('before');
export const after = hook('after');
export const beforeEach = hook('beforeEach');
export const afterEach = hook('afterEach');
export const xdescribe = describe.skip;
export const xit = it.skip;
export { describe as context, it as specify };
Object.assign(g, { describe, it, before, after, beforeEach, afterEach, context: describe, specify: it, xdescribe, xit });

// ---------------------------------------------------------------------------
// setImmediate bookkeeping + watchdog

interface ActiveCall {
  finish(outcome: Outcome): void;
  start: number;
  ms: number;
}

let active: ActiveCall | undefined;
let userPending = 0;
let finished = false;
let watchdogRunning = false;
const uncaughtOutsideTests: unknown[] = [];
const realSetImmediate = g.setImmediate as (cb: () => void) => unknown;
/** Whether promise jobs are queued (a host function of the patched xsnap; plain xsnap drains them first). */
const promiseJobsPending: () => boolean =
  typeof g.xsnapPendingJobs === 'function' ? (g.xsnapPendingJobs as () => boolean) : () => false;

function onUncaught(error: unknown) {
  if (active) active.finish({ status: 'failed', error });
  else uncaughtOutsideTests.push(error);
}

if (typeof realSetImmediate === 'function') {
  g.setImmediate = (cb: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (finished) return undefined;
    userPending++;
    const callback = args.length === 0 ? cb : () => cb(...args);
    return realSetImmediate(() => {
      userPending--;
      if (finished) return;
      try {
        callback();
      } catch (e) {
        onUncaught(e); // like mocha: an uncaught error fails the running test instead of killing the process
      }
    });
  };
}

function watchdog() {
  const call = active;
  if (!call) {
    watchdogRunning = false;
    return;
  }
  // Nothing queued that could settle the test: no setImmediate callback, no promise job.
  if (userPending === 0 && !promiseJobsPending()) {
    call.finish({ status: 'failed', error: new Error('never settled: the test is still pending but no setImmediate work or promise job is left') });
  } else if (call.ms > 0 && call.ms < 2 ** 31 && now() - call.start > call.ms) {
    call.finish({ status: 'failed', error: new Error(`Timeout of ${call.ms}ms exceeded`) });
  }
  realSetImmediate(watchdog);
}

const PENDING = Symbol('pending');
const INVOKE = Symbol('invoke');

function suiteTimeout(suite: Suite | undefined): number {
  for (let s = suite; s; s = s.parent) if (s.timeout !== undefined) return s.timeout;
  return DEFAULT_TIMEOUT;
}

/** Calls a test or hook function and resolves with its outcome; never rejects. */
function callFn(fn: Fn, suite: Suite): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const call: ActiveCall = {
      start: now(),
      ms: suiteTimeout(suite),
      finish(outcome) {
        if (settled) return;
        settled = true;
        if (active === call) active = undefined;
        if (outcome.status === 'failed' && outcome.error === PENDING) outcome = { status: 'pending' };
        resolve(outcome);
      },
    };
    const fail = (error: unknown) => call.finish({ status: 'failed', error });
    const ctx: Context & { [INVOKE]: Fn } = {
      timeout(ms?: number) {
        if (ms === undefined) return call.ms;
        call.ms = ms;
        call.start = now();
        return ctx;
      },
      slow: () => ctx,
      retries: () => ctx,
      skip() {
        throw PENDING;
      },
      [INVOKE]: fn,
    };
    const done: Done = (err) => (err ? fail(err) : call.finish({ status: 'passed' }));
    const settle = (result: unknown) => {
      if (fn.length === 0) {
        const promise = result as PromiseLike<unknown> | undefined;
        if (promise && typeof promise.then === 'function') {
          promise.then(
            () => call.finish({ status: 'passed' }),
            (err) => fail(err ?? new Error(`Promise rejected with no or falsy reason (${String(err)})`)),
          );
        } else {
          call.finish({ status: 'passed' });
        }
      }
      if (!settled && !watchdogRunning && typeof realSetImmediate === 'function') {
        watchdogRunning = true;
        realSetImmediate(watchdog);
      }
    };
    const begin = () => {
      active = call;
      call.start = now();
    };
    // Runs from its own setImmediate callback, so the body starts on a fresh stack with only this
    // small frame under it (the body is called as a method of its context: no
    // Function.prototype.call frame either). Named so that formatError() can cut the runner's
    // frames off the stack.
    const xsMochaInvoke = () => {
      begin();
      let result: unknown;
      try {
        result = ctx[INVOKE](done); // not a tail call: XS has proper tail calls, which would drop this frame
      } catch (err) {
        fail(err);
        return;
      }
      settle(result);
    };
    if (typeof realSetImmediate === 'function') realSetImmediate(xsMochaInvoke);
    else xsMochaInvoke();
  });
}

// ---------------------------------------------------------------------------
// Running and reporting

let passed = 0;
let failed = 0;
let pending = 0;

function fullTitle(suite: Suite | undefined, title?: string): string {
  const parts: string[] = title === undefined ? [] : [title];
  for (let s = suite; s; s = s.parent) if (s.title) parts.unshift(s.title);
  return parts.join(' ');
}

function formatError(error: unknown): string {
  if (!(error instanceof Error)) return `${inspect(error)} (thrown value is not an Error)`;
  const lines = [`${error.name}: ${error.message}`];
  let frames = typeof error.stack === 'string' ? error.stack.split('\n').filter((l) => /^\s*at /.test(l)) : [];
  // Keep the user's frames: drop the assertion helpers on top and the runner below the test.
  const cut = frames.findIndex((l) => /\bxsMochaInvoke\b/.test(l));
  if (cut >= 0) frames = frames.slice(0, cut);
  while (/^\s*at (AssertionError|raise) \(/.test(frames[0] ?? '')) frames.shift();
  lines.push(...frames.map((l) => `  ${l.trim()}`));
  return lines.join('\n');
}

function reportFailure(title: string, error: unknown) {
  failed++;
  const body = formatError(error).split('\n').map((l) => `     ${l}`).join('\n');
  out(`  ${failed}) ${title}:\n${body}`);
}

function ancestors(suite: Suite): Suite[] {
  const list: Suite[] = [];
  for (let s: Suite | undefined = suite; s; s = s.parent) list.unshift(s);
  return list;
}

const isSelected = (t: Test) => !hasOnly || t.only || ancestors(t.parent).some((s) => s.only);
const isPending = (t: Test) => !t.fn || t.skip || ancestors(t.parent).some((s) => s.skip);

function runnableCount(suite: Suite): number {
  let n = suite.tests.filter((t) => isSelected(t) && !isPending(t)).length;
  for (const s of suite.suites) n += runnableCount(s);
  return n;
}

function markPending(suite: Suite) {
  pending += suite.tests.filter(isSelected).length;
  for (const s of suite.suites) markPending(s);
}

async function runHooks(suite: Suite, kind: HookKind, label: string): Promise<'ok' | 'failed' | 'pending'> {
  // label is e.g. `"before all" hook` or `"after each" hook for "my test"`, as mocha prints it
  for (const fn of suite.hooks[kind]) {
    const outcome = await callFn(fn, suite);
    if (outcome.status === 'pending') return 'pending';
    if (outcome.status === 'failed') {
      reportFailure(`${fullTitle(suite)} ${label}`.trim(), outcome.error);
      return 'failed';
    }
  }
  return 'ok';
}

async function runTest(test: Test) {
  const chain = ancestors(test.parent);
  // XS_TEST_VERBOSE=1: name each test as it starts, to find the one that crashes xsnap
  if (config.verbose) out(`  - ${fullTitle(test.parent, test.title)}`);
  for (const s of chain) {
    const r = await runHooks(s, 'beforeEach', `"before each" hook for "${test.title}"`);
    if (r === 'pending') {
      pending++;
      return;
    }
    if (r === 'failed') {
      s.aborted = true;
      return;
    }
  }
  const outcome = await callFn(test.fn!, test.parent);
  if (outcome.status === 'passed') passed++;
  else if (outcome.status === 'pending') pending++;
  else reportFailure(fullTitle(test.parent, test.title), outcome.error);
  for (const s of chain.reverse()) {
    if ((await runHooks(s, 'afterEach', `"after each" hook for "${test.title}"`)) === 'failed') s.aborted = true;
  }
}

const isAborted = (suite: Suite) => ancestors(suite).some((s) => s.aborted);

function firstTest(suite: Suite): Test | undefined {
  const own = suite.tests.find((t) => isSelected(t) && !isPending(t));
  if (own) return own;
  for (const s of suite.suites) {
    const t = firstTest(s);
    if (t) return t;
  }
  return undefined;
}

async function runSuite(suite: Suite) {
  if (runnableCount(suite) === 0) {
    markPending(suite);
    return;
  }
  const first = firstTest(suite);
  const r = await runHooks(suite, 'before', `"before all" hook${first ? ` for "${first.title}"` : ''}`);
  if (r === 'ok') {
    for (const test of suite.tests) {
      if (!isSelected(test)) continue;
      if (isAborted(suite)) break;
      if (isPending(test)) pending++;
      else await runTest(test);
    }
    for (const child of suite.suites) {
      if (isAborted(suite)) break;
      await runSuite(child);
    }
  } else if (r === 'pending') {
    markPending(suite);
  }
  await runHooks(suite, 'after', '"after all" hook');
}

/**
 * Runs all collected tests and prints the summary; the last line is `N passed, N failed`.
 * `load`, if given, loads the test file first (e.g. a dynamic import, so that errors at load time
 * are caught); run-tests.mjs imports the test file statically instead and catches those errors
 * around the whole bundle.
 */
export async function run(load?: () => Promise<unknown>): Promise<void> {
  try {
    await load?.();
  } catch (err) {
    reportFailure(`loading ${config.file ?? 'test file'}`, err);
  }
  if (failed === 0) {
    try {
      await runSuite(root);
    } catch (err) {
      reportFailure('test runner internal error', err);
    }
  }
  for (const err of uncaughtOutsideTests) reportFailure('uncaught error outside of a test', err);
  if (pending > 0) out(`${pending} pending`);
  out(`${passed} passed, ${failed} failed`);
  finished = true; // drop leftover setImmediate work so that xsnap exits
}
