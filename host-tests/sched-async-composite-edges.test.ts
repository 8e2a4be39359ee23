// An async task running a generator block inline in a composite, when the block yields a value (a user's mistake).
import { assert } from "./lib/assert";
import { Log, errorText, rejection, vrun } from "./helpers";
import { failAfter } from "../firmware/sched/index";

describe("a composite's generator block in an async task", () => {
  it("a generator block that yields a value inside failAfter in an async task fails with the composite's error", async () => {
    const log = new Log();
    await vrun(async () => {
      const e = await rejection(() => failAfter(100, function* () {
        yield 5 as never;
      }));
      log.add(errorText(e));
    });
    assert.deepEqual(log.items, ["InvalidStateError: task main: a composite's body yielded 5@0"]);
  });
});
