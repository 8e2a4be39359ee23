// The six workloads MicroPython's asyncio can run too (its unix port, or a board), on a real clock with the
// device's batching (a host turn every 2 ms of ready work, as ModdableHost does): round robin with 10 and
// 1,000 tasks, 1,000 tasks sleeping 10 ms (and how late they wake), Event ping-pong, Queue(1) and
// Queue(100) items. Portable: Node and XS. Exported for main.ts; not run on its own.
import { checkpoint, Scheduler, sleepMs, spawn, type Gen, type Task } from "../../firmware/sched/index";
import type { Host } from "../../firmware/sched/host";
import { Queue } from "../../firmware/sync/index";
import { nowMs } from "./harness";
import { pingPongTasks } from "./primitives";

declare function setImmediate(cb: () => void): void;

/** A real-clock host: setImmediate for host turns, its one timer polled on host turns (xsnap has no setTimeout). */
class RealHost implements Host {
  readonly batchMs = 2;
  private gen = 0;
  now(): number {
    return nowMs();
  }
  soon(cb: () => void): void {
    setImmediate(cb);
  }
  setTimer(deadline: number, cb: () => void): void {
    const g = ++this.gen;
    const poll = (): void => {
      if (g !== this.gen) return;
      if (nowMs() >= deadline) cb();
      else setImmediate(poll);
    };
    setImmediate(poll);
  }
  clearTimer(): void {
    this.gen++;
  }
  print(): void {}
}

/** µs per operation: `ops` operations done by the tasks `make()` spawns, from spawn to the last join. */
async function usPer(ops: number, make: () => Task[]): Promise<number> {
  let t0 = 0;
  let t1 = 0;
  await new Scheduler(new RealHost()).run(function* () {
    t0 = nowMs();
    const ts = make();
    for (const t of ts) yield* t.join();
    t1 = nowMs();
  });
  return ((t1 - t0) * 1000) / ops;
}

function roundRobin(n: number, total: number): Promise<number> {
  const per = Math.max(1, Math.floor(total / n));
  function* g(): Gen<void> {
    for (let i = 0; i < per; i++) yield* checkpoint();
  }
  return usPer(per * n, () => Array.from({ length: n }, () => spawn(g)));
}

function eventPingPong(n: number): Promise<number> {
  return usPer(n, () => pingPongTasks(n));
}

function queueFlow(n: number, maxsize: number): Promise<number> {
  return usPer(n, () => {
    const q = new Queue<number>(maxsize);
    function* producer(): Gen<void> {
      for (let i = 0; i < n; i++) yield* q.put(i);
    }
    function* consumer(): Gen<void> {
      for (let i = 0; i < n; i++) yield* q.get();
    }
    return [spawn(producer), spawn(consumer)];
  });
}

/** `n` tasks each sleeping 10 ms `times` times in a row: µs per wake-up of wall time, and lateness in ms. */
async function sleepers(n: number, times: number): Promise<{ usPerWake: number; lateMean: number; lateMax: number }> {
  let lateSum = 0;
  let lateMax = 0;
  let wakes = 0;
  function* sleeper(): Gen<void> {
    for (let i = 0; i < times; i++) {
      const due = nowMs() + 10;
      yield* sleepMs(10);
      const late = nowMs() - due;
      lateSum += late;
      if (late > lateMax) lateMax = late;
      wakes++;
    }
  }
  const us = await usPer(n * times, () => Array.from({ length: n }, () => spawn(sleeper)));
  return { usPerWake: us, lateMean: lateSum / wakes, lateMax };
}

/** The six workloads; `M` sets the operation counts. µs per operation (sleepers: per wake-up, and lateness in ms). */
export async function benchUpy(M: number): Promise<Record<string, unknown>> {
  await roundRobin(10, M / 10); // warm up
  return {
    rr10: await roundRobin(10, M),
    rr1000: await roundRobin(1000, M),
    sleep1000: await sleepers(1000, 10),
    event: await eventPingPong(M / 4),
    queue1: await queueFlow(M / 2, 1),
    queue100: await queueFlow(M, 100),
  };
}
