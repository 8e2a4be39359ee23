// callGen, the one way a composite runs the user's block (drivers use it: ManagedResource.use records the
// child task through `onChild`, so that closing the resource can cancel the block's task).
import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { callGen } from "../firmware/sched/body";
import { current, sleepMs, type Task } from "../firmware/sched/index";

describe("callGen's onChild", () => {
  it("an async block in a generator task runs in a child task '<task>/block', and onChild is told that task first", async () => {
    const log = new Log();
    const told: Task[] = [];
    const result = await vrun(function* () {
      const t = current();
      t.name = "user";
      return yield* callGen(t, async (a: number) => {
        log.add(`block runs in ${current().name} with ${a}; onChild told ${told.map((c) => c.name).join(",")}`);
        await sleepMs(5);
        return a * 2;
      }, [21], (c) => told.push(c));
    });
    assert.equal(result, 42);
    assert.deepEqual(log.items, ["block runs in user/block with 21; onChild told user/block@0"]);
    assert.equal(told.length, 1);
    assert.equal(told[0]!.done, true);
  });
});
