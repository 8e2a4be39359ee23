import { assert } from "./lib/assert";
import { TimerHeap } from "../firmware/sched/heap";

interface N { hi: number; deadline: number; seq: number; id: number; at: number }

describe("timer heap", () => {
  it("pops in (deadline, arming order) over random pushes, removes and pops, like a sorted list", () => {
    let seed = 7;
    const rand = (k: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % k);
    const h = new TimerHeap<N>();
    let ref: N[] = [];
    let next = 0;
    const popped: string[] = [];
    const expected: string[] = [];
    for (let step = 0; step < 3000; step++) {
      const r = rand(10);
      if (r < 5) {
        const n = { hi: -1, deadline: 0, seq: 0, id: next++, at: rand(20) }; // few distinct deadlines: many ties
        h.push(n, n.at);
        ref.push(n); // ref stays in arming order; ties keep it
      } else if (r < 7 && ref.length > 0) {
        const n = ref[rand(ref.length)]!;
        assert.equal(h.remove(n), true);
        assert.equal(n.hi, -1);
        assert.equal(h.remove(n), false, "a second remove finds nothing");
        ref = ref.filter((x) => x !== n);
      } else if (ref.length > 0) {
        const want = ref.reduce((a, b) => (b.at < a.at ? b : a));
        assert.equal(h.first(), want.at);
        expected.push(`${want.id}@${want.at}`);
        const got = h.pop()!;
        popped.push(`${got.id}@${got.at}`);
        ref = ref.filter((x) => x !== want);
      }
      assert.equal(h.size, ref.length);
    }
    assert.deepEqual(popped, expected);
    assert.ok(popped.length > 300, `exercised ${popped.length} pops`);
    while (h.size > 0) h.pop();
    assert.equal(h.first(), Infinity);
    assert.equal(h.pop(), undefined);
  });
});
