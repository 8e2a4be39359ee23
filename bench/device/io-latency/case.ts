// Device bench case: how long from an IO callback being ready to the task it wakes running, with the
// scheduler's batch budget at 0 and 2 ms, while busy tasks keep every batch full. Kept out of bench.ts
// (docs/bench.md) on purpose: it needs an input that changes (edges on a pin), so it has its own entry
// (./main.ts: a Pico firmware; edges come from the emulator's script or a signal on the pin).
//
// "Ready" is the time the edge happened, as the platform's edge capture stamped it (the Pico's GPIO IRQ
// handler: time_us_64()); "running" is when the task waiting in PinEdges.next() resumes, on the same clock.
// So a sample is: the IRQ's message waiting for the batch to end + the main loop's turn (the message
// handing the edge to PinEdges, which wakes the task) + the round that runs the task.
import { runOn, spawn, checkpoint, moveOnAfter, type Gen, type Host, type Op, type Task } from "xs-async";
import type { Edge } from "xs-async/drivers/pin";

/** What the case needs from the board. */
export interface IoLatencyPlatform {
  print(line: string): void;
  /** The scheduler host (ModdableHost on a device); each batch size runs a scheduler of its own on it. */
  host: Host;
  /** Open the pin's edges (PinEdges on the platform's capture); `captured` false means the JS callback path. */
  openEdges(): { next(): Op<Edge>; tryNext(): Edge | null; nowUs(): number; close(): void; readonly captured: boolean };
  /** Edges measured per batch size (default 40). */
  samples?: number;
  /** Busy tasks and the µs each of their steps burns (default 4 tasks x 150 µs: a round of 0.6 ms). */
  busyTasks?: number;
  busyUs?: number;
  /** Give up a batch size after this long without an edge (default 20 s). */
  idleMs?: number;
}

/**
 * A host that is `h` with another batch budget, until retired: the scheduler of a finished measurement may
 * still run a round for its cancelled tasks, and its timer calls must not touch the next scheduler's timer.
 */
function withBatch(h: Host, batchMs: number): { host: Host; retire(): void } {
  let live = true;
  const host: Host = {
    now: () => h.now(),
    soon: (cb) => {
      if (live) h.soon(cb);
    },
    setTimer: (deadline, cb) => {
      if (live) h.setTimer(deadline, cb);
    },
    clearTimer: () => {
      if (live) h.clearTimer();
    },
    print: (line) => h.print(line),
    batchMs,
  };
  return { host, retire: () => void (live = false) };
}

function* busy(nowUs: () => number, us: number): Gen<void> {
  for (;;) {
    const start = nowUs();
    while (nowUs() - start < us);
    yield* checkpoint();
  }
}

interface Result {
  latencies: number[];
  skipped: number;
  captured: boolean;
}

function* measure(P: IoLatencyPlatform): Gen<Result> {
  const edges = P.openEdges();
  const tasks: Task[] = [];
  const n = P.samples ?? 40;
  const us = P.busyUs ?? 150;
  for (let i = 0; i < (P.busyTasks ?? 4); i++) tasks.push(spawn(`busy ${i}`, busy, () => edges.nowUs(), us));
  const latencies: number[] = [];
  let skipped = 0;
  try {
    while (latencies.length < n) {
      const r = yield* moveOnAfter(P.idleMs ?? 20_000, function* (): Gen<Edge> {
        return yield* edges.next();
      });
      if (r.timedOut) break;
      const late = edges.nowUs() - r.value!.us;
      // an edge that queued behind another measures the queue, not the scheduler: skip both
      if (edges.tryNext() !== null) {
        skipped++;
        while (edges.tryNext() !== null);
        continue;
      }
      latencies.push(late);
    }
  } finally {
    for (const t of tasks) t.cancel();
    edges.close();
  }
  return { latencies, skipped, captured: edges.captured };
}

function summary(batchMs: number, r: Result, P: IoLatencyPlatform): string {
  const l = r.latencies.slice().sort((a, b) => a - b);
  const at = (q: number): number => l[Math.min(l.length - 1, Math.floor(q * l.length))]!;
  const path = r.captured ? "edge capture" : "JS pin callback";
  if (l.length === 0) return `io-latency batchMs ${batchMs}: no edges (${path})`;
  return `io-latency batchMs ${batchMs}: n ${l.length} min ${Math.round(l[0]!)} median ${Math.round(at(0.5))} p90 ${Math.round(at(0.9))} max ${Math.round(l[l.length - 1]!)} us` +
    ` (${path}; ${P.busyTasks ?? 4} busy tasks x ${P.busyUs ?? 150} us a step; ${r.skipped} queued edges skipped)`;
}

/** Measure at batchMs 0 and 2 and print one line each, then "io-latency done". */
export async function ioLatency(P: IoLatencyPlatform): Promise<void> {
  for (const batchMs of [0, 2]) {
    const batch = withBatch(P.host, batchMs);
    const r = await runOn(batch.host, measure, P);
    batch.retire();
    P.print(summary(batchMs, r, P));
  }
  P.print("io-latency done");
}
