/**
 * Binary min-heap of timer nodes, ordered by (deadline, seq) so equal deadlines fire in arming order.
 * The node keeps its own index (`hi`), so removal is O(log n), and arming or firing allocates nothing
 * once the backing array has grown (links live on the node: MicroPython's pairing heap idea, in an array).
 *
 * Measured on the device (docs/design.md): a variant that kept deadlines and arming order in arrays beside
 * the nodes, so comparisons read no node field, saved two fields per task but made a wake-up with 100
 * sleepers 20% slower on an RP2040 (though faster on host XS), so the keys stay on the nodes.
 */

/** Anything that can sit in the timer heap: a sleeping task, a cancel scope's deadline, a callLater. */
export interface TimerNode {
  /** Absolute deadline in ms on the scheduler's clock (set by push). */
  deadline: number;
  /** Tie-break: arming order (set by push). */
  seq: number;
  /** Index in the heap, -1 when not in it. */
  hi: number;
}

export class TimerHeap<T extends TimerNode> {
  private readonly a: T[] = [];
  private seq = 0;

  get size(): number {
    return this.a.length;
  }

  /** The earliest node, or undefined. */
  peek(): T | undefined {
    return this.a[0];
  }

  /** The earliest deadline, or Infinity when the heap is empty. */
  first(): number {
    const n = this.a[0];
    return n !== undefined ? n.deadline : Infinity;
  }

  /** Insert `n` due at `deadline`. `n` must not be in a heap. */
  push(n: T, deadline: number): void {
    n.deadline = deadline;
    n.seq = this.seq++;
    const a = this.a;
    n.hi = a.length;
    a.push(n);
    this.up(n.hi);
  }

  /** Remove and return the earliest node. */
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top;
  }

  /** Remove and return the earliest node if it is due at `now` (deadline <= now), else null. */
  popDue(now: number): T | null {
    const a = this.a;
    const top = a[0];
    if (top === undefined || top.deadline > now) return null;
    const last = a.pop()!;
    top.hi = -1;
    if (last !== top) {
      a[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Remove `n` if it is in this heap; returns whether it was. */
  remove(n: T): boolean {
    const i = n.hi;
    if (i < 0 || this.a[i] !== n) return false;
    this.removeAt(i);
    return true;
  }

  private removeAt(i: number): void {
    const a = this.a;
    const n = a[i]!;
    const last = a.pop()!;
    n.hi = -1;
    if (last !== n) {
      a[i] = last;
      last.hi = i;
      this.down(i);
      this.up(last.hi);
    }
  }

  // The comparisons are written out in up() and down(): a call costs as much as a third of a generator
  // resume on the device, and a wake-up with 100 sleepers makes about 14 of them.
  private up(i: number): void {
    const a = this.a;
    const n = a[i]!;
    const d = n.deadline;
    const q = n.seq;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pn = a[p]!;
      const pd = pn.deadline;
      if (d > pd || (d === pd && q > pn.seq)) break;
      a[i] = pn;
      pn.hi = i;
      i = p;
    }
    a[i] = n;
    n.hi = i;
  }

  private down(i: number): void {
    const a = this.a;
    const len = a.length;
    const n = a[i]!;
    const d = n.deadline;
    const q = n.seq;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= len) break;
      let cn = a[c]!;
      let cd = cn.deadline;
      if (c + 1 < len) {
        const rn = a[c + 1]!;
        const rd = rn.deadline;
        if (rd < cd || (rd === cd && rn.seq < cn.seq)) {
          c++;
          cn = rn;
          cd = rd;
        }
      }
      if (cd > d || (cd === d && cn.seq > q)) break;
      a[i] = cn;
      cn.hi = i;
      i = c;
    }
    a[i] = n;
    n.hi = i;
  }
}
