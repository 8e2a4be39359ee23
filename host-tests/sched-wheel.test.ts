// The scheduler's timers (firmware/sched/wheel.ts) against the simplest model of what they promise: a list
// kept in arming order, from which the earliest deadline (the first armed among equals) is due first.
// fast-check generates the programs: arm (deadlines in the past, within the wheel's span, past it, far past
// it, sub-millisecond, tied), disarm, ask for the first deadline, advance the clock and pop what is due; the
// clock starts at 0, before 0 (a host may start there), at a fraction or past 2^31 ms.
import fc from "./lib/fast-check";
import { assert } from "./lib/assert";
import { SPAN, TimerWheel, type WheelNode } from "../firmware/sched/wheel";
import { TimerHeap } from "../firmware/sched/heap";
import { now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { vrun } from "./helpers";

interface Node extends WheelNode {
  id: number;
}

const ON_XS = (globalThis as { XS_MOCHA?: unknown }).XS_MOCHA !== undefined;

function node(id: number): Node {
  return { id, deadline: 0, seq: 0, hi: -1, tn: null, tp: null };
}

type Step =
  | { kind: "arm"; offset: number; tie: boolean }
  | { kind: "disarm"; pick: number }
  | { kind: "advance"; by: number }
  | { kind: "first" };

const offset = fc.oneof(
  fc.integer({ min: -50, max: 50 }), // near, and already past
  fc.integer({ min: 0, max: 3 * SPAN }), // within the span and past it
  fc.integer({ min: SPAN - 2, max: SPAN + 2 }), // the span's edge
  fc.integer({ min: 0, max: 40 }).map((n) => n / 8), // sub-millisecond on virtual time
  fc.integer({ min: 10 * SPAN, max: 200 * SPAN }), // minutes ahead
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("arm" as const), offset, tie: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("disarm" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      by: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 * SPAN }), fc.integer({ min: 0, max: 16 }).map((n) => n / 4)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "first" as const }) },
);

/** Runs `steps`; returns the ids in the order they fired, checking the model after every step. */
function play(start: number, steps: Step[]): string[] {
  const wheel = new TimerWheel<Node>(start);
  let now = start;
  let armed: Node[] = []; // arming order
  let lastDeadline = start;
  let ids = 0;
  const fired: string[] = [];
  const earliest = (): Node | undefined => armed.reduce<Node | undefined>((a, b) => (a === undefined || b.deadline < a.deadline ? b : a), undefined);
  for (const s of steps) {
    if (s.kind === "arm") {
      const n = node(ids++);
      const deadline = s.tie ? lastDeadline : now + s.offset;
      wheel.push(n, deadline);
      assert.equal(n.deadline, deadline);
      lastDeadline = deadline;
      armed.push(n);
    } else if (s.kind === "disarm") {
      if (armed.length === 0) {
        assert.equal(wheel.remove(node(-1)), false, "a node never armed is not found");
        continue;
      }
      const n = armed[s.pick % armed.length]!;
      assert.equal(wheel.remove(n), true);
      assert.equal(wheel.remove(n), false, "a second remove finds nothing");
      armed = armed.filter((x) => x !== n);
    } else if (s.kind === "first") {
      assert.equal(wheel.first(), earliest()?.deadline ?? Infinity);
    } else {
      now += s.by;
      for (let n = wheel.popDue(now); n !== null; n = wheel.popDue(now)) {
        const want = earliest();
        assert.ok(want !== undefined && want.deadline <= now, `popped #${n.id} at ${now} but nothing is due`);
        assert.equal(`${n.id}@${n.deadline}`, `${want!.id}@${want!.deadline}`, `at ${now}`);
        fired.push(`${n.id}@${n.deadline}`);
        armed = armed.filter((x) => x !== n);
        assert.equal(wheel.remove(n), false, "a fired node is disarmed");
      }
      const left = earliest();
      assert.ok(left === undefined || left.deadline > now, `#${left?.id} due at ${left?.deadline} was left at ${now}`);
    }
    assert.equal(wheel.size, armed.length);
    assert.equal(wheel.first(), earliest()?.deadline ?? Infinity);
  }
  return fired;
}

describe("timer wheel", () => {
  it("fires by deadline, equal deadlines in arming order, across the wheel and the far heap (fast-check)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -4000, max: 4000 }).map((n) => n / 4)), fc.array(step, { minLength: 10, maxLength: 200, size: "max" }), (start, steps) => {
        play(start, steps);
      }),
      { numRuns: ON_XS ? 300 : 1500, seed: 2207 },
    );
  });

  it("a sleeper armed for 5 s fires after a 1 ms one armed later, and one due 3 s past the span waits for it", () => {
    const fired = play(100, [
      { kind: "arm", offset: 5000, tie: false }, // #0 at 5100: the far heap
      { kind: "arm", offset: 5000, tie: true }, // #1 at 5100, armed after #0
      { kind: "arm", offset: 1, tie: false }, // #2 at 101
      { kind: "advance", by: 4000 }, // 4100: #2 fires, #0 and #1 move into the wheel
      { kind: "arm", offset: 1000, tie: false }, // #3 at 5100, armed last, straight into the wheel
      { kind: "arm", offset: 999.5, tie: false }, // #4 at 5099.5, the same slot, earlier
      { kind: "advance", by: 999 }, // 5099: nothing
      { kind: "advance", by: 0.5 }, // 5099.5: #4
      { kind: "advance", by: 0.5 }, // 5100: #0 #2 #3
    ]);
    assert.deepEqual(fired, ["2@101", "4@5099.5", "0@5100", "1@5100", "3@5100"]);
  });

  it("a deadline already past fires first on the next pop, in arming order with the other late ones", () => {
    const wheel = new TimerWheel<Node>(1000);
    const a = node(1);
    const b = node(2);
    const c = node(3);
    wheel.push(a, 1010);
    assert.equal(wheel.popDue(1500), a);
    wheel.push(b, 1200); // before the cursor, which stands at 1500
    wheel.push(c, 1100);
    assert.equal(wheel.first(), 1100);
    assert.deepEqual([wheel.popDue(1500)?.deadline, wheel.popDue(1500)?.deadline, wheel.popDue(1500)], [1100, 1200, null]);
  });

  it("clocks past 2^31 ms keep their slots (the device's tick count after 25 days)", () => {
    const start = 2 ** 31 + 7.25;
    const fired = play(start, [
      { kind: "arm", offset: 3, tie: false },
      { kind: "arm", offset: 2, tie: false },
      { kind: "arm", offset: SPAN + 3, tie: false },
      { kind: "advance", by: 2 },
      { kind: "advance", by: SPAN },
      { kind: "advance", by: 1 },
    ]);
    assert.deepEqual(fired, [`1@${start + 2}`, `0@${start + 3}`, `2@${start + SPAN + 3}`]);
  });
});

// The same promise through the scheduler: tasks that sleep wake by deadline, and tasks due at the same time
// in the order they went to sleep. The model replays the sleeps through a heap keyed by (deadline, arming
// order): on a virtual clock that stands still while tasks run, a task woken at t sleeps again at t, and
// tasks woken at the same t run (and arm again) in the order they woke.
describe("sleeping tasks on the timer wheel", () => {
  const delay = fc.oneof(
    fc.integer({ min: 1, max: 40 }), // near: many ties
    fc.integer({ min: 1, max: 40 }).map((n) => n / 4), // fractions of a millisecond
    fc.integer({ min: SPAN - 3, max: SPAN + 3 }), // the wheel's edge
    fc.integer({ min: 2 * SPAN, max: 40 * SPAN }), // seconds: the far heap
  );

  function model(start: number, plans: number[][]): string[] {
    interface Sleeper { deadline: number; seq: number; hi: number; task: number; step: number }
    const heap = new TimerHeap<Sleeper>();
    const out: string[] = [];
    plans.forEach((plan, task) => {
      if (plan.length > 0) heap.push({ deadline: 0, seq: 0, hi: -1, task, step: 0 }, start + plan[0]!);
    });
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) {
      out.push(`t${n.task}@${n.deadline}`);
      const next = plans[n.task]![++n.step];
      if (next !== undefined) heap.push(n, n.deadline + next);
    }
    return out;
  }

  it("wake in (deadline, arming order) on a virtual clock, across the wheel and the far heap (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 36 }), fc.integer({ min: 0, max: 4000 }).map((n) => n / 4)),
        fc.array(fc.array(delay, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 }),
        async (start, plans) => {
          const woke: string[] = [];
          await vrun(
            function* (): Gen<void> {
              const tasks = plans.map((plan, i) =>
                spawn(function* (): Gen<void> {
                  for (const ms of plan) {
                    yield* sleepMs(ms);
                    woke.push(`t${i}@${now()}`);
                  }
                }),
              );
              for (const t of tasks) yield* t.join();
            },
            { start },
          );
          assert.deepEqual(woke, model(start, plans));
        },
      ),
      { numRuns: ON_XS ? 60 : 300, seed: 1207 },
    );
  });
});
