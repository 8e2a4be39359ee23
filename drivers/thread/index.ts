export { NoThreadsError, setThreadRunner, threadRunner, threadStats, toThread, type ThreadRunner } from "./to-thread";
export { ThreadError, moddableThreadRunner, serveThread, type ModdableWorkerClass, type ModdableWorkerLike, type WorkerSelfLike } from "./moddable-worker";
