import { TimerHeap, type TimerNode } from "./heap";

/**
 * The scheduler's timers: a hashed timing wheel of 1 ms slots for deadlines less than SPAN ms past the
 * cursor, and a binary heap (TimerHeap) for the later ones, which move into the wheel as the cursor comes
 * within SPAN ms of them.
 *
 * Order: nodes fire by deadline, and nodes with equal deadlines in arming order, exactly as a heap keyed by
 * (deadline, arming order) would. A slot holds the nodes whose deadline falls in its millisecond, in a
 * circular doubly linked list sorted by deadline (sub-millisecond deadlines happen on virtual time); a node
 * armed with a deadline before the cursor goes into the cursor's slot, sorted among the others. A new node
 * goes after every node with a deadline not later than its own. Far nodes move in as soon as the cursor
 * comes within SPAN ms of them, before any later arming can put a node with the same deadline in the wheel,
 * and they move in heap order, so arming order is kept across the two levels.
 *
 * Cost: arming, removing and firing a node are O(1) in the wheel (a slot usually holds one or two nodes),
 * O(log n) for the far heap. Finding the earliest deadline when the cursor's slot is empty scans a bitmap of
 * occupied slots (8 words). Measured on host XS in bytecodes (bench/device/timers-meter.ts, about 1 µs
 * each on the RP2040) and on the device: docs/design.md, "Timers that scale".
 *
 * Memory: the slot heads (256) and the bitmap (8 numbers) are allocated once per scheduler, about 4.5 KB on
 * the device (the device bench's live heap grew from 19.8 to 24.2 KB); each node carries two links (`tn`,
 * `tp`) besides the heap's fields, 32 B more per task. SPAN is 256, not 1,024, for that reason: 1,024 slots
 * would take 16 KB, a quarter of an ESP32's JS heap.
 */

/** A node the wheel can hold: the heap's fields plus the slot links. */
export interface WheelNode extends TimerNode {
  /** Next node in the slot's ring (null when not in the wheel). */
  tn: WheelNode | null;
  /** Previous node in the slot's ring; non-null exactly while the node is in the wheel (then `hi` is its slot). */
  tp: WheelNode | null;
}

/** Milliseconds the wheel covers past its cursor; a power of two. */
export const SPAN = 256;
const MASK = SPAN - 1;
const WORDS = SPAN >> 5;

export class TimerWheel<T extends WheelNode> {
  // Field order matters on XS (a lookup walks the fields in order): the counts are read on every round.
  /** Nodes in the wheel (not counting the far heap). */
  private count = 0;
  /** Nodes in the far heap (its size, without a call). */
  private farCount = 0;
  /** The whole millisecond the wheel stands at: every node in it is due before cursor + SPAN. */
  private cursor: number;
  /** Each slot's earliest node (the head of its ring), or null. */
  private readonly slots: (WheelNode | null)[];
  /** One bit per occupied slot. */
  private readonly bits: number[];
  /** Nodes due at or after cursor + SPAN (the heap breaks ties by its own arming order, `seq`). */
  private readonly far = new TimerHeap<T>();
  /** The latest clock reading popDue() was given while nothing was armed: where the next arming puts the cursor. */
  private seen: number;

  /** `start`: the clock reading now (ms); the cursor starts at its whole millisecond. */
  constructor(start = 0) {
    // a clock before 0 starts the cursor at 0: earlier deadlines go into slot 0, sorted (`& MASK` on a
    // negative time would not be its whole millisecond)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: where the cursor starts is a cost (at 0, a clock at 2^40 sends every timer to the far heap until the first pop), never an order; `true` is killed by a clock below 0
    this.cursor = start > 0 ? Math.floor(start) : 0;
    this.seen = this.cursor;
    this.slots = new Array<WheelNode | null>(SPAN).fill(null);
    this.bits = new Array<number>(WORDS).fill(0);
  }

  /** Nodes armed. */
  get size(): number {
    return this.count + this.farCount;
  }

  /** Arm `n` to fire at `deadline`. `n` must not be armed. */
  push(n: T, deadline: number): void {
    n.deadline = deadline;
    // nothing armed: the cursor catches up with the clock, so the node lands in the wheel, not the far heap
    // (where a node goes is a matter of cost, never of order: Stryker cannot see the difference)
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator
    if (this.count === 0 && this.farCount === 0 && this.seen >= this.cursor + 1) this.cursor = Math.floor(this.seen);
    const cursor = this.cursor;
    if (deadline >= cursor + SPAN) {
      this.far.push(n, deadline);
      this.farCount++;
      return;
    }
    // Stryker disable next-line EqualityOperator,ConditionalExpression: a deadline at the cursor's millisecond is in the cursor's slot either way; every node in the cursor's slot (`true`) keeps the order, sorted, at O(n) a push
    const slot = deadline < cursor ? cursor & MASK : deadline & MASK;
    // the two common cases first (every sleep comes here): an empty slot, or after the slot's last node
    const head = this.slots[slot]!;
    if (head === null) {
      this.count++;
      n.hi = slot;
      n.tn = n;
      n.tp = n;
      this.slots[slot] = n;
      this.bits[slot >> 5] |= 1 << (slot & 31);
      return;
    }
    const tail = head.tp!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: a shortcut: insertSorted() appends after the tail too
    if (tail.deadline <= deadline) {
      this.count++;
      n.hi = slot;
      n.tp = tail;
      n.tn = head;
      tail.tn = n;
      head.tp = n;
      return;
    }
    this.insertSorted(n, slot, head);
  }

  /** Disarm `n` if it is armed; returns whether it was. */
  remove(n: T): boolean {
    if (n.tp !== null) {
      this.unlink(n);
      return true;
    }
    if (!this.far.remove(n)) return false;
    this.farCount--;
    return true;
  }

  /** The earliest deadline, or Infinity when nothing is armed. */
  first(): number {
    // Stryker disable next-line ConditionalExpression: a shortcut (an empty far heap answers Infinity too), one call less every round
    if (this.count === 0) return this.farCount === 0 ? Infinity : this.far.first();
    const head = this.slots[this.cursor & MASK]!;
    // Stryker disable next-line ConditionalExpression: a shortcut: nextOccupied() finds the cursor's own slot too
    if (head !== null) return head.deadline;
    return this.slots[this.nextOccupied(this.cursor) & MASK]!.deadline;
  }

  /** Disarm and return the earliest node if it is due at `now` (deadline <= now), else null. */
  popDue(now: number): T | null {
    // Stryker disable next-line ConditionalExpression,BlockStatement: a shortcut: the loop below ends the same way, after moving the cursor
    if (this.count === 0 && this.farCount === 0) {
      // the common case of a round with no timers: remember the clock, move nothing
      this.seen = now;
      return null;
    }
    const slots = this.slots;
    for (;;) {
      const cursor = this.cursor;
      const head = slots[cursor & MASK]!;
      if (head !== null) {
        if (head.deadline > now) return null;
        this.unlink(head);
        return head as T;
      }
      // the cursor's slot is empty: move to the next occupied slot, or to now if that is later
      if (cursor + 1 > now) return null;
      let to: number;
      if (this.count > 0) {
        to = this.nextOccupied(cursor);
        // not past the clock: nodes armed before the cursor share its slot, kept sorted, so a cursor far
        // ahead would make arming O(n) (a cost, not an order: Stryker cannot see the difference)
        // Stryker disable next-line ConditionalExpression,EqualityOperator
        if (to > now) to = Math.floor(now);
      } else {
        // only the far heap holds nodes
        // Stryker disable next-line MethodExpression: with max the cursor passes the clock or the far node; push() then clamps into its slot, sorted: a cost, not an order
        to = Math.floor(Math.min(this.far.first(), now));
      }
      this.cursor = to;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a shortcut: admit() checks again
      if (this.farCount !== 0 && this.far.first() < to + SPAN) this.admit();
    }
  }

  /**
   * Move the far nodes that are now within SPAN ms of the cursor into the wheel, in (deadline, arming)
   * order, through push(). None of them is before the cursor: they were at least SPAN ms past the old
   * cursor, and the cursor moves less than SPAN ms at a time while the wheel holds nodes, or to the earliest
   * far node. (push()'s catch-up does not move the cursor here: it follows a pop that found nothing armed.)
   */
  private admit(): void {
    const far = this.far;
    const limit = this.cursor + SPAN;
    while (far.first() < limit) {
      const n = far.pop()!;
      this.farCount--;
      this.push(n, n.deadline);
    }
  }

  /** The time of the first occupied slot at or after `from` (the wheel must not be empty). */
  private nextOccupied(from: number): number {
    const bits = this.bits;
    const start = from & MASK;
    let word = start >> 5;
    let mask = bits[word]! & (-1 << (start & 31));
    // Stryker disable next-line UpdateOperator: a guard against a count the bitmap disagrees with; the loop finds a slot before it ends
    for (let k = 0; k <= WORDS; k++) {
      if (mask !== 0) {
        const slot = (word << 5) | (31 - Math.clz32(mask & -mask));
        return from + ((slot - start) & MASK);
      }
      word = (word + 1) & (WORDS - 1);
      mask = bits[word]!;
    }
    throw new Error("timer wheel: count and bitmap disagree");
  }

  /** Link `n` into the non-empty slot whose first node is `head`, after the last node not later than it. */
  private insertSorted(n: WheelNode, slot: number, head: WheelNode): void {
    n.hi = slot;
    this.count++;
    const d = n.deadline;
    // after the last node not later than d: usually the tail
    let after = head.tp!;
    while (after.deadline > d) {
      if (after === head) {
        // earlier than every node of the slot: the new head
        n.tn = head;
        n.tp = head.tp;
        head.tp!.tn = n;
        head.tp = n;
        this.slots[slot] = n;
        return;
      }
      after = after.tp!;
    }
    const before = after.tn!;
    n.tp = after;
    n.tn = before;
    after.tn = n;
    before.tp = n;
  }

  private unlink(n: WheelNode): void {
    const slot = n.hi;
    const next = n.tn!;
    this.count--;
    if (next === n) {
      this.slots[slot] = null;
      this.bits[slot >> 5] &= ~(1 << (slot & 31));
    } else {
      const prev = n.tp!;
      prev.tn = next;
      next.tp = prev;
      if (this.slots[slot] === n) this.slots[slot] = next;
    }
    n.tn = null;
    n.tp = null;
    n.hi = -1; // not armed (the trace labels a task parked on an unlabelled wait "sleep" while hi >= 0)
  }
}
