// Model-based tests of the scheduler core: random programs of tasks, primitives, composites and
// cancels, checked after every step against what the docs promise (host-tests/lib/sched-model.ts).
// A failure prints fast-check's seed and the shrunk program; replay it with
// `npm run fuzz -- --runs N --seed S` (the same seed gives the same programs).
import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { TOLERATE, WITHOUT, checkPrograms } from "./lib/sched-model";
import { CancelledError, isCancelled, sleepMs, spawn, taskGroup, type Gen } from "../firmware/sched/index";
import { Barrier } from "../firmware/sync/index";

/** XS runs a smaller share, with composites nested one level instead of two (the 1024-slot stack). */
const ON_XS = (globalThis as { XS_MOCHA?: unknown }).XS_MOCHA !== undefined;
const RUNS = ON_XS ? 1000 : 2000;
const DEPTH = ON_XS ? 1 : 2;
const SEED = 1905;

/**
 * Step kinds left out and known bugs tolerated while a core fix is on its way (both empty: every bug the
 * model found is fixed on main; host-tests/sched-promises.test.ts holds the reduced reproductions of the
 * last two, a swallowed cancel passed on by a join and a group's owner cancelled after a child failed).
 */
const PENDING_FIXES: string[] = [];
const PENDING_TOLERATED: string[] = [];

describe("scheduler model (random programs)", function () {
  this.timeout(ON_XS ? 240_000 : 120_000);

  it(`${RUNS} random programs keep the core's promises (seed ${SEED})`, async () => {
    for (const kind of PENDING_FIXES) WITHOUT.add(kind);
    for (const bug of PENDING_TOLERATED) TOLERATE.add(bug);
    try {
      await checkPrograms(RUNS, SEED, DEPTH);
    } finally {
      WITHOUT.clear();
      TOLERATE.clear();
    }
  });
});

// Bugs the model found, each reduced to a few lines (fixed on main: every composite raises a pending
// cancel before it acts; a cancelled group owner gets its CancelledError).
describe("scheduler model: bugs it found", () => {
  // Fuzzer: spawn gen [try { lock 20 } catch {}; group ( gen [] ) {  }], cancel T0.
  // docs/scheduler.md: once a task is cancelled, "every later operation" raises CancelledError.
  // failAfter, moveOnAfter, waitFor and gather do; taskGroup runs its generator block inline
  // without looking at the pending cancel, so its children start and it returns normally.
  it("a task group started after an async task swallowed its cancel raises CancelledError and starts no child", async () => {
    const log = new Log();
    await vrun(function* () {
      // an async task: its cancel is raised once more after it swallowed it (a generator task would be
      // halted at its next operation)
      const t = spawn(async () => {
        try { await sleepMs(20); } catch { log.add("swallowed"); }
        try {
          await taskGroup(function* (g) { g.spawn(function* () { log.add("child ran"); }); });
          log.add("group returned");
        } catch (e) {
          log.add(`group raised ${(e as Error).name}`);
        }
      });
      yield* sleepMs(5);
      t.cancel();
      yield* sleepMs(5);
    });
    assert.deepEqual(log.items, ["swallowed@5", "group raised CancelledError@5"]); // today: "child ran@5", "group returned@5"
  });

  // Fuzzer: spawn gen [failAfter 5 gen { barrier }], spawn gen [group ( gen [] ) { group ( gen [join 0; fail] | gen [] ) {} }],
  // then cancel everything. docs/scheduler.md: "task groups pass [a cancel] on to their children, wait
  // for them, then raise the caller's CancelledError, whatever the children did with theirs". A child
  // that fails while being cancelled makes the group raise the child's error instead.
  it("a task group whose owner is cancelled raises CancelledError even if a child fails on its way out", async () => {
    let seen: unknown = null;
    await vrun(function* () {
      const owner = spawn(function* (): Gen<void> {
        try {
          yield* taskGroup(function* (g) {
            g.spawn(function* (): Gen<void> {
              try { yield* sleepMs(100); } catch { /* swallowed */ }
              throw new Error("cleanup failed");
            });
          });
        } catch (e) {
          seen = e;
          throw e;
        }
      });
      yield* sleepMs(5);
      owner.cancel();
      yield* sleepMs(5);
    });
    assert.ok(isCancelled(seen), `the owner saw ${String(seen)}`); // today: Error: cleanup failed
  });

  // Fuzzer: spawn gen [failAfter 1 gen { barrier }], spawn gen [try { group ( gen [sleep 10] ) {} } catch {}; barrier],
  // cancel T1. The last arrival at a Barrier runs the round as a composite that never looks at the
  // pending cancel: the cancelled task completes the round (releasing the others) instead of raising.
  it("a cancelled task's Barrier wait raises CancelledError even when it would be the last arrival", async () => {
    const log = new Log();
    await vrun(function* () {
      const barrier = new Barrier(2);
      const other = spawn(function* () { yield* barrier.wait(); log.add("other released"); });
      const late = spawn(async () => {
        try { await sleepMs(20); } catch { log.add("swallowed"); }
        try {
          await barrier.wait();
          log.add("passed the barrier");
        } catch (e) {
          log.add(`barrier raised ${(e as Error).name}`);
        }
      });
      yield* sleepMs(5);
      late.cancel();
      yield* sleepMs(5);
      log.add(`waiting ${barrier.waiting}`);
      other.cancel(new CancelledError("end"));
    });
    assert.deepEqual(log.items, ["swallowed@5", "barrier raised CancelledError@5", "waiting 1@10"]);
  });
});
