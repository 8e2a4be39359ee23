/**
 * A growable ring buffer: O(1) push, shift and unshift without the O(n) `Array.prototype.shift`
 * (XS moves every element). Capacity doubles when full and never shrinks.
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private n = 0;
  /** absolute position of the front element: push returns positions, removeAt takes them */
  private base = 0;

  constructor(capacity = 8) {
    this.buf = new Array<T | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.n;
  }

  /** Append `v`; returns its absolute position (stable while it stays in, for {@link removeAt}). */
  push(v: T): number {
    if (this.n === this.buf.length) this.grow();
    this.buf[(this.head + this.n) % this.buf.length] = v;
    return this.base + this.n++;
  }

  /** Put `v` back at the front. */
  unshift(v: T): void {
    if (this.n === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = v;
    this.n++;
    this.base--;
  }

  shift(): T | undefined {
    if (this.n === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.n--;
    this.base++;
    return v;
  }

  /** Remove the element at absolute position `pos` (from push); false if it is no longer in. */
  removeAt(pos: number): boolean {
    const i = pos - this.base;
    if (i < 0 || i >= this.n) return false;
    for (let k = i; k < this.n - 1; k++) {
      this.buf[(this.head + k) % this.buf.length] = this.buf[(this.head + k + 1) % this.buf.length];
    }
    this.buf[(this.head + this.n - 1) % this.buf.length] = undefined;
    this.n--;
    return true;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.n; i++) next[i] = old[(this.head + i) % old.length];
    this.buf = next;
    this.head = 0;
  }
}
