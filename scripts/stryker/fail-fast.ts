/**
 * Mocha root hook for mutation runs (stryker.config.json requires it): a test gets 3 s instead of the
 * project's 20 s. The core's tests finish in well under 100 ms each, so a mutant that leaves a task
 * waiting forever (a wake-up lost, a round never continued) fails its test after 3 s, in the same worker,
 * instead of running into Stryker's own timeout, which kills and restarts the worker (several seconds).
 */
export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    this.currentTest?.timeout(3000);
  },
};
