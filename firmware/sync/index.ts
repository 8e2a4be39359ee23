/** Synchronisation primitives; every wait works with `yield*` (generator tasks) and `await` (async tasks). */
export { Event } from "./event";
export { Lock } from "./lock";
export { Queue, QueueFull, QueueEmpty } from "./queue";
