// Node-only helper of the *.node.test.ts suites that need a pseudo-terminal pair (socat).
import { spawnSync } from "node:child_process";

/**
 * Whether socat is installed. Without it the pty suites are skipped with a message, except in CI
 * (CI=true), where a missing socat is a failure: there the real serial-path tests must run.
 */
export function socatOrSkip(ctx: Mocha.Context, what: string): void {
  if (spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0) return;
  if (process.env.CI === "true") throw new Error(`socat is not installed, and CI=true: the ${what} tests must run in CI (apt-get install -y socat)`);
  console.log(`    (skipped: socat is not installed; apt-get install -y socat to run the ${what} tests)`);
  ctx.skip();
}
