// The async bridge's limit, as docs/scheduler.md states it: a task fails as foreign when 100 promise-job
// generations pass without it entering an operation; fewer are fine (an async helper's await costs one to
// three). A bare `await null` is one generation.
import { assert } from "./lib/assert";
import { errorText } from "./helpers";
import { VirtualHost, runOn, sleepMs, spawn, type Gen } from "../firmware/sched/index";

/** `count` bare awaits in a row: `count` promise-job generations without an operation. */
async function bareAwaits(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await null;
}

/** How a task doing `count` bare awaits in its first slice ends (joined by main), and what was printed. */
async function firstSlice(count: number): Promise<string> {
  return runOn(new VirtualHost(), function* () {
    const t = spawn("t", async () => {
      await bareAwaits(count);
      await sleepMs(1);
      return "ran on";
    });
    try {
      return yield* t.join();
    } catch (e) {
      return errorText(e);
    }
  });
}

/**
 * How a task doing `count` bare awaits right after it was resumed ends: resumed with a value (a sleep
 * ended) or with an error (a child it joins failed), alone or right after another async task in the
 * same round ended.
 */
async function afterResume(count: number, how: "value" | "error", afterAnotherEnded: boolean): Promise<string> {
  return runOn(new VirtualHost(), function* () {
    if (afterAnotherEnded) spawn("other", async () => { await sleepMs(1); await null; });
    const t = spawn("t", async () => {
      if (how === "value") {
        await sleepMs(1);
      } else {
        const child = spawn("child", function* (): Gen<void> { yield* sleepMs(1); throw new Error("child failed"); });
        try { await child.join(); } catch { /* expected: resumed by the child's error */ }
      }
      await bareAwaits(count);
      await sleepMs(1);
      return "ran on";
    });
    try {
      return yield* t.join();
    } catch (e) {
      return errorText(e);
    }
  });
}

const FOREIGN = "InvalidStateError: task t awaited something that is not a scheduler operation: wrap foreign promises with external(promise)";

describe("the async bridge's limit of 100 generations", () => {
  it("in a task's first slice: 99 bare awaits pass, 100 fail", async () => {
    assert.deepEqual([await firstSlice(99), await firstSlice(100)], ["ran on", FOREIGN]);
  });

  for (const how of ["value", "error"] as const) {
    for (const afterAnotherEnded of [false, true]) {
      it(`after a resume with ${how === "value" ? "a value" : "an error"}${afterAnotherEnded ? ", right after another async task ended" : ""}: 97 bare awaits pass, 98 fail (the resume costs generations too)`, async () => {
        assert.deepEqual(
          [await afterResume(97, how, afterAnotherEnded), await afterResume(98, how, afterAnotherEnded)],
          ["ran on", FOREIGN],
        );
      });
    }
  }
});
