import { assert } from "./lib/assert";
import { Log, raised, vrun } from "./helpers";
import { callLater, failAfter, sleepMs, TimeoutError } from "../firmware/sched/index";
import { NoThreadsError, ThreadError, moddableThreadRunner, serveThread, setThreadRunner, threadStats, toThread, type ModdableWorkerLike, type WorkerSelfLike } from "../drivers/thread/index";

/** Worker modules of the fake "firmware", by name: each calls serveThread with its function. */
const MODULES = new Map<string, (self: WorkerSelfLike) => void>();

function sum(...n: number[]): number {
  return n.reduce((a, b) => a + b, 0);
}
function fails(): never {
  throw new RangeError("too big");
}
MODULES.set("workers/sum", (self) => serveThread(sum, self));
MODULES.set("workers/fails", (self) => serveThread(fails, self));

/**
 * Moddable's Worker on virtual time: the module runs in its own "machine" (a self object) and its answer comes
 * back `ms` later, from a host callback, as a FreeRTOS task's message would.
 */
function fakeWorker(log: Log, ms: number): new (module: string, options?: { [key: string]: number }) => ModdableWorkerLike {
  return class implements ModdableWorkerLike {
    onmessage: ((m: unknown) => void) | null = null;
    private readonly self: WorkerSelfLike;
    private alive = true;
    constructor(module: string, options: { [key: string]: number } = {}) {
      log.add(`new ${module} ${JSON.stringify(options)}`);
      const outer = this;
      this.self = {
        onmessage: null,
        postMessage(m) {
          callLater(ms, () => {
            if (outer.alive && outer.onmessage !== null) outer.onmessage(m);
          });
        },
      };
      MODULES.get(module)!(this.self);
    }
    postMessage(m: unknown): void {
      this.self.onmessage!(m);
    }
    terminate(): void {
      log.add("terminate");
      this.alive = false;
    }
  };
}

describe("toThread on Moddable's Worker (moddableThreadRunner)", () => {
  afterEach(() => setThreadRunner(null));

  it("runs a registered function's worker module: its value, its error as a ThreadError, one Worker per call, terminated", async () => {
    const log = new Log();
    await vrun(function* () {
      setThreadRunner(moddableThreadRunner("esp32", fakeWorker(log, 30), [[sum, "workers/sum"], [fails, "workers/fails"]], { allocation: 24576 }));
      log.add(`sum ${yield* toThread(sum, 1, 2, 3)}`);
      const err = yield* raised(toThread(fails));
      assert.ok(err instanceof ThreadError);
      assert.equal((err as Error).message, "RangeError: too big");
      const unregistered = yield* raised(toThread(() => 1));
      assert.ok(unregistered instanceof TypeError);
      assert.match((unregistered as Error).message, /no worker module \(register it with moddableThreadRunner/);
    });
    assert.deepEqual(log.items, [
      'new workers/sum {"allocation":24576}@0', "terminate@30", "sum 6@30",
      'new workers/fails {"allocation":24576}@30', "terminate@60",
    ]);
  });

  it("a timeout abandons the call: the Worker is terminated and its late answer dropped", async () => {
    const log = new Log();
    await vrun(function* () {
      setThreadRunner(moddableThreadRunner("esp32", fakeWorker(log, 100), [[sum, "workers/sum"]]));
      const dropped = threadStats.abandoned;
      const err = yield* raised(failAfter(40, () => toThread(sum, 5)));
      assert.ok(err instanceof TimeoutError);
      yield* sleepMs(200);
      assert.equal(threadStats.abandoned, dropped + 1);
    });
    assert.deepEqual(log.items, ["new workers/sum {}@0", "terminate@40"]);
  });

  it("refuses platforms whose Worker shares the loop's thread (the Pico), and bad registrations", () => {
    assert.throws(() => moddableThreadRunner("pico", fakeWorker(new Log(), 1), []), NoThreadsError);
    assert.throws(() => moddableThreadRunner("pico", fakeWorker(new Log(), 1), []), /no threads on pico: Moddable's Worker runs in its own thread on the ESP32 family only/);
    assert.throws(() => moddableThreadRunner("esp32", fakeWorker(new Log(), 1), [[sum, ""]]), /each entry is \[function, worker module name\]/);
    assert.throws(() => moddableThreadRunner("esp32", 7 as never, []), TypeError);
  });
});
