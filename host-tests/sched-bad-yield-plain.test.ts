// A generator task that yields something other than an operation gets the error that says so, also when
// nothing else ever touched it (no join, no cancel: the round loop's fast path for a bare `yield` is taken
// only for a plain checkpoint).
import { assert } from "./lib/assert";
import { errorText, vrun } from "./helpers";
import { sleepMs, spawn, type Gen, type Task } from "../firmware/sched/index";

describe("a bad yield in a task nobody joins", () => {
  it("'yield 5' and 'yield' after an operation started without yield* fail the task with their texts", async () => {
    const texts: string[] = [];
    await vrun(function* (): Gen<void> {
      const yieldsNumber = spawn("number", function* () {
        yield; // a checkpoint first: the bad yield comes in a resumed step
        yield 5;
        return "went on";
      });
      const yieldsAfterUnrun = spawn("unrun", function* () {
        yield;
        void sleepMs(5); // started, never run
        yield;
        return "went on";
      });
      yield* sleepMs(1);
      for (const t of [yieldsNumber, yieldsAfterUnrun] as Task[]) texts.push(`${t.name}: ${t.done} ${errorText(t.error)}`);
    });
    assert.deepEqual(texts, [
      'number: true InvalidStateError: task number yielded 5: a generator task suspends only with "yield* operation" (or a bare "yield" as a checkpoint)',
      'unrun: true InvalidStateError: task unrun yielded undefined: a generator task suspends only with "yield* operation" (or a bare "yield" as a checkpoint) (an operation was yielded with "yield"; use "yield*")',
    ]);
  });
});
