// fast-check reads the global setTimeout and clearTimeout once, when its module loads (for its
// `timeout` and `interruptAfterTimeLimit` options, which the tests never use). XS (xsnap) has no
// timers, so give it stand-ins that fail loudly if they are ever called. Imported before fast-check
// by ./fast-check.ts; on Node this does nothing.
const g = globalThis as unknown as Record<string, unknown>;
if (typeof g.setTimeout !== "function") {
  g.setTimeout = (): never => {
    throw new Error("setTimeout is not available on XS: do not use fast-check's time limits here");
  };
  g.clearTimeout = (): void => {};
}
export {};
