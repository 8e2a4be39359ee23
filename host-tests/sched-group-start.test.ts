// TaskGroup.start() and failures inside a group, at their edges: a child that ends after it reported
// started, one that ends without starting, a starter that gives up, children failing at the same instant.
import { assert } from "./lib/assert";
import { Log, errorText, raised } from "./helpers";
import {
  TaskGroupError, VirtualHost, moveOnAfter, runOn, sleepMs, spawn, taskGroup, type Gen, type TaskStatus,
} from "../firmware/sched/index";

/** Run `fn` on a fresh virtual host; returns the diagnostic lines the scheduler printed meanwhile. */
async function printedBy(fn: () => Gen<void>): Promise<string[]> {
  const host = new VirtualHost();
  await runOn(host, fn);
  return host.lines;
}

describe("TaskGroup.start() edges", () => {
  it("a child that called started() and then ends, normally or cancelled, ends the group quietly", async () => {
    const log = new Log();
    const lines = await printedBy(function* () {
      yield* taskGroup(function* (g) {
        const a = yield* g.start(function* (status: TaskStatus<string>) {
          status.started("a ready");
          yield* sleepMs(10);
          log.add("a returns");
        });
        log.add(a);
        const b = yield* g.start(function* (status: TaskStatus<string>) {
          status.started("b ready");
          try { yield* sleepMs(1000); } finally { log.add("b cancelled"); }
        });
        log.add(b);
        yield* sleepMs(20);
        g.cancel();
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, ["a ready@0", "b ready@0", "a returns@10", "b cancelled@20", "group over@20"]);
    assert.deepEqual(lines, []);
  });

  it("a child that fails before started() makes start() raise its own error; one that returns, an error naming it", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      const failing = yield* raised(taskGroup(function* (g) {
        yield* g.start(function* () {
          yield* sleepMs(5);
          throw new RangeError("port taken");
        });
      }));
      log.add(errorText(failing));
      const returning = yield* raised(taskGroup(function* (g) {
        yield* g.start(function* () {
          yield* sleepMs(5);
        });
      }));
      log.add(errorText(returning).replace(/task \S+/, "task <child>"));
    });
    assert.deepEqual(log.items, [
      "RangeError: port taken@5",
      "InvalidStateError: task <child> finished without calling started()@10",
    ]);
  });

  it("a start() given up at a deadline cancels the child at once: the group does not wait for it to start", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      yield* taskGroup(function* (g) {
        const r = yield* moveOnAfter(10, () => g.start(function* (status: TaskStatus<void>) {
          try {
            yield* sleepMs(100);
            status.started();
            yield* sleepMs(100);
            log.add("slow child ran on");
          } finally {
            log.add("slow child ends");
          }
        }));
        log.add(`start timed out: ${r.timedOut}`);
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, ["slow child ends@10", "start timed out: true@10", "group over@10"]);
  });

  it("a start() called by another task of the program, which is cancelled, cancels the child too", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      yield* taskGroup(function* (g) {
        const starter = spawn("starter", function* () {
          yield* g.start(function* (status: TaskStatus<void>) {
            try {
              yield* sleepMs(100);
              status.started();
              log.add("child started");
            } finally {
              log.add("child ends");
            }
          });
        });
        yield* sleepMs(10);
        starter.cancel();
        log.add(`starter: ${errorText(yield* raised(starter.join()))}`);
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, ["child ends@10", "starter: CancelledError: task starter cancelled@10", "group over@10"]);
  });
  it("a start() called by another task raises the child's own error there when the child fails before started()", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      const e = yield* raised(taskGroup(function* (g) {
        spawn("starter", function* () {
          log.add(`starter: ${errorText(yield* raised(g.start(function* () {
            yield* sleepMs(5);
            throw new RangeError("port taken");
          })))}`);
        });
        yield* sleepMs(100);
      }));
      log.add(`group: ${errorText(e)}`);
      yield* sleepMs(1);
    });
    assert.deepEqual(log.items, ["group: RangeError: port taken@5", "starter: RangeError: port taken@5"]);
  });
});

describe("failures in a group", () => {
  it("a child failing and a sibling failing in its cleanup at the same instant: TaskGroupError with both, in order", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      const e = yield* raised(taskGroup(function* (g) {
        g.spawn(function* () { yield* sleepMs(10); throw new Error("first"); });
        g.spawn(function* () {
          try { yield* sleepMs(10); } finally { throw new Error("cleanup failed"); }
        });
        yield* sleepMs(100);
        log.add("body ran on");
      }));
      log.add(errorText(e));
      log.add(`errors: ${e instanceof TaskGroupError ? e.errors.map(errorText).join(", ") : "none"}`);
      yield* sleepMs(5);
      log.add("the owner goes on");
    });
    assert.deepEqual(log.items, [
      "TaskGroupError: 2 tasks failed: Error: first; Error: cleanup failed@10",
      "errors: Error: first, Error: cleanup failed@10",
      "the owner goes on@15",
    ]);
  });
});
