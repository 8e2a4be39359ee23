import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { now, sleepMs, spawn } from "../firmware/sched/index";
import {
  Barrier, BoundedSemaphore, Broker, Condition, DelayMs, Event, Lock, Queue, RingbufQueue, Semaphore, WaitAll, WaitAny,
} from "../firmware/sync/index";

/** "Name: message" of what `fn` throws, or "no error". */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return "no error";
}

// Bad input to a primitive gets an error that names the mistake, and the primitive stays usable.
describe("bad input to the primitives", () => {
  it("constructors refuse sizes, counts and callbacks that make no sense, and accept the edge values", () => {
    assert.deepEqual([
      thrown(() => new Queue(-1)), thrown(() => new Queue(2.5)), thrown(() => new Queue(NaN)), thrown(() => new Queue(0)),
      thrown(() => new Semaphore(-1)), thrown(() => new Semaphore(1.5)), thrown(() => new Semaphore(Infinity)), thrown(() => new Semaphore("2" as never)),
      thrown(() => new Semaphore(0)), thrown(() => new BoundedSemaphore(-1)),
      thrown(() => new RingbufQueue(0)), thrown(() => new RingbufQueue(2.5)), thrown(() => new RingbufQueue(Infinity)), thrown(() => new RingbufQueue("4" as never)),
      thrown(() => new RingbufQueue(1)),
      thrown(() => new Barrier(0)), thrown(() => new Barrier(1.5)), thrown(() => new Barrier(Infinity)), thrown(() => new Barrier("2" as never)),
      thrown(() => new Barrier(2, 5 as never)), thrown(() => new Barrier(1, null)), thrown(() => new Barrier(1)),
      thrown(() => new Condition({} as never)),
      thrown(() => new DelayMs(5 as never)), thrown(() => new DelayMs(null, "x" as never)), thrown(() => new DelayMs(null, [], -1)),
      thrown(() => new DelayMs(null, [], Infinity)), thrown(() => new DelayMs(null, [], NaN)), thrown(() => new DelayMs(null, [], "5" as never)),
    ], [
      "RangeError: maxsize must be a whole number >= 0, got -1", "RangeError: maxsize must be a whole number >= 0, got 2.5",
      "RangeError: maxsize must be a whole number >= 0, got NaN", "no error",
      "RangeError: a semaphore's value must be a whole number >= 0, got -1", "RangeError: a semaphore's value must be a whole number >= 0, got 1.5",
      "RangeError: a semaphore's value must be a whole number >= 0, got Infinity", "RangeError: a semaphore's value must be a whole number >= 0, got 2",
      "no error", "RangeError: a semaphore's value must be a whole number >= 0, got -1",
      "RangeError: a RingbufQueue's capacity must be a whole number >= 1, got 0", "RangeError: a RingbufQueue's capacity must be a whole number >= 1, got 2.5",
      "RangeError: a RingbufQueue's capacity must be a whole number >= 1, got Infinity", "RangeError: a RingbufQueue's capacity must be a whole number >= 1, got 4",
      "no error",
      "RangeError: a Barrier needs a whole number of parties >= 1, got 0", "RangeError: a Barrier needs a whole number of parties >= 1, got 1.5",
      "RangeError: a Barrier needs a whole number of parties >= 1, got Infinity", "RangeError: a Barrier needs a whole number of parties >= 1, got 2",
      "TypeError: a Barrier's callback must be a function", "no error", "no error",
      "TypeError: Condition takes a Lock (or nothing)",
      "TypeError: a DelayMs callback must be a function", "TypeError: a DelayMs callback's arguments must be an array",
      "RangeError: a DelayMs duration must be >= 0 and finite, got -1", "RangeError: a DelayMs duration must be >= 0 and finite, got Infinity",
      "TypeError: a DelayMs duration must be a number of milliseconds, got NaN", "TypeError: a DelayMs duration must be a number of milliseconds, got 5",
    ]);
  });

  it("DelayMs: trigger() and callback() check their arguments and keep the timer as it was; a duration of 0 is allowed", async () => {
    const r = await vrun(function* () {
      const d = new DelayMs(null, [], 10);
      const out = [
        thrown(() => d.trigger(-5)), thrown(() => d.trigger(Infinity)), thrown(() => d.trigger(NaN)), thrown(() => d.callback(7 as never)),
        `running: ${d.running}`,
      ];
      d.callback(null);
      d.trigger(0); // the default duration
      out.push(`trigger(0) runs: ${d.running}`);
      yield* d.wait();
      out.push(`fired at ${now()}, running: ${d.running}`);
      const instant = new DelayMs(undefined, [], 0);
      instant.trigger();
      yield* instant.wait();
      out.push(`a 0 ms DelayMs fired at ${now()}`);
      return out;
    });
    assert.deepEqual(r, [
      "RangeError: a trigger duration must be >= 0 and finite, got -5", "RangeError: a trigger duration must be >= 0 and finite, got Infinity",
      "TypeError: a trigger duration must be a number of milliseconds, got NaN", "TypeError: a DelayMs callback must be a function",
      "running: false", "trigger(0) runs: true", "fired at 10, running: false", "a 0 ms DelayMs fired at 10",
    ]);
  });

  it("Condition: notify(n) wants a number; notify and wait need the lock, and say who does not hold it", async () => {
    const r = await vrun(function* () {
      const c = new Condition();
      const out = [thrown(() => c.notify()), thrown(() => c.notifyAll())];
      yield* c.acquire();
      out.push(thrown(() => c.notify("2" as never)), thrown(() => c.notify(NaN)), thrown(() => c.notify(0)));
      const other = spawn("other", function* () { return thrown(() => c.notify()); });
      out.push(yield* other.join());
      c.release();
      return out;
    });
    assert.deepEqual(r, [
      "InvalidStateError: Condition.notify() needs the lock: task main does not hold it",
      "InvalidStateError: Condition.notify() needs the lock: task main does not hold it", // notifyAll is notify(Infinity)
      "TypeError: notify(n) takes a number, got 2", "TypeError: notify(n) takes a number, got NaN", "no error",
      "InvalidStateError: Condition.notify() needs the lock: task other does not hold it",
    ]);
    assert.equal(thrown(() => new Condition().notify()), "InvalidStateError: Condition.notify() needs the lock: called outside a task");
  });

  it("Broker: patterns and topics are checked; an unusable subscriber is refused", () => {
    const b = new Broker();
    const f = (): void => undefined;
    assert.deepEqual([
      thrown(() => b.subscribe("", f)), thrown(() => b.subscribe(5 as never, f)), thrown(() => b.subscribe("a/b+", f)),
      thrown(() => b.subscribe("a/#/b", f)), thrown(() => b.subscribe("+x", f)), thrown(() => b.subscribe("a", 5 as never)),
      thrown(() => b.subscribe("a", null as never)), thrown(() => b.subscribe("a", {} as never)),
      thrown(() => b.publish("", 1)), thrown(() => b.publish(7 as never, 1)), thrown(() => b.publish("a/+", 1)), thrown(() => b.publish("#", 1)),
      thrown(() => b.publish("a/#", 1)),
    ], [
      "TypeError: a topic pattern must be a non-empty string", "TypeError: a topic pattern must be a non-empty string",
      "RangeError: bad topic pattern \"a/b+\": \"+\" must be a whole level, \"#\" the whole last level",
      "RangeError: bad topic pattern \"a/#/b\": \"+\" must be a whole level, \"#\" the whole last level",
      "RangeError: bad topic pattern \"+x\": \"+\" must be a whole level, \"#\" the whole last level",
      "TypeError: a Broker subscriber must be a function, a task function, an Event/Message/ThreadSafeFlag (set) or a Queue/RingbufQueue (putNowait)",
      "TypeError: a Broker subscriber must be a function, a task function, an Event/Message/ThreadSafeFlag (set) or a Queue/RingbufQueue (putNowait)",
      "TypeError: a Broker subscriber must be a function, a task function, an Event/Message/ThreadSafeFlag (set) or a Queue/RingbufQueue (putNowait)",
      "TypeError: a topic must be a non-empty string", "TypeError: a topic must be a non-empty string",
      "RangeError: a published topic has no wildcards, got \"a/+\"", "RangeError: a published topic has no wildcards, got \"#\"",
      "RangeError: a published topic has no wildcards, got \"a/#\"",
    ]);
    assert.equal(b.size, 0);
  });

  it("WaitAny / WaitAll: the sources must be an array of tasks or things with wait()", async () => {
    const r = await vrun(function* () {
      const t = spawn(function* () { yield* sleepMs(1); });
      return [
        thrown(() => new WaitAny("ab" as never)), thrown(() => new WaitAll(5 as never)), thrown(() => new WaitAny([null as never])),
        thrown(() => new WaitAny([t, 3 as never])), thrown(() => new WaitAll([new Event(), { wait: 1 } as never])),
        thrown(() => new WaitAny([])), thrown(() => new WaitAll([])), thrown(() => new WaitAny([t, new Event()])),
      ];
    });
    assert.deepEqual(r, [
      "TypeError: WaitAny takes an array of tasks, events or other objects with a wait() operation",
      "TypeError: WaitAll takes an array of tasks, events or other objects with a wait() operation",
      "TypeError: WaitAny: item 0 is neither a task nor an object with a wait() operation",
      "TypeError: WaitAny: item 1 is neither a task nor an object with a wait() operation",
      "TypeError: WaitAll: item 1 is neither a task nor an object with a wait() operation",
      "RangeError: WaitAny of nothing would never return", "no error", "no error",
    ]);
  });

  it("a wait outside any task is a clear error, for every primitive", () => {
    const waits: Array<[string, () => unknown]> = [
      ["Event.wait", () => new Event().wait()], ["Queue.get", () => new Queue().get()], ["Queue.put", () => new Queue().put(1)],
      ["Lock.acquire", () => new Lock().acquire()], ["Semaphore.acquire", () => new Semaphore(0).acquire()],
      ["RingbufQueue.get", () => new RingbufQueue(2).get()], ["Barrier.wait", () => new Barrier(2).wait()],
    ];
    for (const [what, w] of waits) assert.match(thrown(w), /^InvalidStateError: no task is running here/, what);
  });
});
