/** Synchronisation primitives; every wait works with `yield*` (generator tasks) and `await` (async tasks). */
export { Event } from "./event";
export { Lock } from "./lock";
export { Queue, QueueFull, QueueEmpty } from "./queue";
export { ThreadSafeFlag } from "./flag";
export { Message } from "./message";
export { Barrier } from "./barrier";
export { Semaphore, BoundedSemaphore } from "./semaphore";
export { Condition } from "./condition";
export { RingbufQueue } from "./ringbuf";
export { DelayMs, Delay_ms } from "./delay";
export { WaitAny, WaitAll, type Awaitable, type AnyResult } from "./waitany";
export { Broker, Subscription, topicMatches, type BrokerTarget } from "./broker";
