// The six workloads MicroPython's asyncio can run too (its unix port, or a board), on a real clock with the
// device's batching (a host turn every 2 ms of ready work, as ModdableHost does): round robin with 10 and
// 1,000 tasks, 1,000 tasks sleeping 10 ms (and how late they wake), Event ping-pong, Queue(1) and
// Queue(100) items. Portable: Node and XS. Exported for main.ts; not run on its own.
import { checkpoint, Scheduler, sleepMs, spawn, type Gen, type Task } from "../../firmware/sched/index";
import { PollingHost, nowMs } from "./harness";
import { pingPongTasks, queueFlowTasks } from "./primitives";



/** µs per operation: `ops` operations done by the tasks `make()` spawns, from spawn to the last join. */
async function usPer(ops: number, make: () => Task[]): Promise<number> {
  let t0 = 0;
  let t1 = 0;
  await new Scheduler(new PollingHost(2)).run(function* () {
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
  return usPer(n, () => queueFlowTasks(n, maxsize));
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
