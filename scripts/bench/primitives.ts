// Primitive throughput with generator tasks on a virtual clock (time never passes: pure scheduler and
// primitive cost). Portable: Node and XS. Exported for main.ts; not run on its own.
import { checkpoint, Scheduler, spawn, VirtualHost, type Gen, type Task } from "../../firmware/sched/index";
import { Event, Lock, Queue, RingbufQueue } from "../../firmware/sync/index";
import { nowMs } from "./harness";

/** Run `make()`'s tasks to completion; returns `count / seconds` measured from their spawn to the last join. */
let minBatch = 1;

async function rate(count: number, make: () => Task[]): Promise<number> {
  let t0 = 0;
  let t1 = 0;
  await new Scheduler(new VirtualHost(), { minBatch }).run(function* () {
    t0 = nowMs();
    const ts = make();
    for (const t of ts) yield* t.join();
    t1 = nowMs();
  });
  return count / ((t1 - t0) / 1000);
}

/** Two tasks passing `n` round trips through two events (set, wait, clear in turn); returns the tasks. */
export function pingPongTasks(n: number): Task[] {
  const ping = new Event();
  const pong = new Event();
  function* a(): Gen<void> {
    for (let i = 0; i < n; i++) {
      ping.set();
      yield* pong.wait();
      pong.clear();
    }
  }
  function* b(): Gen<void> {
    for (let i = 0; i < n; i++) {
      yield* ping.wait();
      ping.clear();
      pong.set();
    }
  }
  return [spawn(a), spawn(b)];
}

/** Round trips per second: two tasks, two events (set, wait, clear in turn). */
export function eventPingPong(n: number): Promise<number> {
  return rate(n, () => pingPongTasks(n));
}

/** Lock hand-offs per second: two tasks contending (each holds the lock across a checkpoint). */
function lockHandoff(n: number): Promise<number> {
  return rate(2 * n, () => {
    const l = new Lock();
    function* user(): Gen<void> {
      for (let i = 0; i < n; i++) {
        yield* l.acquire();
        yield* checkpoint();
        l.release();
      }
    }
    return [spawn(user), spawn(user)];
  });
}

/** A producer and a consumer passing `n` items through a Queue of `maxsize`; returns the tasks. */
export function queueFlowTasks(n: number, maxsize: number): Task[] {
  const q = new Queue<number>(maxsize);
  function* producer(): Gen<void> {
    for (let i = 0; i < n; i++) yield* q.put(i);
  }
  function* consumer(): Gen<void> {
    for (let i = 0; i < n; i++) yield* q.get();
  }
  return [spawn(producer), spawn(consumer)];
}

/** Items per second from a producer to a consumer through a Queue of `maxsize`. */
function queueFlow(n: number, maxsize: number): Promise<number> {
  return rate(n, () => queueFlowTasks(n, maxsize));
}

/** Items per second through a RingbufQueue(64): the producer puts 32 at a time, then checkpoints. */
function ringbufFlow(n: number): Promise<number> {
  return rate(n, () => {
    const q = new RingbufQueue<number>(64);
    function* producer(): Gen<void> {
      for (let i = 0; i < n; i++) {
        q.put(i);
        if ((i & 31) === 31) yield* checkpoint();
      }
    }
    function* consumer(): Gen<void> {
      for (let i = 0; i < n; i++) yield* q.get();
      if (q.overwritten !== 0) throw new Error(`ringbuf bench lost ${q.overwritten} items`);
    }
    return [spawn(producer), spawn(consumer)];
  });
}

/**
 * Throughput of the primitives, `M` operations each (ping-pong round trips, lock hand-offs, items):
 * `{ eventPingPong, lockHandoff, queue1, queue100, ringbuf }`, per second.
 */
export async function benchPrimitives(M: number, batch = 1): Promise<Record<string, number>> {
  minBatch = batch;
  await eventPingPong(Math.max(1, Math.floor(M / 10))); // warm up
  return {
    eventPingPong: await eventPingPong(M),
    lockHandoff: await lockHandoff(Math.max(1, Math.floor(M / 2))),
    queue1: await queueFlow(M, 1),
    queue100: await queueFlow(M, 100),
    ringbuf: await ringbufFlow(M),
  };
}
