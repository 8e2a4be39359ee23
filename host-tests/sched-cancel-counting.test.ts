// A task that caught other errors before (timeouts, a child's failure) is not treated as one that swallowed
// its cancel: when it is cancelled, its catch blocks see the CancelledError, and it ends without a report.
// A bare yield is a checkpoint: a cancel pending there is raised there.
import { assert } from "./lib/assert";
import { Log, errorText } from "./helpers";
import { VirtualHost, failAfter, runOn, sleepMs, spawn, taskGroup, type Gen, type Task, type TaskGroup } from "../firmware/sched/index";

describe("errors caught before a cancel do not count as swallowed cancels", () => {
  it("generator task: after catching two timeouts and a child's failure, a cancel from its group reaches its catch", async () => {
    const log = new Log();
    const host = new VirtualHost();
    await runOn(host, function* () {
      yield* taskGroup(function* (g: TaskGroup) {
        g.spawn(function* (): Gen<void> {
          for (let i = 0; i < 2; i++) {
            try { yield* failAfter(5, () => sleepMs(10)); } catch (err) { log.add(`caught ${errorText(err)}`); }
          }
          const child = spawn("child", function* (): Gen<void> { yield* sleepMs(1); throw new Error("child failed"); });
          try { yield* child.join(); } catch (err) { log.add(`caught ${errorText(err)}`); }
          g.cancel(); // cancels this task too: raised at its next operation
          try {
            yield* sleepMs(1);
            log.add("slept on");
          } catch (err) {
            log.add(`caught ${errorText(err)}`);
            throw err;
          }
        });
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, [
      "caught TimeoutError: timed out after 5 ms@5",
      "caught TimeoutError: timed out after 5 ms@10",
      "caught Error: child failed@11",
      "caught CancelledError: task group cancelled@11",
      "group over@11",
    ]);
    assert.deepEqual(host.lines, []);
  });

  it("async task: after catching two timeouts and a child's failure, a cancel from its group reaches its catch; no report", async () => {
    const log = new Log();
    const host = new VirtualHost();
    await runOn(host, async () => {
      await taskGroup(async (g: TaskGroup) => {
        g.spawn(async (): Promise<void> => {
          for (let i = 0; i < 2; i++) {
            try { await failAfter(5, () => sleepMs(10)); } catch (err) { log.add(`caught ${errorText(err)}`); }
          }
          const child = spawn("child", async (): Promise<void> => { await sleepMs(1); throw new Error("child failed"); });
          try { await child.join(); } catch (err) { log.add(`caught ${errorText(err)}`); }
          g.cancel(); // cancels this task too: raised at its next operation
          try {
            await sleepMs(1);
            log.add("slept on");
          } catch (err) {
            log.add(`caught ${errorText(err)}`);
            throw err;
          }
        });
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, [
      "caught TimeoutError: timed out after 5 ms@5",
      "caught TimeoutError: timed out after 5 ms@10",
      "caught Error: child failed@11",
      "caught CancelledError: task group cancelled@11",
      "group over@11",
    ]);
    assert.deepEqual(host.lines, []);
  });

  it("a task that did nothing else before catches a child's failure it joins, in both kinds of task", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      const failing = (): Task => spawn("failing", function* (): Gen<void> { yield* sleepMs(1); throw new Error("boom"); });
      const gen = spawn("gen", function* () {
        try { yield* failing().join(); } catch (err) { log.add(`gen caught ${errorText(err)}`); }
      });
      const asy = spawn("async", async () => {
        try { await failing().join(); } catch (err) { log.add(`async caught ${errorText(err)}`); }
      });
      yield* gen.join();
      yield* asy.join();
    });
    assert.deepEqual(log.items, ["gen caught Error: boom@1", "async caught Error: boom@1"]);
  });
});

describe("a bare yield in a generator task", () => {
  it("a bare yield is a checkpoint that raises a cancel which became pending while the task ran", async () => {
    const log = new Log();
    await runOn(new VirtualHost(), function* () {
      yield* taskGroup(function* (g: TaskGroup) {
        g.spawn(function* (): Gen<void> {
          yield* sleepMs(1);
          g.cancel(); // cancels this task as well, while it runs
          try {
            yield;
            log.add("went on after the bare yield");
          } catch (err) {
            log.add(`bare yield raised ${errorText(err)}`);
            throw err;
          }
        });
      });
      log.add("group over");
    });
    assert.deepEqual(log.items, ["bare yield raised CancelledError: task group cancelled@1", "group over@1"]);
  });
});
