import tseslint from 'typescript-eslint';
import project from './scripts/eslint/plugin.mjs';

/** Apps (examples/, starter apps) import xs-async by its public entry points only. */
const APP_IMPORTS = [
  { regex: '^(\\.\\./)+(firmware|drivers|sim|host|scripts|moddable)(/|$)', message: 'an app imports xs-async by its public entry points (xs-async, xs-async/sync, xs-async/drivers/uart, ...), not by path' },
  { regex: '^xs-async/(firmware|moddable|scripts|types)(/|$)', message: 'that is inside xs-async: import its public entry point (see package.json "exports" and docs/app.md)' },
];

export default tseslint.config(
  // firmware/platform/pico/*.js: XS-only host-function syntax (`function f() @ "name"`), which no JS parser reads
  { ignores: ['node_modules/**', 'build/**', 'scripts/**/*.mjs', 'eslint.config.mjs', 'firmware/platform/pico/*.js', 'firmware/platform/native/*.js', 'moddable/**', 'starter/template/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin, project },
    rules: {
      // an operation or promise that is neither awaited nor yield*-ed does nothing (or runs detached)
      '@typescript-eslint/no-floating-promises': ['error', { checkThenables: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      'project/yield-star-for-operations': 'error',
      'require-yield': 'off',
    },
  },
  {
    // firmware, drivers and examples run in tasks: an async function there awaits only operations (or
    // external()), and a catch around a wait rethrows a cancel
    files: ['firmware/**/*.ts', 'drivers/**/*.ts', 'examples/**/*.ts'],
    rules: { 'project/await-only-operations': 'error', 'project/catch-rethrows-cancel': 'error' },
  },
  {
    // apps (examples/; the starter's template is type-checked by host-tests/starter.node.test.ts) use public entry points only:
    // `xs-async`, `xs-async/sync`, `xs-async/drivers/uart`... (package.json "exports"), never its files
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...APP_IMPORTS,
          // a device module must not reach the host side: mcconfig's tsc type-checks it with the XS typings
          // (no TextEncoder; ArrayBufferLike without slice) and the build fails
          { regex: '^xs-async/(sim|host)(/|$)', message: 'xs-async/sim and xs-async/host are for the host only: keep them in a module the manifest does not build (like examples/demo/sim-config.ts)' },
        ],
      }],
    },
  },
  {
    // host-only modules of an app (its simulated board wiring): the same rule without the host ban
    files: ['examples/**/sim-config.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: APP_IMPORTS }] },
  },
  {
    // example programs end with their top-level run(...): the program itself, nothing to await it; any
    // other operation or promise left floating is the newcomer's missing yield* or await
    files: ['examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        checkThenables: true,
        allowForKnownSafeCalls: [{ from: 'file', name: ['run', 'runOn'], path: 'firmware/sched/api.ts' }],
      }],
    },
  },
  {
    // the primitives, drivers, control plane and platform glue reach the scheduler through one module, its
    // kernel interface (firmware/sched/kernel.ts), never its other files
    files: ['firmware/sync/**/*.ts', 'firmware/control/**/*.ts', 'firmware/platform/**/*.ts', 'firmware/board/**/*.ts', 'drivers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)sched/(?!kernel$)[^/]+$', message: 'reach the scheduler through its kernel interface, firmware/sched/kernel (docs/primitives.md, "Writing your own primitive")' }],
      }],
    },
  },
  {
    // a test that cannot fail is a defect
    files: ['host-tests/**/*.ts'],
    rules: { 'project/no-assert-in-catch': 'error', 'project/no-tautological-instanceof': 'error' },
  },
);
