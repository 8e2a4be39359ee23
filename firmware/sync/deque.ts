/**
 * A growable ring buffer: O(1) push, shift and unshift without the O(n) `Array.prototype.shift`
 * (XS moves every element). Capacity doubles when full and never shrinks.
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private n = 0;

  constructor(capacity = 8) {
    this.buf = new Array<T | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.n;
  }

  push(v: T): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[(this.head + this.n) % this.buf.length] = v;
    this.n++;
  }

  /** Put `v` back at the front. */
  unshift(v: T): void {
    if (this.n === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = v;
    this.n++;
  }

  shift(): T | undefined {
    if (this.n === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.n--;
    return v;
  }

  /** Remove the last element equal to `v` (searching from the back); returns whether one was found. */
  removeLast(v: T): boolean {
    for (let i = this.n - 1; i >= 0; i--) {
      const j = (this.head + i) % this.buf.length;
      if (this.buf[j] !== v) continue;
      for (let k = i; k < this.n - 1; k++) {
        this.buf[(this.head + k) % this.buf.length] = this.buf[(this.head + k + 1) % this.buf.length];
      }
      this.buf[(this.head + this.n - 1) % this.buf.length] = undefined;
      this.n--;
      return true;
    }
    return false;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.n; i++) next[i] = old[(this.head + i) % old.length];
    this.buf = next;
    this.head = 0;
  }
}
