// `npm run bench` runs this file on Node and on XS; scripts/bench.mjs prints the table and ratios.
import { checkpoint, runOn, sleepMs, spawn, RECORD_BYTES, TRACE, VirtualHost, type Gen, type Task } from "../../firmware/sched/index";
import { G, emit, memProbe, nowMs } from "./harness";
import { benchPrimitives, eventPingPong } from "./primitives";
import { benchUpy } from "./upy";
import { Event, Lock, Queue } from "../../firmware/sync/index";

/** Resumes per second of bare generators (`yield 1`) driven round robin by a plain loop. */
function bareGenerators(n: number, total: number): number {
  function* body(): Generator<number, void, unknown> {
    for (;;) yield 1;
  }
  const gens: Generator<number, void, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const g = body();
    g.next();
    gens.push(g);
  }
  const rounds = Math.max(1, Math.floor(total / n));
  const t0 = nowMs();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) gens[i]!.next();
  return (rounds * n) / ((nowMs() - t0) / 1000);
}

async function bareAwait(total: number): Promise<number> {
  const t0 = nowMs();
  for (let i = 0; i < total; i++) await null;
  return total / ((nowMs() - t0) / 1000);
}

/** Scheduler switches per second: n tasks looping on checkpoint(). */
async function roundRobin(n: number, total: number, async: boolean, bareYield = false): Promise<number> {
  const per = Math.max(1, Math.floor(total / n));
  function* g(): Gen<void> {
    if (bareYield) for (let i = 0; i < per; i++) yield;
    else for (let i = 0; i < per; i++) yield* checkpoint();
  }
  async function a(): Promise<void> {
    for (let i = 0; i < per; i++) await checkpoint();
  }
  let t0 = 0;
  await runOn(new VirtualHost(), function* () {
    const ts: Task[] = [];
    for (let i = 0; i < n; i++) ts.push(async ? spawn(a) : spawn(g));
    t0 = nowMs();
    for (const t of ts) yield* t.join();
  });
  return (per * n) / ((nowMs() - t0) / 1000);
}

/** Wake-ups per second and lateness (virtual ms, 1 µs charged per step) for n periodic sleepers. */
async function sleepers(n: number, total: number): Promise<{ rate: number; lateMean: number; lateMax: number }> {
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let wakeups = 0;
  let lateSum = 0;
  let lateMax = 0;
  let stop = false;
  const host = new VirtualHost({ stepCost: 0.001 });
  function* sleeper(period: number): Gen<void> {
    let next = host.now() + period;
    while (!stop) {
      yield* sleepMs(next - host.now());
      const late = host.now() - next;
      lateSum += late;
      if (late > lateMax) lateMax = late;
      if (++wakeups >= total) stop = true;
      next += period;
    }
  }
  let t0 = 0;
  await runOn(host, function* () {
    const ts: Task[] = [];
    for (let i = 0; i < n; i++) ts.push(spawn(sleeper, 1 + Math.floor(rand() * 1000)));
    t0 = nowMs();
    for (const t of ts) yield* t.join();
  });
  return { rate: wakeups / ((nowMs() - t0) / 1000), lateMean: lateSum / wakeups, lateMax };
}

/** Memory per item: probe, create `n` more items (kept alive), probe again. */
async function memory(kind: string, n: number): Promise<void> {
  const keep: unknown[] = [];
  // no autojump: the probes wait for host turns (external), and an idle scheduler must not jump the clock
  // to the parked tasks' deadline, which would wake and end them before the second probe
  const host = new VirtualHost({ autojump: false });
  await runOn(host, async () => {
    const make = (count: number): void => {
      for (let i = 0; i < count; i++) {
        if (kind === "bare-generator") {
          const g = (function* (): Generator<number, void, unknown> { for (;;) yield 1; })();
          g.next();
          keep.push(g);
        } else if (kind === "gen-task") keep.push(spawn(function* () { yield* sleepMs(1e12); }));
        else if (kind === "async-task") keep.push(spawn(async () => { await sleepMs(1e12); }));
        else if (kind === "event") keep.push(new Event());
        else if (kind === "lock") keep.push(new Lock());
        else if (kind === "queue100") {
          const q = new Queue<number>(100);
          for (let k = 0; k < 100; k++) q.putNowait(k); // full: its ring buffer at its final size
          keep.push(q);
        }
      }
    };
    make(n / 10);
    await checkpoint(); // the new tasks run first and park
    const a = await memProbe(`${kind}:${n / 10}`);
    make(n - n / 10);
    await checkpoint();
    const b = await memProbe(`${kind}:${n}`);
    if (a !== undefined && b !== undefined) emit({ mem: kind, bytesPerItem: (b - a) / (n - n / 10) });
  });
  void keep;
}

/** Node only: heap before and after a million switches (should be flat). */
async function heapFlat(): Promise<void> {
  if (!G.benchHeapUsed) return;
  await roundRobin(10, 10_000, false);
  const before = G.benchHeapUsed();
  await roundRobin(10, 1_000_000, false);
  const after = G.benchHeapUsed();
  emit({ heapFlat: { before, after, growthBytes: after - before } });
  await benchPrimitives(10_000);
  const pBefore = G.benchHeapUsed();
  await benchPrimitives(1_000_000);
  const pAfter = G.benchHeapUsed();
  emit({ heapFlatPrims: { before: pBefore, after: pAfter, growthBytes: pAfter - pBefore } });
}

/**
 * The task trace's cost per switch (scripts/bench.mjs runs this program with the trace hooks compiled in
 * and stripped out): switches per second with the trace off, then on (a 1024-record ring, the real clock).
 */
async function traceCost(quick: boolean): Promise<void> {
  const M = quick ? 100_000 : 500_000;
  const runs = 5;
  await roundRobin(100, M / 5, false, true); // warm up
  const r: Record<string, number[]> = { offYield: [], onYield: [], offCp: [], onCp: [], offPing: [], onPing: [] };
  for (let i = 0; i < runs; i++) {
    for (const on of [false, true]) {
      if (on) TRACE.start(nowMs, { records: 1024 });
      const k = on ? "on" : "off";
      r[`${k}Yield`]!.push(await roundRobin(100, M, false, true));
      r[`${k}Cp`]!.push(await roundRobin(100, M, false));
      r[`${k}Ping`]!.push(await eventPingPong(M / 10));
      TRACE.stop();
    }
  }
  const trace: Record<string, number> = { recordBytes: RECORD_BYTES };
  for (const [k, v] of Object.entries(r)) trace[k] = Math.max(...v);
  emit({ trace });
}

async function main(): Promise<void> {
  const args = G.BENCH_ARGS ?? [];
  if (args[0] === "trace") {
    await traceCost(args[1] === "quick");
    return;
  }
  if (args[0] === "mem") {
    await memory(args[1]!, Number(args[2] ?? 10000));
    return;
  }
  const quick = args[0] === "quick";
  const M = quick ? 100_000 : 1_000_000;
  // warm up
  bareGenerators(10, M / 10);
  await roundRobin(10, M / 10, false);
  const bare10 = bareGenerators(10, M);
  const bare1000 = bareGenerators(1000, M);
  const awaitRate = await bareAwait(M);
  emit({ bareGen10: bare10, bareGen1000: bare1000, bareAwait: awaitRate });
  const rr10 = await roundRobin(10, M, false);
  const rr1000 = await roundRobin(1000, M, false);
  const arr10 = await roundRobin(10, M / 4, true);
  const arr1000 = await roundRobin(1000, M / 4, true);
  const yrr10 = await roundRobin(10, M, false, true);
  const yrr1000 = await roundRobin(1000, M, false, true);
  emit({ rr10, rr1000, asyncRr10: arr10, asyncRr1000: arr1000, yieldRr10: yrr10, yieldRr1000: yrr1000 });
  const s100 = await sleepers(100, M / 5);
  const s10k = await sleepers(10_000, M / 5);
  emit({ sleepers100: s100, sleepers10k: s10k });
  emit({ prims: await benchPrimitives(M / 5, 1), prims16: await benchPrimitives(M / 5, 16) });
  emit({ upy: await benchUpy(M / 5) });
  await heapFlat();
}

main().then(
  () => emit({ done: true }),
  (e: unknown) => emit({ error: String(e instanceof Error ? e.stack : e) }),
);
