// The device benchmark's measurements (docs/bench.md). Portable: the same code runs on a Moddable device
// (./main.ts) and on Node (./node.ts); the platform gives it a clock, a console and (if it can) a heap reading.
// Public API only. Every measurement is short (a fraction of a second on an RP2040) so the whole run fits
// in about 15 s on a Pico and one minute of simulated time in the emulator.
import { checkpoint, run, sleepMs, spawn, type Gen, type Task } from "firmware/sched/index";
import { Barrier, Condition, Event, Lock, Message, Queue, RingbufQueue, Semaphore, ThreadSafeFlag } from "firmware/sync/index";

export interface BenchPlatform {
  /** Board or engine name for the header line. */
  name: string;
  /** Monotonic clock in ms (fractional if the platform has a finer clock). */
  nowMs(): number;
  /** What `nowMs` is read from, for the header line ("Time.ticks (1 ms)"). */
  clockName: string;
  /** Print one line. */
  print(line: string): void;
  /** Run a full garbage collection (before each measurement, outside its clock). */
  gc(): void;
  /** Bytes in use after a full garbage collection, or undefined when the platform cannot tell. */
  heapBytes(): number | undefined;
  /** Where heapBytes comes from, or why there is none. */
  heapName: string;
  /** Bytes the engine has reserved for its heap (XS grows it and never gives it back). */
  heapReservedBytes?(): number;
  /**
   * Bytes in use now, without collecting (XS counts every slot and chunk it hands out, so the growth over a
   * workload with no collection in between is what the workload allocated). Undefined: no garbage rows.
   */
  heapAllocatedBytes?(): number;
  /** Turn garbage collection off (false) and on again (true) around a garbage row, if the engine can. */
  collect?(on: boolean): void;
  /** Whether the scheduler modules were preloaded (XS: in flash, not in the RAM heap). */
  modulesPreloaded?: boolean;
  /** The measurement about to start (a device watchdog names it if it never ends). */
  phase?(label: string): void;
  /** Operation counts; the defaults suit an RP2040 (each row then takes 0.2 to 0.8 s). */
  scale?: number;
  /** Items per memory measurement (default 50). */
  memN?: number;
  /** Tasks in the sleep wake-up rows (default 100). */
  sleepers?: number;
  /**
   * Grow the heap by about this many bytes before measuring (default 64 KB; 0 on hosts with a large heap).
   * XS grows its heap only when a collection frees almost nothing and never shrinks it, so without this
   * the first rows would run with a few KB of headroom (a collection every few switches) and later rows,
   * after the memory rows grew the heap, with far more: rows measured at different GC rates.
   */
  warmHeapBytes?: number;
}

/** One timed measurement: `n` operations in `ms` milliseconds. */
interface Row {
  n: number;
  ms: number;
}

const pad = (s: string, w: number): string => (s.length >= w ? s : s + " ".repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : " ".repeat(w - s.length) + s);
const fix = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : "-");

/** Resumes of 10 plain generators (`yield 1`) driven round robin by a loop: the floor for a generator switch. */
function bareGenerators(total: number): void {
  function* body(): Generator<number, void, unknown> {
    for (;;) yield 1;
  }
  const gens: Generator<number, void, unknown>[] = [];
  for (let i = 0; i < 10; i++) {
    const g = body();
    g.next();
    gens.push(g);
  }
  const rounds = total / 10;
  for (let r = 0; r < rounds; r++) for (let i = 0; i < 10; i++) gens[i]!.next();
}

/** `await null` in a loop: the floor for an async switch. */
async function bareAwait(total: number): Promise<void> {
  for (let i = 0; i < total; i++) await null;
}

/** Allocate about `bytes` of small objects and drop them: XS keeps the heap it grew for them. */
function growHeap(bytes: number): number {
  const junk: object[] = [];
  for (let i = 0; i < bytes / 64; i++) junk.push({ a: i, b: i, c: i }); // 64 bytes each on 32-bit XS
  return junk.length;
}

function* joinAll(ts: Task[]): Gen<void> {
  for (const t of ts) yield* t.join();
}

/** `n` tasks, `total` checkpoints in all; the clock runs from after the spawns to the last join. */
function* roundRobin(P: BenchPlatform, n: number, total: number, async: boolean, bareYield = false): Gen<Row> {
  const per = total / n;
  function* g(): Gen<void> {
    if (bareYield) for (let i = 0; i < per; i++) yield;
    else for (let i = 0; i < per; i++) yield* checkpoint();
  }
  async function a(): Promise<void> {
    for (let i = 0; i < per; i++) await checkpoint();
  }
  const ts: Task[] = [];
  for (let i = 0; i < n; i++) ts.push(async ? spawn(a) : spawn(g));
  const t0 = P.nowMs();
  yield* joinAll(ts);
  return { n: per * n, ms: P.nowMs() - t0 };
}

/** Two tasks, two Events: set, wait, clear in turn; `n` round trips. */
function* eventPingPong(P: BenchPlatform, n: number, async: boolean): Gen<Row> {
  const ping = new Event();
  const pong = new Event();
  function* ga(): Gen<void> {
    for (let i = 0; i < n; i++) {
      ping.set();
      yield* pong.wait();
      pong.clear();
    }
  }
  function* gb(): Gen<void> {
    for (let i = 0; i < n; i++) {
      yield* ping.wait();
      ping.clear();
      pong.set();
    }
  }
  async function aa(): Promise<void> {
    for (let i = 0; i < n; i++) {
      ping.set();
      await pong.wait();
      pong.clear();
    }
  }
  async function ab(): Promise<void> {
    for (let i = 0; i < n; i++) {
      await ping.wait();
      ping.clear();
      pong.set();
    }
  }
  const t0 = P.nowMs();
  yield* joinAll(async ? [spawn(aa), spawn(ab)] : [spawn(ga), spawn(gb)]);
  return { n, ms: P.nowMs() - t0 };
}

/** A producer and a consumer through a Queue(1); `n` items. */
function* queueFlow(P: BenchPlatform, n: number, async: boolean): Gen<Row> {
  const q = new Queue<number>(1);
  function* gp(): Gen<void> {
    for (let i = 0; i < n; i++) yield* q.put(i);
  }
  function* gc(): Gen<void> {
    for (let i = 0; i < n; i++) yield* q.get();
  }
  async function ap(): Promise<void> {
    for (let i = 0; i < n; i++) await q.put(i);
  }
  async function ac(): Promise<void> {
    for (let i = 0; i < n; i++) await q.get();
  }
  const t0 = P.nowMs();
  yield* joinAll(async ? [spawn(ap), spawn(ac)] : [spawn(gp), spawn(gc)]);
  return { n, ms: P.nowMs() - t0 };
}

/**
 * `n` tasks each sleeping 1 ms over and over; stops after `total` wake-ups. On a microcontroller the
 * scheduler cannot keep up (10 sleepers leave 100 µs per wake-up, 100 sleepers 10 µs), so every sleeper is
 * always due and the clock measures the cost of a wake-up: timer heap pop, resume, the next sleepMs(1) and
 * its heap push. A fast host keeps up with 10 sleepers and then reads 1000 / n µs.
 */
function* sleepers(P: BenchPlatform, n: number, total: number, async: boolean): Gen<Row> {
  let wakeups = 0;
  let t1 = 0;
  const stop = (): boolean => {
    if (++wakeups === total) t1 = P.nowMs();
    return wakeups >= total;
  };
  function* g(): Gen<void> {
    do yield* sleepMs(1);
    while (!stop());
  }
  async function a(): Promise<void> {
    do await sleepMs(1);
    while (!stop());
  }
  const ts: Task[] = [];
  for (let i = 0; i < n; i++) ts.push(async ? spawn(a) : spawn(g));
  const t0 = P.nowMs();
  yield* joinAll(ts);
  return { n: total, ms: t1 - t0 };
}

/**
 * Bytes allocated per operation: the workload run with `small` and with `large` operations, each from a
 * full collection and with collection turned off during it (or, where the engine cannot, with the heap
 * headroom far larger than what it allocates), the difference divided by `large - small`, so the spawns
 * and joins cancel out. Undefined if a collection ran (the reading went down) or the platform cannot tell.
 */
function* garbage(P: BenchPlatform, m: (n: number) => Gen<Row>, small: number, large: number): Gen<number | undefined> {
  if (P.heapAllocatedBytes === undefined) return undefined;
  const one = function* (n: number): Gen<number> {
    P.gc();
    if (P.collect) P.collect(false);
    try {
      const before = P.heapAllocatedBytes!();
      yield* m(n);
      return P.heapAllocatedBytes!() - before;
    } finally {
      if (P.collect) P.collect(true);
    }
  };
  const a = yield* one(small);
  const b = yield* one(large);
  if (a < 0 || b < 0) return undefined;
  return (b - a) / (large - small);
}

type MemKind = "bare-gen" | "gen-sleep" | "gen-event" | "bare-async" | "async-sleep" | "async-event";

/**
 * Bytes per item: heap after a full GC, make `n` items (kept in an array allocated beforehand), let
 * tasks start and park, heap after a full GC again; then cancel the tasks and wait for them to end.
 */
function* memory(P: BenchPlatform, kind: MemKind, n: number): Gen<number | undefined> {
  const keep: unknown[] = new Array<unknown>(n).fill(null);
  const never = new Promise<void>(() => {});
  const ev = new Event();
  function* bareGen(): Generator<number, void, unknown> {
    yield 1;
  }
  async function bareAsync(p: Promise<void>): Promise<void> {
    await p;
  }
  function* genSleep(): Gen<void> {
    yield* sleepMs(Infinity);
  }
  function* genEvent(): Gen<void> {
    yield* ev.wait();
  }
  async function asyncSleep(): Promise<void> {
    await sleepMs(Infinity);
  }
  async function asyncEvent(): Promise<void> {
    await ev.wait();
  }
  yield* sleepMs(1);
  const before = P.heapBytes();
  if (before === undefined) return undefined;
  for (let i = 0; i < n; i++) {
    if (kind === "bare-gen") {
      const g = bareGen();
      g.next();
      keep[i] = g;
    } else if (kind === "bare-async") keep[i] = bareAsync(never);
    else if (kind === "gen-sleep") keep[i] = spawn(genSleep);
    else if (kind === "gen-event") keep[i] = spawn(genEvent);
    else if (kind === "async-sleep") keep[i] = spawn(asyncSleep);
    else keep[i] = spawn(asyncEvent);
  }
  yield* sleepMs(1); // every task runs to its wait and parks
  const after = P.heapBytes();
  for (const t of keep) {
    if (typeof t !== "object" || t === null || !("cancel" in t)) continue;
    const task = t as Task;
    if (task.done) throw new Error(`${kind}: a task ended instead of parking`);
    task.cancel();
    try {
      yield* task.join();
    } catch {
      // CancelledError: expected
    }
  }
  return after !== undefined ? (after - before) / n : undefined;
}

/** Bytes per primitive with no waiter: heap after a full GC before and after making `n` of them. */
function primitiveBytes(P: BenchPlatform, make: () => unknown, n: number): number | undefined {
  const keep: unknown[] = new Array<unknown>(n).fill(null);
  P.gc();
  const before = P.heapBytes();
  if (before === undefined) return undefined;
  for (let i = 0; i < n; i++) keep[i] = make();
  const after = P.heapBytes();
  return after !== undefined && keep.length === n ? (after - before) / n : undefined;
}

/** Run every measurement and print the table; resolves when "bench done" has been printed. */
export function bench(P: BenchPlatform): Promise<void> {
  const k = P.scale ?? 1;
  const memN = P.memN ?? 50;
  const sleepersN = P.sleepers ?? 100;
  const line = (s: string): void => P.print(s);
  const kb = (b: number | undefined): string => (b === undefined ? "" : lpad(fix(b / 1024, 1), 9));
  let bareGenUs = NaN;
  let bareAwaitUs = NaN;
  const show = (label: string, r: { n: number; ms: number }): void => {
    const us = (r.ms * 1000) / r.n;
    line(
      `${pad(label, 40)}${lpad(String(r.n), 6)}${lpad(fix(r.ms, r.ms < 100 ? 1 : 0), 7)}${lpad(fix(us, 1), 9)}` +
        `${lpad(fix(us / bareGenUs, 2), 8)}${lpad(fix(us / bareAwaitUs, 2), 8)}${kb(P.heapBytes())}`,
    );
  };
  const phase = (label: string): void => {
    if (P.phase) P.phase(label);
  };

  /** "bench: heap at start: live 8.4 KB, reserved 13.3 KB" */
  const heapLine = (when: string): void => {
    const used = P.heapBytes();
    if (used === undefined) return;
    const reserved = P.heapReservedBytes ? `, reserved ${fix(P.heapReservedBytes() / 1024, 1)} KB` : "";
    P.print(`bench: heap ${when}: live ${fix(used / 1024, 1)} KB${reserved}`);
  };
  P.print(`bench: xs-async scheduler on ${P.name}; clock ${P.clockName}; heap ${P.heapName}`);
  if (P.modulesPreloaded !== undefined) P.print(`bench: modules preloaded: ${P.modulesPreloaded ? "yes" : "no"}`);
  const warm = P.warmHeapBytes ?? 65536;
  if (warm > 0) {
    growHeap(warm);
    P.gc();
  }
  heapLine(warm > 0 ? `at start, after growing it by ${fix(warm / 1024, 0)} KB` : "at start");
  const live = P.heapBytes();
  line(
    `${pad("measurement", 40)}${lpad("n", 6)}${lpad("ms", 7)}${lpad("us/op", 9)}${lpad("x gen", 8)}${lpad("x await", 8)}` +
      `${live === undefined ? "" : lpad("live KB", 9)}`,
  );

  // The floors, measured before any scheduler runs.
  phase("bare generator resume (10 gens)");
  bareGenerators(1000 * k); // warm-up
  const floors = async (): Promise<void> => {
    const gens = { n: 10000 * k, ms: 0 };
    P.gc();
    let t0 = P.nowMs();
    bareGenerators(gens.n);
    gens.ms = P.nowMs() - t0;
    bareGenUs = (gens.ms * 1000) / gens.n;
    phase("bare await null");
    const awaits = { n: 3000 * k, ms: 0 };
    P.gc();
    t0 = P.nowMs();
    await bareAwait(awaits.n);
    awaits.ms = P.nowMs() - t0;
    bareAwaitUs = (awaits.ms * 1000) / awaits.n;
    show("bare generator resume (10 gens)", gens);
    show("bare await null", awaits);
  };

  function* tasks(): Gen<void> {
    // Each measurement starts after a full GC, so one row's garbage is not collected on the next one's
    // clock. The live column is read one scheduler round after the row's tasks ended: in the round where
    // they end, the scheduler's stack still reaches them.
    function* R(label: string, m: () => Gen<Row>): Gen<void> {
      phase(label);
      P.gc();
      const r = yield* m();
      yield* sleepMs(5);
      show(label, r);
    }
    yield* R("gen tasks, yield* checkpoint(), 10", () => roundRobin(P, 10, 2000 * k, false));
    yield* R("gen tasks, bare yield, 10", () => roundRobin(P, 10, 2000 * k, false, true));
    yield* R("gen task alone, yield* checkpoint()", () => roundRobin(P, 1, 1000 * k, false));
    yield* R("async tasks, await checkpoint(), 10", () => roundRobin(P, 10, 1000 * k, true));
    yield* R("async task alone, await checkpoint()", () => roundRobin(P, 1, 500 * k, true));
    yield* R("Event round trip, gen tasks", () => eventPingPong(P, 300 * k, false));
    yield* R("Event round trip, async tasks", () => eventPingPong(P, 200 * k, true));
    yield* R("Queue(1) item, gen tasks", () => queueFlow(P, 500 * k, false));
    yield* R("Queue(1) item, async tasks", () => queueFlow(P, 300 * k, true));

    const garbageRowsList: [string, (n: number) => Gen<Row>, number, number][] = [
      ["gen checkpoint switch, 10 tasks", (n) => roundRobin(P, 10, n, false), 100, 500],
      ["gen Event round trip", (n) => eventPingPong(P, n, false), 50, 250],
      ["gen Queue(1) item", (n) => queueFlow(P, n, false), 50, 250],
      ["async checkpoint switch, 10 tasks", (n) => roundRobin(P, 10, n, true), 10, 30],
      ["async Event round trip", (n) => eventPingPong(P, n, true), 3, 9],
    ];
    function* garbageRows(rows: typeof garbageRowsList): Gen<void> {
      if (P.heapAllocatedBytes === undefined) return;
      line("bytes allocated per operation (no collection during the run; difference of two run lengths):");
      for (const [label, m, small, large] of rows) {
        phase(`garbage: ${label}`);
        const b = yield* garbage(P, m, small, large);
        line(`  ${pad(label, 44)}${lpad(b === undefined ? "n/a" : fix(b, 1), 8)}`);
      }
    }

    line(`bytes per item (N=${memN}; ${P.heapName}):`);
    const mem: Partial<Record<MemKind, number | undefined>> = {};
    function* M(kind: MemKind, label: string, base?: MemKind): Gen<void> {
      phase(`memory: ${label}`);
      const b = yield* memory(P, kind, memN);
      mem[kind] = b;
      const ref = base !== undefined ? mem[base] : undefined;
      const ratio = b !== undefined && ref !== undefined ? `${lpad(fix(b / ref, 2), 8)}x ${base}` : "";
      line(`  ${pad(label, 44)}${lpad(b === undefined ? "n/a" : fix(b, 0), 6)}${ratio}`);
    }
    yield* M("bare-gen", "bare suspended generator");
    yield* M("gen-sleep", "gen task parked in sleepMs(Infinity)", "bare-gen");
    yield* M("gen-event", "gen task parked in Event.wait()", "bare-gen");
    yield* M("bare-async", "bare pending async function (await)");
    yield* M("async-sleep", "async task parked in sleepMs(Infinity)", "bare-async");
    yield* M("async-event", "async task parked in Event.wait()", "bare-async");
    const primitives: [string, () => unknown][] = [
      ["Event", () => new Event()],
      ["Lock", () => new Lock()],
      ["Semaphore", () => new Semaphore(1)],
      ["Condition (with its Lock)", () => new Condition()],
      ["Barrier(2)", () => new Barrier(2)],
      ["Message", () => new Message()],
      ["ThreadSafeFlag", () => new ThreadSafeFlag()],
      ["Queue(4), empty", () => new Queue<number>(4)],
      ["RingbufQueue(16), empty", () => new RingbufQueue<number>(16)],
    ];
    for (const [label, make] of primitives) {
      phase(`memory: ${label}`);
      const b = primitiveBytes(P, make, memN);
      line(`  ${pad(label, 44)}${lpad(b === undefined ? "n/a" : fix(b, 0), 6)}`);
    }

    yield* garbageRows(garbageRowsList.slice(0, 3));

    // Last: 100 parked async tasks take most of a Pico's heap (see the bytes above; 200 parked generator
    // tasks no longer fit after them), and if they ever stop fitting, the abort loses only the rows from there.
    line("sleep wake-ups (each task loops on sleepMs(1)):");
    yield* R("sleep wake-up, 10 gen sleepers", () => sleepers(P, 10, 500 * k, false));
    yield* R(`sleep wake-up, ${sleepersN} gen sleepers`, () => sleepers(P, sleepersN, 1000 * k, false));
    yield* R("sleep wake-up, 10 async sleepers", () => sleepers(P, 10, 300 * k, true));
    yield* R(`sleep wake-up, ${sleepersN} async sleepers`, () => sleepers(P, sleepersN, 300 * k, true));

    // The async garbage rows last of all: with collection off the heap grows for everything a row
    // allocates (tens of KB), and XS never gives it back.
    yield* garbageRows(garbageRowsList.slice(3));
  }

  return floors()
    .then(() => run(tasks))
    .then(() => {
      heapLine("at the end");
      phase("done");
      P.print("bench done");
    });
}
