import { Event } from "./event";

/**
 * An {@link Event} that carries data (micropython-async's Message): `set(data)` wakes every waiter, in
 * the order they started waiting, and each `wait()` returns the data. Waiting on a set message returns
 * at once. `clear()` lowers the flag for later waits; `value` keeps the last data.
 *
 * Cancel-safe: a cancelled waiter leaves the queue at once; a cancel that arrives after `set()` but
 * before the waiter ran wins (the waiter sees CancelledError; the others still get the data). Safe to
 * `set()` from IO callbacks. Use a {@link ThreadSafeFlag} for a single waiter without data, a Queue or a
 * RingbufQueue when no message may be lost between two waits.
 * Memory: one object of 3 fields with a wait queue; waiting allocates nothing.
 * @example
 *   const reading = new Message<number>();
 *   sensor.onReadable = () => reading.set(sensor.read());
 *   const v = yield* reading.wait(); reading.clear();
 */
export class Message<T = unknown> extends Event<T> {
  /** Store `data`, set the flag and wake every waiter with the data (FIFO). */
  override set(data: T): void {
    super.set(data);
  }
}
