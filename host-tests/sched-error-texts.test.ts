// What a user reads when an operation is used the wrong way or a deadline passes: the exact texts, since
// they are the only guide a newcomer gets (each says what to do instead).
import { assert } from "./lib/assert";
import { Log, errorText, raised, vrun } from "./helpers";
import { checkpoint, failAfter, sleepMs, spawn, waitFor, type Gen } from "../firmware/sched/index";

describe("error texts a user reads", () => {
  it("an operation started outside any task says that operations belong in tasks and how to wrap foreign promises", () => {
    assert.throws(() => sleepMs(5), {
      name: "InvalidStateError",
      message:
        "no task is running here: scheduler operations must be called from a task (in an async task, await " +
        "only scheduler operations; wrap other promises with external())",
    });
  });

  it("failAfter and waitFor raise TimeoutError naming the deadline", async () => {
    const log = new Log();
    await vrun(function* () {
      log.add(errorText(yield* raised(failAfter(25, () => sleepMs(100)))));
      log.add(errorText(yield* raised(waitFor(40, function* () { yield* sleepMs(100); }))));
    });
    assert.deepEqual(log.items, ["TimeoutError: timed out after 25 ms@25", "TimeoutError: timed out after 40 ms@65"]);
  });

  it("an operation yielded with a bare yield fails the task with a hint to use yield*; another value without it", async () => {
    const log = new Log();
    await vrun(function* () {
      const withOp = spawn("withOp", function* (): Gen<void> {
        yield sleepMs(5) as unknown as undefined;
      });
      const withValue = spawn("withValue", function* (): Gen<void> {
        yield 42 as unknown as undefined;
      });
      log.add(errorText(yield* raised(withOp.join())));
      log.add(errorText(yield* raised(withValue.join())));
    });
    assert.deepEqual(log.items, [
      'InvalidStateError: task withOp yielded an object: a generator task suspends only with "yield* operation" (or a bare "yield" as a checkpoint) (an operation was yielded with "yield"; use "yield*")@0',
      'InvalidStateError: task withValue yielded 42: a generator task suspends only with "yield* operation" (or a bare "yield" as a checkpoint)@0',
    ]);
  });

  it("a then() with no rejection handler on a generator task's operation or checkpoint calls nothing and loses nothing", async () => {
    const log = new Log();
    await vrun(function* () {
      void sleepMs(5).then(() => log.add("sleep resolved"));
      void checkpoint().then(() => log.add("checkpoint resolved"));
      yield* sleepMs(3); // the task goes on: its next operation runs
      log.add("slept");
    });
    assert.deepEqual(log.items, ["slept@3"]);
  });
});
