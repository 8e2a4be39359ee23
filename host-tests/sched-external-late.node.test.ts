// A foreign promise that settles after its external() wait was cancelled (Node-only: it listens for
// unhandled rejections, which a throwing settle handler would cause).
import { assert } from "./lib/assert";
import { Log, errorText, vrun } from "./helpers";
import { external, isCancelled, sleepMs, spawn } from "../firmware/sched/index";

describe("external() after a cancel", () => {
  it("a foreign promise settling after its external() wait was cancelled is ignored: nothing raised, nothing reported", async () => {
    const log = new Log();
    let settle!: (v: string) => void;
    const p = new Promise<string>((resolve) => { settle = resolve; });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      await vrun(function* () {
        const waiter = spawn("waiter", async () => {
          try {
            await external(p);
          } catch (e) {
            log.add(isCancelled(e) ? "cancelled" : errorText(e));
            throw e;
          }
        });
        yield* sleepMs(5);
        waiter.cancel();
        yield* sleepMs(1);
        settle("late");
        yield* sleepMs(1);
        log.add(`waiter cancelled: ${waiter.cancelled}`);
      });
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    assert.deepEqual(log.items, ["cancelled@5", "waiter cancelled: true@7"]);
    assert.deepEqual(unhandled, []);
  });
});
