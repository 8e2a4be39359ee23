import { Worker } from "node:worker_threads";
import { setThreadRunner, type ThreadRunner } from "../drivers/thread/index";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fn = (0, eval)("(" + workerData.source + ")");
Promise.resolve().then(() => fn(...workerData.args)).then(
  (value) => parentPort.postMessage({ ok: true, value }),
  (error) => parentPort.postMessage({ ok: false, value: error }),
);
`;

/**
 * toThread on Node: each call runs in a new worker_threads Worker (the function's source text is evaluated
 * there, so it must be self-contained; arguments and results are structured clones). Abandoning a call
 * terminates its worker. Host-only: firmware never imports this file.
 */
export const nodeThreadRunner: ThreadRunner = {
  name: "node worker_threads",
  start(fn, args, done) {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: fn.toString(), args } });
    let finished = false;
    w.on("message", (m: { ok: boolean; value: unknown }) => {
      finished = true;
      done(m.ok, m.value);
      void w.terminate();
    });
    w.on("error", (e) => {
      finished = true;
      done(false, e);
    });
    w.on("exit", (code) => {
      if (!finished) done(false, new Error(`toThread: the worker exited with code ${code} before answering`));
    });
    return () => {
      finished = true;
      void w.terminate();
    };
  },
};

/** Install worker_threads as the toThread runner (host/start.ts and tests call it). */
export function installNodeThreads(): void {
  setThreadRunner(nodeThreadRunner);
}
