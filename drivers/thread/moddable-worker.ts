import { nameErrorClass } from "../../firmware/sched/kernel";
import { NoThreadsError, type ThreadRunner } from "./to-thread";

/** The part of Moddable's `Worker` (modules/base/worker) used here. */
export interface ModdableWorkerLike {
  onmessage: ((message: unknown) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

/** Moddable's Worker class: `new Worker(moduleName, { allocation, stackCount, ... })`. */
export type ModdableWorkerClass = new (module: string, options?: { [key: string]: number }) => ModdableWorkerLike;

/** A worker module's error, as it came back: `message` is "Name: message" of the error thrown there. */
export class ThreadError extends Error {
  constructor(message: string) {
    super(message);
  }
}
nameErrorClass(ThreadError, "ThreadError");

/** What a worker module answers (see {@link serveThread}). */
interface Reply {
  ok: boolean;
  value: unknown;
}

/**
 * toThread on a Moddable device with threads (the ESP32 family: each Worker is a FreeRTOS task with its own XS
 * machine): a ThreadRunner that runs a registered function's worker module on a new Worker per call. XS on a
 * device cannot evaluate a function's source, so each function is registered with the module that holds it
 * (in the manifest, built into the firmware), and that module calls {@link serveThread} with it.
 *
 * Where not: the Pico's Worker (Moddable 8.2.3) starts its machine on the caller's thread (the port has no
 * FreeRTOS tasks), so work there still blocks the loop: do not install this runner on the Pico; toThread then
 * throws NoThreadsError, which says so. `platform` is checked for that: anything but "esp32" is refused.
 *
 * Costs: each call creates a Worker (an XS machine: `options.allocation`, default 24 KB on the ESP32, plus its
 * FreeRTOS stack, about 6 KB) and terminates it when the answer comes or the call is abandoned.
 * @example
 *   // main.ts (ESP32): import Worker from "worker";
 *   setThreadRunner(moddableThreadRunner("esp32", Worker, [[crc32Of, "workers/crc"]], { allocation: 24576, stackCount: 256 }));
 *   // workers/crc.ts: serveThread(crc32Of)
 */
export function moddableThreadRunner(platform: string, Worker: ModdableWorkerClass, functions: Iterable<readonly [(...args: any[]) => unknown, string]>, options: { [key: string]: number } = {}): ThreadRunner {
  if (platform !== "esp32") {
    throw new NoThreadsError(`toThread: no threads on ${platform}: Moddable's Worker runs in its own thread on the ESP32 family only (on the Pico it runs on the loop's thread and would block it)`);
  }
  if (typeof Worker !== "function") throw new TypeError("moddableThreadRunner needs Moddable's Worker class");
  const modules = new Map<(...args: any[]) => unknown, string>();
  for (const [fn, module] of functions) {
    if (typeof fn !== "function" || typeof module !== "string" || module === "") throw new TypeError("moddableThreadRunner: each entry is [function, worker module name]");
    modules.set(fn, module);
  }
  return {
    name: "moddable worker",
    start(fn, args, done) {
      const module = modules.get(fn);
      if (module === undefined) throw new TypeError("toThread: this function has no worker module (register it with moddableThreadRunner: [fn, \"module\"])");
      const w = new Worker(module, options);
      let live = true;
      w.onmessage = (m) => {
        if (!live) return;
        live = false;
        w.terminate();
        const r = m as Reply;
        if (r !== null && typeof r === "object" && r.ok === true) done(true, r.value);
        else done(false, new ThreadError(r !== null && typeof r === "object" ? String(r.value) : `a bad answer from ${module}`));
      };
      w.postMessage({ args });
      return () => {
        if (!live) return;
        live = false;
        w.terminate();
      };
    },
  };
}

/** The part of a Moddable worker's global `self` used here. */
export interface WorkerSelfLike {
  onmessage: ((message: unknown) => void) | null;
  postMessage(message: unknown): void;
}

/**
 * In a worker module (the ESP32's Worker): answer the toThread call with `fn(...args)`'s value, or its error as
 * "Name: message" (the caller gets a ThreadError with it).
 */
export function serveThread(fn: (...args: any[]) => unknown, self: WorkerSelfLike = (globalThis as unknown as { self: WorkerSelfLike }).self): void {
  self.onmessage = (m) => {
    let reply: Reply;
    try {
      const args = (m as { args?: unknown[] }).args ?? [];
      reply = { ok: true, value: fn(...args) };
    } catch (e) {
      reply = { ok: false, value: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    self.postMessage(reply);
  };
}
