// A task that failed as foreign may still run on as plain JavaScript when its foreign promise settles; its
// end must not disturb the task that holds the round at that moment.
import { assert } from "./lib/assert";
import { Log, errorText } from "./helpers";
import { VirtualHost, callLater, current, runOn, sleepMs, spawn } from "../firmware/sched/index";
import { Queue } from "../firmware/sync/index";

/** A project helper that takes a few promise jobs without entering an operation. */
async function settleDown(): Promise<void> {
  for (let i = 0; i < 5; i++) await null;
}

describe("a dead task running on as plain JS", () => {
  it("its function returning while a sibling holds the round leaves the sibling current and the round whole", async () => {
    const log = new Log();
    const host = new VirtualHost();
    await runOn(host, function* () {
      let settle: () => void = () => {};
      const foreign = new Promise<void>((resolve) => { settle = resolve; });
      callLater(5, () => settle()); // in the round of the sibling's wake-up, just before it
      const dead = spawn("dead", async () => {
        await foreign; // fails the task as foreign; resumed later as plain JS, which then returns
        return "returned";
      });
      const q = new Queue<string>(4);
      const sibling = spawn("sibling", async () => {
        await sleepMs(5);
        const me = current();
        await settleDown();
        await q.put("from the sibling");
        await settleDown();
        await sleepMs(1);
        return `ran as ${current() === me ? "itself" : "another task"}, queued ${q.size}`;
      });
      log.add(`sibling: ${yield* sibling.join()}`);
      log.add(`dead: ${dead.state}, ${errorText(dead.error)}`);
    });
    assert.deepEqual(log.items, [
      "sibling: ran as itself, queued 1@6",
      "dead: done, InvalidStateError: task dead awaited something that is not a scheduler operation: wrap foreign promises with external(promise)@6",
    ]);
    // the foreign await is reported once (nobody joins the dead task); nothing else is
    assert.deepEqual(host.lines.map((line) => line.split("\n")[0]), [
      "task dead: unhandled error in a task nobody awaits: InvalidStateError: task dead awaited something that is not a scheduler operation: wrap foreign promises with external(promise)",
    ]);
  });
});
