/**
 * Binary min-heap of timer nodes, ordered by (deadline, arming order) so equal deadlines fire in arming
 * order. The keys live in two arrays beside the nodes (deadlines, arming sequence numbers), so a
 * comparison reads two array elements and no node field (XS has no inline caches: a field read walks the
 * object's slots). A node keeps only its index (`hi`), so removal is O(log n). The arrays never shrink
 * (entries past `n` are cleared, not popped): on XS an array's items live in one chunk that push and pop
 * resize, so a heap that popped and pushed on every wake-up churned the chunk heap. Arming or firing
 * allocates nothing once they have grown.
 */

/** Anything that can sit in the timer heap: a sleeping task, a cancel scope's deadline, a callLater. */
export interface TimerNode {
  /** Index in the heap, -1 when not in it. */
  hi: number;
}

export class TimerHeap<T extends TimerNode> {
  private readonly a: T[] = [];
  /** @internal deadline of a[i]; Infinity past the entries in use (d[0] is the earliest or Infinity: the scheduler reads it between rounds) */
  readonly d: number[] = [];
  /** arming order of a[i] (the tie-break) */
  private readonly s: number[] = [];
  private seq = 0;
  /** entries in use: a[0..n-1] */
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The earliest node, or undefined. */
  peek(): T | undefined {
    return this.n > 0 ? this.a[0] : undefined;
  }

  /** The earliest deadline, or Infinity when the heap is empty. */
  first(): number {
    return this.n > 0 ? this.d[0]! : Infinity;
  }

  /** Insert `n` due at `deadline`. `n` must not be in a heap. */
  push(n: T, deadline: number): void {
    const i = this.n++;
    const sq = this.seq++;
    if (i === this.a.length) {
      // grow (the only time the arrays are resized)
      this.a.push(n);
      this.d.push(deadline);
      this.s.push(sq);
    }
    this.up(i, n, deadline, sq);
  }

  /** Remove and return the earliest node. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const top = this.a[0]!;
    this.removeAt(0);
    return top;
  }

  /** Remove `n` if it is in this heap; returns whether it was. */
  remove(n: T): boolean {
    const i = n.hi;
    if (i < 0 || i >= this.n || this.a[i] !== n) return false;
    this.removeAt(i);
    return true;
  }

  private removeAt(i: number): void {
    const a = this.a;
    const n = a[i]!;
    const j = --this.n;
    const last = a[j]!;
    const ld = this.d[j]!;
    const ls = this.s[j]!;
    (a as (T | undefined)[])[j] = undefined; // the heap no longer keeps the node alive
    this.d[j] = Infinity;
    n.hi = -1;
    if (last !== n) {
      // put the last entry in the hole, then move it down or up
      const j = this.down(i, last, ld, ls);
      if (j === i) this.up(i, last, ld, ls);
    }
  }

  /** Place (n, key) at hole i moving up; returns its final index. */
  private up(i: number, n: T, nd: number, ns: number): number {
    const a = this.a;
    const d = this.d;
    const s = this.s;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pd = d[p]!;
      if (nd > pd || (nd === pd && ns > s[p]!)) break;
      const pn = a[p]!;
      a[i] = pn;
      d[i] = pd;
      s[i] = s[p]!;
      pn.hi = i;
      i = p;
    }
    a[i] = n;
    d[i] = nd;
    s[i] = ns;
    n.hi = i;
    return i;
  }

  /** Place (n, key) at hole i moving down; returns its final index. */
  private down(i: number, n: T, nd: number, ns: number): number {
    const a = this.a;
    const d = this.d;
    const s = this.s;
    const len = this.n;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= len) break;
      let cd = d[c]!;
      if (c + 1 < len) {
        const rd = d[c + 1]!;
        if (rd < cd || (rd === cd && s[c + 1]! < s[c]!)) {
          c++;
          cd = rd;
        }
      }
      if (nd < cd || (nd === cd && ns < s[c]!)) break;
      const cn = a[c]!;
      a[i] = cn;
      d[i] = cd;
      s[i] = s[c]!;
      cn.hi = i;
      i = c;
    }
    a[i] = n;
    d[i] = nd;
    s[i] = ns;
    n.hi = i;
    return i;
  }
}
