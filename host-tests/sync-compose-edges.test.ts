import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { Scheduler, VirtualHost, checkpoint, current, external, now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { Broker, Condition, DelayMs, Event, Queue, ThreadSafeFlag, WaitAll, WaitAny } from "../firmware/sync/index";

/** A scheduler on a virtual clock whose exception handler collects "message: error" lines. */
function reporting(): { s: Scheduler; reports: string[] } {
  const s = new Scheduler(new VirtualHost());
  const reports: string[] = [];
  s.setExceptionHandler((e, ctx) => reports.push(`${ctx.task !== undefined ? `${ctx.task.name}: ` : ""}${ctx.message}: ${(e as Error).message}`));
  return { s, reports };
}

// Composites over several sources (WaitAny, WaitAll, Broker, DelayMs, Condition hand-offs): they return
// when they should, leave nothing behind, and report nothing that did not fail.
describe("composite waits at their edges", () => {
  it("WaitAny of a source that has already fired returns at once, before other ready tasks run", async () => {
    const r = await vrun(function* () {
      const log: string[] = [];
      const ev = new Event<string>();
      ev.set("early");
      const flag = new ThreadSafeFlag();
      flag.set();
      const done = spawn(function* () { return "finished"; });
      yield* done.join();
      spawn(function* () { log.push("other task ran"); });
      const a = yield* new WaitAny([new Event(), ev]).wait();
      const b = yield* new WaitAny([new Event(), flag]).wait();
      const c = yield* new WaitAny([new Event(), done]).wait();
      log.push(`any: ${a.index} ${String(a.value)}, ${b.index} flag cleared ${!flag.isSet}, ${c.index} ${String(c.value)}`);
      yield* sleepMs(1);
      return log;
    });
    assert.deepEqual(r, ["any: 1 early, 1 flag cleared true, 1 finished", "other task ran"]);
  });

  it("WaitAll waits for the sources that had not fired yet, whatever fired before", async () => {
    const log = new Log();
    await vrun(function* () {
      const set = new Event<string>();
      set.set("already");
      const later = new Event<string>();
      spawn(function* () { yield* sleepMs(10); later.set("later"); });
      const values = yield* new WaitAll([set, later]).wait();
      log.add(values.join(","));
    });
    assert.deepEqual(log.items, ["already,later@10"]);
  });

  it("a WaitAny over a failed task returns its error and does not leave it reported; the losing watchers end quietly", async () => {
    const { s, reports } = reporting();
    const log: string[] = [];
    await s.run(function* () {
      const failed = spawn("failed", function* () { throw new Error("x"); });
      yield* checkpoint(); // it fails; read in the same round, it is never reported
      const r = yield* new WaitAny([new Event(), failed]).wait();
      log.push(`${r.index}: ${(r.value as Error).message}`);
      const ev = new Event<number>();
      const w = spawn(function* () { return yield* new WaitAny([new Event(), ev, new ThreadSafeFlag()]).wait(); });
      yield* sleepMs(1);
      ev.set(5);
      const r2 = yield* w.join();
      log.push(`${r2.index}: ${String(r2.value)}`);
      yield* sleepMs(5);
    });
    assert.deepEqual(log, ["1: x", "1: 5"]);
    assert.deepEqual(reports, []);
  });

  it("a cancelled WaitAny sets again only the ThreadSafeFlags it consumed", async () => {
    const r = await vrun(function* () {
      const consumed = new ThreadSafeFlag();
      const untouched = new ThreadSafeFlag();
      const w = spawn(function* () { yield* new WaitAll([consumed, untouched, new Event()]).wait(); });
      yield* sleepMs(1);
      consumed.set();
      yield* sleepMs(1);
      w.cancel();
      try { yield* w.join(); } catch { /* cancelled */ }
      return [consumed.isSet, untouched.isSet];
    });
    assert.deepEqual(r, [true, false]);
  });

  it("Broker: unsubscribe removes only that target's subscription; a second unsubscribe does nothing", async () => {
    const r = await vrun(function* () {
      const b = new Broker();
      const got: string[] = [];
      const a = (_t: string, m: unknown): void => { got.push(`a ${String(m)}`); };
      const c = (_t: string, m: unknown): void => { got.push(`c ${String(m)}`); };
      const sub = b.subscribe("x/#", a);
      b.subscribe("x/#", c);
      b.subscribe("x/+", a);
      const removed = b.unsubscribe("x/#", a);
      sub.unsubscribe();
      b.publish("x/1", 1);
      return [removed, b.size, got];
    });
    assert.deepEqual(r, [1, 2, ["c 1", "a 1"]]);
  });

  it("Broker: a failing task subscriber is reported, a cancelled or successful one is not; callbacks get exactly their arguments", async () => {
    const { s, reports } = reporting();
    const calls: string[] = [];
    await s.run(function* () {
      const b = new Broker();
      b.subscribe("fail", function* () { yield* sleepMs(1); throw new Error("subscriber broke"); });
      b.subscribe("ok", function* () { yield* sleepMs(1); });
      let slow: ReturnType<typeof current> | null = null;
      b.subscribe("slow", function* () { slow = current(); yield* sleepMs(100); });
      b.subscribe("args", (...a: unknown[]) => { calls.push(JSON.stringify(a)); });
      b.subscribe("args", (...a: unknown[]) => { calls.push(JSON.stringify(a)); }, "extra");
      b.publish("fail", 1);
      b.publish("ok", 2);
      b.publish("slow", 3);
      b.publish("args", 4);
      yield* sleepMs(1);
      slow!.cancel();
      yield* sleepMs(5);
    });
    assert.deepEqual(calls, ['["args",4]', '["args",4,"extra"]']);
    assert.deepEqual(reports, ['subscriber:fail: Broker subscriber to "fail" failed: subscriber broke']);
  });

  it("Broker: a queue that is full or closed drops the message; one whose putNowait throws otherwise is reported", async () => {
    const { s, reports } = reporting();
    const r = await s.run(function* () {
      const b = new Broker();
      const full = new Queue<number>(1);
      full.putNowait(0);
      const closed = new Queue<number>();
      closed.close();
      const broken = { putNowait: (): void => { throw new Error("disk full"); } };
      const subs = [b.subscribe("t", full), b.subscribe("t", closed), b.subscribe("t", broken)];
      const n = b.publish("t", 1);
      return [n, ...subs.map((x) => x.dropped)];
    });
    assert.deepEqual(r, [0, 1, 1, 1]);
    assert.deepEqual(reports, ['Broker subscriber to "t" failed on "t": disk full']);
  });

  it("Broker: a published topic cannot start with a wildcard either", () => {
    assert.throws(() => new Broker().publish("+/a", 1), /a published topic has no wildcards, got "\+\/a"/);
  });

  it("a task subscriber starts on the publisher's scheduler, even while another scheduler has started since", async () => {
    const log: string[] = [];
    const a = new Scheduler(new VirtualHost({ start: 1000 }));
    await a.run(function* () {
      const other = new Scheduler(new VirtualHost()).run(function* () { yield* sleepMs(5); });
      const b = new Broker();
      b.subscribe("t", function* () { log.push(`subscriber at ${now()}`); });
      const d = new DelayMs(() => log.push(`delay fired at ${a.now()}`), [], 3); // (now() in a callback reads the latest scheduler)
      d.trigger();
      b.publish("t", 1);
      yield* sleepMs(5);
      yield* external(other);
    });
    assert.deepEqual(log, ["subscriber at 1000", "delay fired at 1003"]);
  });

  it("DelayMs: a callback gets exactly its arguments; one without a callback fires quietly", async () => {
    const { s, reports } = reporting();
    const calls: string[] = [];
    await s.run(function* () {
      const quiet = new DelayMs(null, [], 5);
      quiet.trigger();
      yield* quiet.wait();
      const d = new DelayMs((...a: unknown[]) => calls.push(JSON.stringify(a)), [], 5);
      d.trigger();
      yield* d.wait();
      d.callback((...a: unknown[]) => calls.push(JSON.stringify(a)));
      d.trigger();
      yield* d.wait();
      d.callback((...a: unknown[]) => calls.push(JSON.stringify(a)), [1, 2]);
      d.trigger();
      yield* d.wait();
    });
    assert.deepEqual(calls, ["[]", "[]", "[1,2]"]);
    assert.deepEqual(reports, []);
  });

  it("Condition: a notified waiter cancelled before it ran passes the notification on; the next waiter's wait returns true", async () => {
    const log = new Log();
    await vrun(function* () {
      const cond = new Condition();
      const waiter = (name: string) => function* (): Gen<void> {
        yield* cond.acquire();
        try { log.add(`${name} ${String(yield* cond.wait())}`); } catch (e) { log.add(`${name} ${(e as Error).name}`); } finally { cond.release(); }
      };
      const a = spawn(waiter("a"));
      spawn(waiter("b"));
      yield* sleepMs(1);
      yield* cond.acquire();
      cond.notify(); // to a
      a.cancel(); // before a ran: b is notified instead
      cond.release();
      yield* sleepMs(1);
    });
    assert.deepEqual(log.items, ["a CancelledError@1", "b true@1"]);
  });
});
