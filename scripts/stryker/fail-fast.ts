/**
 * Mocha root hook for mutation runs (stryker.config.json requires it): a test gets 10 s instead of the
 * project's 20 s. The core's tests take from under 1 ms to about 0.4 s (the async-bridge tests that drive a
 * UART), several times that under Stryker's per-test coverage on a busy machine. A mutant that leaves a task
 * waiting forever (a wake-up lost, a round never continued) then fails its test in the same worker, before
 * Stryker's own timeout (10 s plus 1.5 times the tests' normal time) kills and restarts the worker.
 */
export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    this.currentTest?.timeout(10_000);
  },
};
