import { assert } from "./lib/assert";
import { Scheduler, VirtualHost, sleepMs, spawn, type VirtualHostOptions } from "../firmware/sched/index";

/** A VirtualHost whose host turns are run by hand: `turn()` runs the callbacks queued so far. */
function manual(opts: VirtualHostOptions = {}): { host: VirtualHost; turn: () => number } {
  const queued: Array<() => void> = [];
  const host = new VirtualHost({ ...opts, soon: (cb) => { queued.push(cb); } });
  return {
    host,
    turn: () => {
      const now = queued.splice(0, queued.length);
      for (const cb of now) cb();
      return now.length;
    },
  };
}

// The test clock itself: a test that relies on it must be able to trust when it fires and when it does not.
describe("VirtualHost", () => {
  it("autojump: an armed timer fires on the next turn with the clock at its deadline, never moved back", () => {
    const { host, turn } = manual({ start: 100 });
    const fired: number[] = [];
    host.setTimer(150, () => fired.push(host.now()));
    turn();
    host.setTimer(120, () => fired.push(host.now())); // already past: fires at the current time
    host.charge(40);
    turn();
    assert.deepEqual(fired, [150, 190]);
    assert.equal(host.now(), 190);
  });

  it("autojump: a timer replaced or cleared before its turn does not fire; the replacement fires once", () => {
    const { host, turn } = manual();
    const fired: string[] = [];
    host.setTimer(10, () => fired.push("first"));
    host.setTimer(20, () => fired.push("replacement"));
    turn();
    host.setTimer(30, () => fired.push("cleared"));
    host.clearTimer();
    turn();
    turn();
    assert.deepEqual(fired, ["replacement"]);
    assert.equal(host.now(), 20);
  });

  it("without autojump: a due timer fires on the next turn, a later one only when advance() reaches it", () => {
    const { host, turn } = manual({ autojump: false, start: 50 });
    const fired: string[] = [];
    host.setTimer(50, () => fired.push(`due now at ${host.now()}`));
    turn();
    host.setTimer(60, () => fired.push("replaced"));
    host.setTimer(40, () => fired.push(`overdue at ${host.now()}`)); // replaces it
    turn();
    host.setTimer(80, () => fired.push(`later at ${host.now()}`));
    turn();
    host.advance(29);
    assert.deepEqual(fired, ["due now at 50", "overdue at 50"]);
    host.advance(1);
    host.advance(10); // nothing armed any more
    turn();
    assert.deepEqual(fired, ["due now at 50", "overdue at 50", "later at 80"]);
    host.setTimer(70, () => fired.push("cleared"));
    host.clearTimer();
    turn();
    host.advance(100);
    assert.equal(fired.length, 3);
  });

  it("diagnostics go to the print option when given, else into lines", async () => {
    const printed: string[] = [];
    const toPrint = new VirtualHost({ print: (l) => printed.push(l) });
    const collected = new VirtualHost();
    for (const host of [toPrint, collected]) {
      await new Scheduler(host).run(function* () {
        spawn("t", function* () { yield* sleepMs(1); throw new Error("oops"); });
        yield* sleepMs(5);
      });
    }
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /^task t: unhandled error in a task nobody awaits: Error: oops/);
    assert.equal(toPrint.lines.length, 0);
    assert.equal(collected.lines.length, 1);
    assert.match(collected.lines[0]!, /^task t: unhandled error in a task nobody awaits: Error: oops/);
  });
});
