import { callGen, composite, BusyError, ClosedError, InvalidStateError, TimeoutError, currentTask, op, type Op, type Gen, type Task, type Waitable, failAfter, WaitQueue } from "../../firmware/sched/kernel";

/** What a handle does around each exclusive use (asynccp's `on_acquire` / `on_release`). */
export interface HandleOptions<D> {
  /** Name for stats and error messages (default `handle<n>`). */
  name?: string;
  /** Called with the handle's bus once the bus is granted, before the body (e.g. drive chip-select low). */
  onAcquire?(bus: D): void;
  /** Called with the handle's bus after the body, however it ended (e.g. drive chip-select high). */
  onRelease?(bus: D): void;
}

/** Options of {@link ResourceHandle.use}. */
export interface UseOptions {
  /** Give up waiting for the bus after this many ms with TimeoutError (the body itself is not limited). */
  timeoutMs?: number;
}

/** Counters of a resource or of one handle (trio's `statistics()`). */
export interface UsageStats {
  /** Uses that got the bus. */
  acquisitions: number;
  /** Uses that had to queue because the bus was taken (including those later cancelled or timed out). */
  waits: number;
  /** Waits ended by a cancel, a timeout or close() before the bus was granted. */
  abandoned: number;
  /** Waits ended by `timeoutMs` (a subset of `abandoned`). */
  timeouts: number;
  /** Time spent waiting by the uses that got the bus. */
  totalWaitMs: number;
  maxWaitMs: number;
  /** Time the bus was held, from grant to release. */
  totalHoldMs: number;
  maxHoldMs: number;
}

/** {@link ManagedResource.stats}: the totals, the state now, and each open handle's counters. */
export interface ResourceStats extends UsageStats {
  locked: boolean;
  /** Name of the handle holding the bus, or null. */
  holder: string | null;
  /** Tasks queued for the bus. */
  waiting: number;
  handles: Array<{ name: string } & UsageStats>;
}

type Body<D, R> = (bus: D) => Gen<R> | PromiseLike<R> | R;

class Usage implements UsageStats {
  acquisitions = 0;
  waits = 0;
  abandoned = 0;
  timeouts = 0;
  totalWaitMs = 0;
  maxWaitMs = 0;
  totalHoldMs = 0;
  maxHoldMs = 0;
  copy(): UsageStats {
    const { acquisitions, waits, abandoned, timeouts, totalWaitMs, maxWaitMs, totalHoldMs, maxHoldMs } = this;
    return { acquisitions, waits, abandoned, timeouts, totalWaitMs, maxWaitMs, totalHoldMs, maxHoldMs };
  }
}

const WAITED = true;

function acquireBody(t: Task, h: ResourceHandle<unknown>): unknown {
  const r = h.resource;
  if (h.closed) throw new ClosedError(`handle ${h.name} is closed`);
  if (r.closed) throw new ClosedError(`resource ${r.name} is closed`);
  if (r.holder === null) {
    r.holder = t;
    r.holderHandle = h;
    return !WAITED;
  }
  if (r.holder === t || r.delegate === t) {
    throw new InvalidStateError(
      `task ${t.name} already holds ${r.name} (through handle ${r.holderHandle!.name}): ` +
        "a managed resource is not reentrant; use the bus the body was given",
    );
  }
  h.usage.waits++;
  r.usage.waits++;
  r.waiters.push(t);
  t.value = h; // the handle waits with its task (the parked task's scratch slot), for the hand-off
  return t.sched.park(t, r);
}

/**
 * A bus shared by several devices (asynccp's ManagedResource): each device gets a {@link ResourceHandle}
 * whose `use()` gives the body exclusive use of the bus, bracketed by that handle's `onAcquire` /
 * `onRelease` (drive that device's chip-select pin). Waiters are served first come, first served across
 * all handles, and the bus is handed straight to the longest waiter, so nobody can barge in.
 *
 * For SPI the resource wraps the one bus object; for Moddable's I2C, where every device has its own
 * `I2C` instance on the shared pins, give each handle its own bus: `resource.handle({ bus: i2cAt0x40 })`.
 *
 * Cancel-safe: a cancelled or timed-out waiter leaves the queue at once and holds nobody up; a waiter
 * cancelled after the bus was handed to it, before it ran, passes the bus on to the next waiter.
 * Errors: using the resource again from the task that holds it (through any handle) is an
 * InvalidStateError (it would deadlock); `tryUse` on a taken bus is a BusyError; after `close()`, waiting
 * and new uses end with ClosedError.
 * Use a plain {@link Lock} when there is nothing per device to bracket and no stats are wanted.
 * Memory: one object with a wait queue and a counters object, plus one small object and counters per
 * handle. Waiting allocates nothing; each use() allocates its composite (a generator object, or an
 * async function's promise), a use with `timeoutMs` also a cancel scope.
 * @example
 *   const spi = new ManagedResource(bus, { name: "spi" });
 *   const sensor = spi.handle({ name: "sensor", onAcquire: () => cs1.write(0), onRelease: () => cs1.write(1) });
 *   const value = yield* sensor.use(function* (bus) { bus.write(cmd); return bus.read(2); });
 *   const other = await card.use(async (bus) => transfer(bus), { timeoutMs: 100 });
 */
export class ManagedResource<B> implements Waitable {
  /** Name for stats and error messages. */
  readonly name: string;
  /** The shared bus object (what handles without their own `bus` pass to bodies). */
  readonly bus: B;
  /** @internal */ holder: Task | null = null;
  /** @internal the handle the holder uses */ holderHandle: ResourceHandle<unknown> | null = null;
  /** @internal a child task running the holder's body (a body of the other kind than the task) */
  delegate: Task | null = null;
  /** @internal records the child a body of the other kind runs in (made once, not per use) */
  readonly adoptDelegate = (child: Task): void => {
    this.delegate = child;
  };
  /** @internal */ readonly waiters = new WaitQueue();
  /** @internal */ readonly usage = new Usage();
  /** @internal */ closed = false;
  private readonly handles: ResourceHandle<unknown>[] = [];
  private count = 0;

  constructor(bus: B, options: { name?: string } = {}) {
    this.bus = bus;
    this.name = options.name ?? "resource";
  }

  /**
   * A per-device handle. Without `bus`, bodies receive the resource's bus; with it, they receive that
   * object (an I2C instance addressed to the device). Throws ClosedError once the resource is closed.
   */
  handle(options?: HandleOptions<B>): ResourceHandle<B>;
  handle<D>(options: HandleOptions<D> & { bus: D }): ResourceHandle<D>;
  handle(options: HandleOptions<any> & { bus?: unknown } = {}): ResourceHandle<any> {
    if (this.closed) throw new ClosedError(`resource ${this.name} is closed`);
    const bus = "bus" in options ? options.bus : this.bus;
    const h = new ResourceHandle<unknown>(this as ManagedResource<unknown>, options.name ?? `handle${++this.count}`, bus, options);
    this.handles.push(h);
    return h;
  }

  /** True while a task holds the bus (or it was handed to a task that has not run yet). */
  get locked(): boolean {
    return this.holder !== null;
  }

  /** Number of tasks waiting for the bus. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Totals, the state now, and the counters of every open handle. */
  stats(): ResourceStats {
    return {
      ...this.usage.copy(),
      locked: this.holder !== null,
      holder: this.holderHandle !== null ? this.holderHandle.name : null,
      waiting: this.waiters.length,
      handles: this.handles.map((h) => ({ name: h.name, ...h.usage.copy() })),
    };
  }

  /**
   * Refuse further use: waiting tasks get ClosedError now, new uses throw it. A body running now keeps
   * the bus until it ends. The bus object itself is not closed (it belongs to whoever made it). Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new ClosedError(`resource ${this.name} is closed`);
    for (let t = this.waiters.shift(); t !== null; t = this.waiters.shift()) t.sched.wakeThrow(t, err);
  }

  /** @internal */
  detach(h: ResourceHandle<unknown>): void {
    const i = this.handles.indexOf(h);
    if (i >= 0) this.handles.splice(i, 1);
  }

  /** @internal give the bus to the longest waiter (or free it) */
  handOff(): void {
    const next = this.waiters.shift();
    this.holder = next;
    this.delegate = null;
    if (next === null) {
      this.holderHandle = null;
      return;
    }
    this.holderHandle = next.value as ResourceHandle<unknown>;
    next.sched.wake(next, WAITED);
  }

  /** @internal */
  abortWait(t: Task): boolean {
    this.waiters.remove(t);
    return false;
  }

  /** @internal the bus was handed to `t`, which is cancelled before it ran: pass it on */
  undoWake(t: Task): boolean {
    if (this.holder === t) this.handOff();
    return true;
  }
}

/**
 * One device's access to a {@link ManagedResource}: made by `resource.handle({...})`.
 * Cancel-safe and FIFO as described on ManagedResource. Memory: one small object; counters per handle.
 */
export class ResourceHandle<D> {
  /** @internal */ readonly usage = new Usage();
  /** @internal */ closed = false;
  private readonly callbacks: HandleOptions<D>;

  /** @internal use ManagedResource.handle() */
  constructor(
    /** The resource this handle shares. */ readonly resource: ManagedResource<unknown>,
    /** Name for stats and error messages. */ readonly name: string,
    /** What bodies receive. */ readonly bus: D,
    options: HandleOptions<D>,
  ) {
    this.callbacks = { onAcquire: options.onAcquire, onRelease: options.onRelease };
  }

  /**
   * Wait for the bus (FIFO across all handles), call `onAcquire(bus)`, run `fn(bus)` in this task, then
   * call `onRelease(bus)` and pass the bus on, however `fn` ends (return, error, cancel). `fn` may be a
   * plain function (the common case: a few transfers), a `function*` (in a generator task) or an async
   * function (in an async task); a body of the other kind runs as a joined child task.
   *
   * Cancel/timeout: cancelling the wait (or `timeoutMs` passing, TimeoutError) takes nothing and releases
   * nothing; cancelling the body runs the release like any other exit. `timeoutMs` bounds only the wait.
   * Errors: ClosedError (handle or resource closed), InvalidStateError (this task already holds the
   * resource), TimeoutError, whatever `fn`, `onAcquire` or `onRelease` throw (if `onAcquire` throws,
   * the body and `onRelease` do not run; the bus is released either way).
   * @example const raw = yield* handle.use((bus) => { bus.write(CMD); return bus.read(3); });
   */
  use<R>(fn: Body<D, R>, options?: UseOptions): Op<R> {
    return this.start(fn, options?.timeoutMs, false);
  }

  /**
   * The non-blocking twin of {@link use}: if the bus is taken (or others are queued) throw BusyError at
   * once instead of waiting; otherwise the same as `use(fn)`.
   */
  tryUse<R>(fn: Body<D, R>): Op<R> {
    return this.start(fn, undefined, true);
  }

  /** This handle's counters. */
  stats(): UsageStats {
    return this.usage.copy();
  }

  /** Detach from the resource: later uses throw ClosedError; uses already waiting or running go on. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.resource.detach(this as ResourceHandle<unknown>);
  }

  private start<R>(fn: Body<D, R>, timeoutMs: number | undefined, nowait: boolean): Op<R> {
    if (typeof fn !== "function") throw new TypeError("use() needs a function (bus) => ...");
    const t = currentTask();
    const h = this as ResourceHandle<unknown>;
    const f = fn as Body<unknown, unknown>;
    return composite(t, () => useGen(h, t, f, timeoutMs, nowait) as Gen<R>);
  }

  /** @internal the bus is granted: record the wait, run onAcquire */
  granted(waited: boolean, t0: number, now: number): void {
    const r = this.resource;
    const ms = now - t0;
    for (const u of [this.usage, r.usage]) {
      u.acquisitions++;
      if (waited) {
        u.totalWaitMs += ms;
        if (ms > u.maxWaitMs) u.maxWaitMs = ms;
      }
    }
  }

  /** @internal a wait that had queued ended without the bus */
  abandoned(waitsBefore: number, timedOut: boolean): void {
    if (this.usage.waits === waitsBefore) return;
    for (const u of [this.usage, this.resource.usage]) {
      u.abandoned++;
      if (timedOut) u.timeouts++;
    }
  }

  /** @internal call onAcquire */
  enter(): void {
    const cb = this.callbacks;
    if (cb.onAcquire !== undefined) cb.onAcquire(this.bus);
  }

  /** @internal run onRelease (if entered), record the hold, pass the bus on */
  leave(entered: boolean, since: number, now: number): void {
    const r = this.resource;
    try {
      const cb = this.callbacks;
      if (entered && cb.onRelease !== undefined) cb.onRelease(this.bus);
    } finally {
      const ms = now - since;
      for (const u of [this.usage, r.usage]) {
        u.totalHoldMs += ms;
        if (ms > u.maxHoldMs) u.maxHoldMs = ms;
      }
      r.handOff();
    }
  }
}

function acquire(h: ResourceHandle<unknown>): Op<boolean> {
  return op<boolean, ResourceHandle<unknown>>(acquireBody, h);
}

function busy(h: ResourceHandle<unknown>): BusyError {
  return new BusyError(`${h.resource.name} is in use (by ${h.resource.holderHandle?.name ?? "a granted waiter"})`);
}

function timedOut(h: ResourceHandle<unknown>, ms: number): TimeoutError {
  return new TimeoutError(`${h.name}: ${h.resource.name} still busy after ${ms} ms (held by ${h.resource.holderHandle?.name ?? "nobody"})`);
}

function checkNowait(h: ResourceHandle<unknown>): void {
  if (h.resource.holder !== null && !h.closed && !h.resource.closed && h.resource.holder !== currentTask()) throw busy(h);
}

function* useGen(h: ResourceHandle<unknown>, t: Task, fn: Body<unknown, unknown>, ms: number | undefined, nowait: boolean): Gen<unknown> {
  const t0 = t.sched.now();
  const waits = h.usage.waits;
  let waited: boolean;
  try {
    if (nowait) checkNowait(h);
    waited = ms === undefined ? yield* acquire(h) : yield* failAfter(ms, function* () { return yield* acquire(h); });
  } catch (e) {
    h.abandoned(waits, ms !== undefined && e instanceof TimeoutError);
    throw e instanceof TimeoutError && ms !== undefined ? timedOut(h, ms) : e;
  }
  const since = t.sched.now();
  h.granted(waited, t0, since);
  let entered = false;
  try {
    h.enter();
    entered = true;
    return yield* callGen(t, fn, [h.bus], h.resource.adoptDelegate);
  } finally {
    h.leave(entered, since, t.sched.now());
  }
}

