// Issue 22, "timers that scale": the scheduler's timer heap against a pairing heap with its links on the
// node (as MicroPython's asyncio keeps its sleepers), a bare hashed timing wheel of 1 ms slots, and the wheel the
// scheduler keeps now (firmware/sched/wheel.ts: ordered slots, a bitmap, a far heap), counted in XS
// meter units (bytecodes) on host XS, which model the RP2040's cost (about 1 µs each: docs/design.md).
//   node scripts/xs/run-entry.mjs bench/device/timers-meter.ts
// The workload is the sleep wake-up of the device bench, in steady state: N sleepers with deadlines 1..100 ms
// ahead; a wake-up takes the earliest due node and arms it again 1..100 ms later (a seeded sequence, the same
// for every structure). A second workload arms a timeout 51..150 ms ahead and removes it before it fires (a
// timeout that did not expire, the common case of failAfter/moveOnAfter), with N others armed 151..250 ms
// ahead (all within the scheduler's wheel, 256 ms; later ones go to its far heap and cost what the binary heap
// costs). Only the structures are measured, not the scheduler around them. The pairing heap and the bare
// wheel are bench code, not the scheduler's.
import { TimerHeap, type TimerNode } from "../../firmware/sched/heap";
import { TimerWheel, type WheelNode as SchedulerWheelNode } from "../../firmware/sched/wheel";

declare function print(s: string): void;
declare function resetMeter(limit: number, index: number): number;

function meter(): number {
  const m = resetMeter(0, 0);
  resetMeter(0, m);
  return m;
}

interface Timers<N> {
  readonly name: string;
  make(): N;
  push(n: N, deadline: number): void;
  /** The earliest node if due at `now`, else null. */
  popDue(now: number): N | null;
  /** The earliest deadline (Infinity if none): how long the host may sleep. */
  first(): number;
  remove(n: N): unknown;
}

class HeapNode implements TimerNode {
  deadline = 0;
  seq = 0;
  hi = -1;
}

function binaryHeap(): Timers<HeapNode> {
  const heap = new TimerHeap<HeapNode>();
  return {
    name: "binary heap (heap.ts)",
    make: () => new HeapNode(),
    push: (n, d) => heap.push(n, d),
    popDue: (now) => heap.popDue(now),
    first: () => heap.first(),
    remove: (n) => void heap.remove(n),
  };
}

class SchedNode implements SchedulerWheelNode {
  deadline = 0;
  seq = 0;
  hi = -1;
  tn: SchedulerWheelNode | null = null;
  tp: SchedulerWheelNode | null = null;
}

/** The scheduler's wheel itself, called directly like the two bench structures below. */
class SchedulerWheel extends TimerWheel<SchedNode> implements Timers<SchedNode> {
  readonly name = "scheduler's wheel (wheel.ts)";
  make(): SchedNode {
    return new SchedNode();
  }
}

class PairNode {
  deadline = 0;
  seq = 0;
  child: PairNode | null = null;
  sibling: PairNode | null = null;
  /** The previous sibling, or the parent for a first child; null for the root or a node not in the heap. */
  prev: PairNode | null = null;
}

/** A pairing heap (two-pass merge), links on the node. */
class PairingHeap implements Timers<PairNode> {
  readonly name = "pairing heap";
  root: PairNode | null = null;
  seq = 0;
  make(): PairNode {
    return new PairNode();
  }
  private meld(a: PairNode, b: PairNode): PairNode {
    if (b.deadline < a.deadline || (b.deadline === a.deadline && b.seq < a.seq)) {
      const t = a;
      a = b;
      b = t;
    }
    const c = a.child;
    b.sibling = c;
    if (c !== null) c.prev = b;
    b.prev = a;
    a.child = b;
    a.sibling = null;
    a.prev = null;
    return a;
  }
  private mergePairs(first: PairNode | null): PairNode | null {
    if (first === null) return null;
    // pass one: meld pairs left to right, keeping the results in a list linked by `sibling`
    let pairs: PairNode | null = null;
    let n: PairNode | null = first;
    while (n !== null) {
      const a: PairNode = n;
      const b: PairNode | null = a.sibling;
      if (b === null) {
        a.sibling = pairs;
        pairs = a;
        break;
      }
      n = b.sibling;
      const m = this.meld(a, b);
      m.sibling = pairs;
      pairs = m;
    }
    // pass two: meld right to left (the list is reversed already)
    let result = pairs!;
    let rest = result.sibling;
    result.sibling = null;
    result.prev = null;
    while (rest !== null) {
      const next: PairNode | null = rest.sibling;
      result = this.meld(result, rest);
      rest = next;
    }
    return result;
  }
  push(n: PairNode, deadline: number): void {
    n.deadline = deadline;
    n.seq = this.seq++;
    n.child = null;
    n.sibling = null;
    n.prev = null;
    this.root = this.root === null ? n : this.meld(this.root, n);
  }
  popDue(now: number): PairNode | null {
    const r = this.root;
    if (r === null || r.deadline > now) return null;
    this.root = this.mergePairs(r.child);
    r.child = null;
    return r;
  }
  first(): number {
    return this.root === null ? Infinity : this.root.deadline;
  }
  remove(n: PairNode): void {
    if (n === this.root) {
      this.root = this.mergePairs(n.child);
      n.child = null;
      return;
    }
    const p = n.prev;
    if (p === null) return; // not in the heap
    if (p.child === n) p.child = n.sibling;
    else p.sibling = n.sibling;
    if (n.sibling !== null) n.sibling.prev = p;
    n.sibling = null;
    n.prev = null;
    const sub = this.mergePairs(n.child);
    n.child = null;
    if (sub !== null) this.root = this.root === null ? sub : this.meld(this.root, sub);
  }
}

class WheelNode {
  deadline = 0;
  next: WheelNode | null = null;
  prev: WheelNode | null = null;
  slot = -1;
}

const SLOTS = 1024; // 1 ms each: deadlines up to ~1 s ahead (a longer one would need a second level)

/** A hashed timing wheel of 1 ms slots, with a cursor at the last time it was advanced to. */
class TimingWheel implements Timers<WheelNode> {
  readonly name = "timing wheel (1 ms slots)";
  readonly slots: (WheelNode | null)[] = new Array<WheelNode | null>(SLOTS).fill(null);
  cursor = 0;
  count = 0;
  make(): WheelNode {
    return new WheelNode();
  }
  push(n: WheelNode, deadline: number): void {
    n.deadline = deadline;
    const s = Math.max(deadline, this.cursor) & (SLOTS - 1);
    const head = this.slots[s]!;
    n.next = head;
    n.prev = null;
    if (head !== null) head.prev = n;
    this.slots[s] = n;
    n.slot = s;
    this.count++;
  }
  popDue(now: number): WheelNode | null {
    if (this.count === 0) return null;
    while (this.cursor <= now) {
      const head = this.slots[this.cursor & (SLOTS - 1)]!;
      if (head !== null) {
        this.unlink(head);
        return head;
      }
      this.cursor++;
    }
    this.cursor = now;
    return null;
  }
  first(): number {
    if (this.count === 0) return Infinity;
    for (let t = this.cursor; ; t++) if (this.slots[t & (SLOTS - 1)] !== null) return t;
  }
  remove(n: WheelNode): void {
    if (n.slot >= 0) this.unlink(n);
  }
  private unlink(n: WheelNode): void {
    if (n.prev !== null) n.prev.next = n.next;
    else this.slots[n.slot] = n.next;
    if (n.next !== null) n.next.prev = n.prev;
    n.next = n.prev = null;
    n.slot = -1;
    this.count--;
  }
}

/** A seeded sequence of delays 1..100 ms (xorshift), the same for every structure. */
function delays(count: number): Int32Array {
  const out = new Int32Array(count);
  let x = 2463534242;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = 1 + ((x >>> 0) % 100);
  }
  return out;
}

/** Steady-state wake-ups with `sleepers` armed: meter units per wake-up (first + popDue + push). */
function wakeUps<N>(t: Timers<N>, sleepers: number, wakes: number): number {
  const d = delays(sleepers + wakes);
  let k = 0;
  let now = 0;
  for (let i = 0; i < sleepers; i++) t.push(t.make(), now + d[k++]!);
  const start = meter();
  for (let w = 0; w < wakes; w++) {
    now = t.first();
    const n = t.popDue(now)!;
    t.push(n, now + d[k++]!);
  }
  return (meter() - start) / wakes;
}

/** Arm a timeout and remove it before it fires, with `armed` other timers in the structure. */
function cancelledTimeouts<N>(t: Timers<N>, armed: number, count: number): number {
  const d = delays(armed + count);
  let k = 0;
  for (let i = 0; i < armed; i++) t.push(t.make(), 150 + d[k++]!);
  const n = t.make();
  const start = meter();
  for (let i = 0; i < count; i++) {
    t.push(n, 50 + d[k++]!);
    t.remove(n);
  }
  return (meter() - start) / count;
}

const kinds: (() => Timers<unknown>)[] = [
  () => binaryHeap() as Timers<unknown>,
  () => new PairingHeap() as Timers<unknown>,
  () => new TimingWheel() as Timers<unknown>,
  () => new SchedulerWheel() as Timers<unknown>,
];
print("timers: meter units (bytecodes) per operation on host XS; about 1 us each on the RP2040");
print("structure                      wake-up N=10   N=100  N=1000   timeout armed+removed N=10  N=100  N=1000");
for (const make of kinds) {
  const name = make().name;
  const w = [10, 100, 1000].map((n) => wakeUps(make(), n, 5000).toFixed(0).padStart(7));
  const c = [10, 100, 1000].map((n) => cancelledTimeouts(make(), n, 5000).toFixed(0).padStart(6));
  print(`${name.padEnd(30)} ${w.join(" ")}                         ${c.join(" ")}`);
}
print("timers done");
