// What the trace (and a listing through waitLabel) says a task waits on: "sleep" only for a task in the
// timers, "wait" for a waitable nobody labelled.
import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { TRACE, TYPE_NAMES, moveOnAfter, now, op, sleepMs, spawn, waitLabel, type Gen, type TraceRecord, type Waitable } from "../firmware/sched/index";

function records(): string[] {
  const out: string[] = [];
  const r: TraceRecord = { seq: 0, t: 0, type: 0, lane: 0, arg: 0 };
  for (let s = TRACE.first; s < TRACE.seq; s++) {
    if (TRACE.read(s, r)) out.push(`${TYPE_NAMES[r.type]} ${TRACE.lanes[r.lane]} ${r.arg.toString(16)} @${r.t}`);
  }
  return out;
}

describe("trace labels of waits", () => {
  afterEach(() => TRACE.stop());

  it("a task that never slept, parked on an unlabelled waitable, waits on 'wait'; one in the timers on 'sleep'", async () => {
    const plain: Waitable = { abortWait: () => false };
    const listed: string[] = [];
    await vrun(function* (): Gen<void> {
      TRACE.start(now, { records: 64 });
      const parked = spawn("parked", function* (): Gen<void> {
        yield* op((t) => t.sched.park(t, plain), null);
      });
      const sleeper = spawn("sleeper", function* (): Gen<void> {
        yield* sleepMs(10);
      });
      yield* sleepMs(1);
      listed.push(waitLabel(plain, parked), waitLabel({}, sleeper));
      TRACE.stop();
      parked.cancel();
      sleeper.cancel();
    });
    assert.deepEqual(listed, ["wait", "sleep"]);
    assert.deepEqual(records().filter((r) => r.startsWith("park ")), ["park main 1 @0", "park parked 0 @0", "park sleeper 1 @0"]);
  });

  it("a task that slept and then parks on an unlabelled waitable waits on 'wait', not 'sleep'", async () => {
    const plain: Waitable = { abortWait: () => false };
    const listed: string[] = [];
    await vrun(function* (): Gen<void> {
      const fired = spawn("fired", function* (): Gen<void> {
        yield* sleepMs(5); // its timer fired: out of the timers
        yield* op((t) => t.sched.park(t, plain), null);
      });
      const cut = spawn("cut", function* (): Gen<void> {
        yield* moveOnAfter(5, () => sleepMs(100)); // its timer was removed when the deadline cut the sleep short
        yield* op((t) => t.sched.park(t, plain), null);
      });
      yield* sleepMs(10);
      listed.push(waitLabel(plain, fired), waitLabel(plain, cut));
      fired.cancel();
      cut.cancel();
    });
    assert.deepEqual(listed, ["wait", "wait"]);
  });
});
