export { NoThreadsError, setThreadRunner, threadRunner, threadStats, toThread, type ThreadRunner } from "./to-thread";
