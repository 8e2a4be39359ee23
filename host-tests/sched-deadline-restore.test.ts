// Leaving a deadline block puts back the cancel that is still in force outside it: an outer deadline that
// passed meanwhile, a task group's cancel, and inside shield() nothing from outside the shield.
import { assert } from "./lib/assert";
import { Log, errorText, raised, vrun } from "./helpers";
import { failAfter, moveOnAfter, shield, sleepMs, taskGroup, type Gen } from "../firmware/sched/index";

describe("the cancel in force after a deadline block", () => {
  it("nested deadlines: the outer one passing while the inner one's cancel is handled wins, through a middle one that did not pass", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      const e = yield* raised(failAfter(2, function* () {
        yield* failAfter(100, function* () {
          yield* failAfter(1, function* () {
            try {
              yield* sleepMs(50);
            } finally {
              log.add("inner cleanup starts");
              yield* shield(() => sleepMs(2)); // the outer deadline passes meanwhile (at 2)
              log.add("inner cleanup ends");
            }
          });
        });
      }));
      log.add(errorText(e));
    });
    assert.deepEqual(log.items, ["inner cleanup starts@1", "inner cleanup ends@3", "TimeoutError: timed out after 2 ms@3"]);
  });

  it("a task group's cancel that arrives during a shielded wait in a deadline block that also passes is not lost when the block ends", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      const e = yield* raised(taskGroup(function* (g) {
        g.spawn(function* () {
          yield* sleepMs(1);
          throw new Error("child failed");
        });
        const r = yield* moveOnAfter(2, function* () {
          yield* shield(() => sleepMs(5)); // the group's cancel (at 1) and the deadline (at 2) wait for it
        });
        log.add(`body goes on after the block, timedOut ${r.timedOut}`);
        yield* sleepMs(1);
        log.add("body still goes on");
      }));
      log.add(errorText(e));
    });
    assert.deepEqual(log.items, ["Error: child failed@5"]);
  });

  it("inside shield(), a deadline opened there passing leaves the block shielded from an outer deadline that passed before", async () => {
    const log = new Log();
    await vrun(function* (): Gen<void> {
      const e = yield* raised(failAfter(1, function* () {
        yield* shield(function* () {
          const r = yield* moveOnAfter(3, () => sleepMs(10));
          log.add(`inner deadline passed: ${r.timedOut}`);
          yield* sleepMs(1);
          log.add("shielded block ends");
        });
      }));
      log.add(errorText(e));
    });
    assert.deepEqual(log.items, ["inner deadline passed: true@3", "shielded block ends@4", "TimeoutError: timed out after 1 ms@4"]);
  });
});
