import { ClosedError, WouldBlock, isCancelled, currentTaskOrNull, activeScheduler, type Scheduler, isTaskFunction, type Task, type TaskWatcher } from "../sched/kernel";

type Fn = (topic: string, message: any, ...args: any[]) => unknown;

/** Where a subscription delivers: a callback or task function, something with `set()`, or with `putNowait()`. */
export type BrokerTarget =
  | Fn
  | { set(message: any): void }
  | { putNowait(message: any): void };

const CALL = 0;
const SPAWN = 1;
const SET = 2;
const PUT = 3;

/**
 * One `subscribe()`: what it matches, where it delivers, how many messages it dropped.
 * Memory: one object of 9 fields plus the pattern's levels (an array of strings).
 */
export class Subscription implements TaskWatcher {
  /** Messages not delivered: the target queue was full (or closed), or `maxTasks` tasks were running. */
  dropped = 0;
  /** For a generator or async subscriber: at most this many of its tasks run at once (default 4). */
  maxTasks = 4;
  /** @internal tasks of this subscription still running */ running = 0;
  /** Messages delivered. */
  delivered = 0;
  /** @internal */ active = true;
  /** @internal */ readonly kind: number;
  /** @internal the pattern split at "/" */ readonly levels: string[];
  constructor(
    private readonly broker: Broker,
    /** The topic pattern. */ readonly pattern: string,
    /** Where messages go. */ readonly target: BrokerTarget,
    /** @internal */ readonly args: unknown[],
  ) {
    this.levels = pattern.split("/");
    this.kind = kindOf(target);
  }

  /** @internal a task started for a message ended: its failure is reported, never lost */
  childDone(t: Task): void {
    this.running--;
    if (t.error !== undefined && !isCancelled(t.error)) {
      t.sched.report(t.error, { task: t, message: `Broker subscriber to "${this.pattern}" failed` });
    }
  }

  /** Stop delivering (also to a publish in progress). Safe to call twice. */
  unsubscribe(): void {
    if (!this.active) return;
    this.active = false;
    this.broker.remove(this);
  }
}

function kindOf(target: unknown): number {
  if (typeof target === "function") return isTaskFunction(target) ? SPAWN : CALL;
  if (target !== null && typeof target === "object") {
    if (typeof (target as { putNowait?: unknown }).putNowait === "function") return PUT;
    if (typeof (target as { set?: unknown }).set === "function") return SET;
  }
  throw new TypeError("a Broker subscriber must be a function, a task function, an Event/Message/ThreadSafeFlag (set) or a Queue/RingbufQueue (putNowait)");
}

function checkPattern(p: unknown): string {
  if (typeof p !== "string" || p.length === 0) throw new TypeError("a topic pattern must be a non-empty string");
  const levels = p.split("/");
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l === "+" || (l === "#" && i === levels.length - 1)) continue;
    if (l.indexOf("+") >= 0 || l.indexOf("#") >= 0) {
      throw new RangeError(`bad topic pattern "${p}": "+" must be a whole level, "#" the whole last level`);
    }
  }
  return p;
}

function checkTopic(topic: unknown): string {
  if (typeof topic !== "string" || topic.length === 0) throw new TypeError("a topic must be a non-empty string");
  if (topic.indexOf("+") >= 0 || topic.indexOf("#") >= 0) throw new RangeError(`a published topic has no wildcards, got "${topic}"`);
  return topic;
}

/**
 * MQTT-style topic matching: levels separated by "/", `+` matches exactly one level (possibly empty),
 * `#` (last) matches the rest: zero or more levels, so "a/#" matches "a", "a/b" and "a/b/c".
 */
export function topicMatches(levels: readonly string[], topic: string): boolean {
  let pos = 0;
  const len = topic.length;
  for (let i = 0; i < levels.length; i++) {
    const lv = levels[i]!;
    if (lv === "#") return true;
    if (pos > len) return false; // the topic has fewer levels
    let end = topic.indexOf("/", pos);
    if (end < 0) end = len;
    if (lv !== "+" && (end - pos !== lv.length || !topic.startsWith(lv, pos))) return false;
    pos = end + 1;
  }
  return pos === len + 1;
}

/**
 * Publish/subscribe by topic (micropython-async's Broker, with MQTT wildcards): `publish(topic, message)`
 * delivers at once to every subscription whose pattern matches. Publishing never blocks and is safe from
 * IO callbacks. A subscriber is one of:
 *  - a plain function: called synchronously with `(topic, message, ...args)`; if it throws, the error
 *    goes to the scheduler's exception handler and delivery to the others goes on;
 *  - a generator or async function: started as a new task per message with `(topic, message, ...args)`,
 *    at most `subscription.maxTasks` (4) at once: a message that finds them all running is dropped and
 *    counted in `dropped`; a failing task is reported through the exception handler;
 *  - an object with `set(message)` (Event, Message, ThreadSafeFlag): set with the message;
 *  - an object with `putNowait(message)` (Queue, RingbufQueue): a full (or closed) Queue drops the
 *    message and counts it in the subscription's `dropped`; a RingbufQueue overwrites its oldest.
 *
 * Cancel-safety: publishing never waits, so there is nothing to cancel; a slow subscriber cannot hold up
 * the publisher or the others (give it a bounded Queue and watch `dropped`).
 * Errors: a bad pattern (a `+` or `#` inside a level, `#` not last) or a topic with wildcards is a
 * RangeError; an unusable subscriber a TypeError.
 * Memory: one object of 1 field (an array) plus a Subscription per subscribe; publish allocates nothing for
 * callbacks, events and queues (a task per message for task subscribers).
 * @example
 *   const bus = new Broker();
 *   bus.subscribe("sensor/+/temp", (topic, v) => trace(`${topic}: ${v}\n`));
 *   const q = new Queue<number>(8);
 *   bus.subscribe("sensor/#", q);
 *   bus.publish("sensor/kitchen/temp", 21.5);   // 2 deliveries
 */
export class Broker {
  /** Copied on (un)subscribe, so a publish in progress iterates a stable list without allocating. */
  private subs: Subscription[] = [];

  /** Number of subscriptions. */
  get size(): number {
    return this.subs.length;
  }

  /** Deliver messages on topics matching `pattern` to `target` (extra `args` go to function subscribers). */
  subscribe(pattern: string, target: BrokerTarget, ...args: unknown[]): Subscription {
    const s = new Subscription(this, checkPattern(pattern), target, args);
    this.subs = this.subs.concat([s]);
    return s;
  }

  /** Remove every subscription of `target` to exactly `pattern`; returns how many. */
  unsubscribe(pattern: string, target: BrokerTarget): number {
    let n = 0;
    for (const s of this.subs) {
      if (s.pattern === pattern && s.target === target) {
        s.unsubscribe();
        n++;
      }
    }
    return n;
  }

  /** @internal */
  remove(s: Subscription): void {
    this.subs = this.subs.filter((x) => x !== s);
  }

  /**
   * Deliver `message` to every matching subscription, in the order they subscribed; returns the number
   * of deliveries (a dropped message does not count, a callback that threw does). Never blocks.
   */
  publish(topic: string, message?: unknown): number {
    checkTopic(topic);
    const subs = this.subs;
    let n = 0;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      if (!s.active || !topicMatches(s.levels, topic)) continue;
      if (deliver(s, topic, message)) {
        s.delivered++;
        n++;
      } else s.dropped++;
    }
    return n;
  }
}

function scheduler(): Scheduler {
  const t = currentTaskOrNull();
  return t !== null ? t.sched : activeScheduler();
}

function deliver(s: Subscription, topic: string, message: unknown): boolean {
  const target = s.target;
  switch (s.kind) {
    case CALL:
      try {
        if (s.args.length === 0) (target as Fn)(topic, message);
        else (target as Fn)(topic, message, ...s.args);
      } catch (e) {
        scheduler().report(e, { message: `Broker subscriber to "${s.pattern}" failed on "${topic}"` });
      }
      return true;
    case SPAWN: {
      // bounded: an IO callback publishing a burst must not start a task per message without limit
      if (s.running >= s.maxTasks) return false;
      const sched = scheduler();
      const t = sched.spawnTask(`subscriber:${topic}`, target as Fn as (...a: unknown[]) => unknown, [topic, message, ...s.args]);
      s.running++;
      sched.watch(t, s);
      return true;
    }
    case SET:
      (target as { set(m: unknown): void }).set(message);
      return true;
    default:
      try {
        (target as { putNowait(m: unknown): void }).putNowait(message);
        return true;
      } catch (e) {
        if (e instanceof WouldBlock || e instanceof ClosedError) return false;
        scheduler().report(e, { message: `Broker subscriber to "${s.pattern}" failed on "${topic}"` });
        return false;
      }
  }
}
