import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { checkpoint, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { RingLog, type LogEntry } from "../firmware/control/index";
import { seededRandom } from "../sim/time";

const rng = seededRandom;

const ALPHABET = ["a", "b", "z", " ", "é", "€", "😀", "x", "7"];

describe("RingLog", () => {
  it("never exceeds its budget under a flood; cat/tail/grep see exactly the records kept", () => {
    const budget = 300;
    const log = new RingLog(budget, { clock: () => 1234 });
    const r = rng(42);
    const written: { tag: string; msg: string; size: number }[] = [];
    let first = 0; // model: the kept records are written[first..]
    let bytes = 0;
    for (let i = 0; i < 5000; i++) {
      let msg = `#${i} `;
      const n = Math.floor(r() * 40);
      for (let k = 0; k < n; k++) msg += ALPHABET[Math.floor(r() * ALPHABET.length)];
      const tag = i % 3 === 0 ? "sensor" : "net";
      const level = (["debug", "info", "warn", "error"] as const)[i % 4]!;
      log.write(level, msg, tag);
      const size = RingLog.recordSize(tag, msg);
      written.push({ tag, msg, size });
      bytes += size;
      while (bytes > budget) bytes -= written[first++]!.size;
      if (log.bytesUsed > budget) assert.fail(`record ${i}: ${log.bytesUsed} bytes used, budget ${budget}`);
      if (log.bytesUsed !== bytes) assert.fail(`record ${i}: ${log.bytesUsed} bytes used, model says ${bytes}`);
    }
    const kept = written.slice(first);
    assert.equal(log.length, kept.length);
    assert.equal(log.dropped, first);
    assert.equal(log.first, first);
    assert.equal(log.end, 5000);
    const entries = log.entries();
    assert.deepEqual(entries.map((e) => e.msg), kept.map((k) => k.msg));
    assert.deepEqual(entries.map((e) => e.tag), kept.map((k) => k.tag));
    assert.deepEqual(entries.map((e) => e.seq), kept.map((_, i) => first + i));
    const lines = log.cat();
    assert.equal(lines[lines.length - 1], `1.234 [${entries[entries.length - 1]!.level.toUpperCase()}] [${kept[kept.length - 1]!.tag}] ${kept[kept.length - 1]!.msg}`);
    assert.deepEqual(log.tail(2), lines.slice(-2));
    assert.deepEqual(log.tail(0), []);
    assert.deepEqual(log.tail(10_000), lines);
    assert.deepEqual(log.grep(/\[sensor\]/), lines.filter((l) => l.indexOf("[sensor]") >= 0));
    assert.deepEqual(log.grep(/€/g), lines.filter((l) => l.indexOf("€") >= 0));
  });

  it("cuts a message larger than the budget instead of growing, and never splits a character", () => {
    const log = new RingLog(64, { clock: () => 0 });
    log.info("€".repeat(100), "t");
    assert.equal(log.truncated, 1);
    assert.ok(log.bytesUsed <= 64);
    const e = log.entries()[0]!;
    assert.equal(e.msg, "€".repeat(Math.floor((64 - 12 - 1) / 3)));
    log.warn("short", "t");
    assert.deepEqual(log.entries().map((x) => x.msg), ["short"]);
    assert.equal(log.dropped, 1);
    log.level = "error";
    log.warn("filtered", "t");
    assert.equal(log.length, 1);
    assert.throws(() => new RingLog(10), RangeError);
  });

  it("tags records with the running task's name and stamps them with the scheduler clock", async () => {
    const log = new RingLog(512);
    await vrun(function* () {
      spawn("blink", function* () {
        yield* sleepMs(1500);
        log.info("LED on");
      });
      yield* sleepMs(2000);
      log.error("done");
    });
    assert.deepEqual(log.cat(), ["1.500 [INFO] [blink] LED on", "2.000 [ERROR] [main] done"]);
    log.write("info", "outside");
    assert.equal(log.entries()[2]!.tag, "-");
  });

  it("follow (tail -F) as an operation: sees every new record, and reports the gap when records were dropped unread", async () => {
    const log = new RingLog(128, { clock: () => 0 });
    const seen: string[] = [];
    await vrun(function* () {
      log.info("old", "w");
      const f = spawn("follower", function* (): Gen<void> {
        for (let c = log.end; ; ) {
          const e: LogEntry = yield* log.next(c);
          seen.push(`${e.seq}${e.seq !== c ? ` (gap ${e.seq - c})` : ""}:${e.msg}`);
          c = e.seq + 1;
          yield* sleepMs(10);
        }
      });
      yield* checkpoint();
      log.info("one", "w");
      yield* sleepMs(1);
      log.info("two", "w");
      log.info("three", "w");
      yield* sleepMs(20);
      for (let i = 0; i < 20; i++) log.info(`flood ${i}`, "w"); // more than 128 bytes: the oldest are dropped unread
      yield* sleepMs(20);
      f.cancel();
      yield* sleepMs(1);
      assert.equal(log.waiters.length, 0);
    });
    const kept = log.entries().map((e) => `${e.seq}:${e.msg}`);
    assert.equal(seen[0], "1:one");
    assert.equal(seen[1], "2:two");
    assert.equal(seen[2], "3:three");
    // the flood came while the follower slept: it resumes at the oldest record kept, and sees the gap
    const [seq, msg] = kept[0]!.split(":");
    assert.equal(seen[3], `${seq} (gap ${Number(seq) - 4}):${msg}`);
    assert.equal(seen[4], kept[1], "then the next one, 10 ms later");
    assert.equal(seen.length, 5);
  });

  it("follow() as an async iterator in an async task", async () => {
    const log = new RingLog(256, { clock: () => 0 });
    const got = await vrun(async () => {
      const out: string[] = [];
      spawn("writer", function* () {
        for (let i = 0; i < 5; i++) {
          yield* sleepMs(10);
          log.info(`m${i}`, "w");
        }
      });
      for await (const e of log.follow()) {
        out.push(`${e.seq}:${e.msg}`);
        if (out.length === 3) break;
      }
      return out;
    });
    assert.deepEqual(got, ["0:m0", "1:m1", "2:m2"]);
  });

  it("a follower cancelled while waiting leaves no trace", async () => {
    const log = new RingLog(128);
    const l = new Log();
    await vrun(function* () {
      const f = spawn("f", function* () {
        try {
          yield* log.next(log.end);
        } catch (e) {
          l.add((e as Error).name);
        }
      });
      yield* sleepMs(5);
      assert.equal(log.waiters.length, 1);
      f.cancel();
      yield* f.join();
      assert.equal(log.waiters.length, 0);
      log.info("after");
    });
    assert.deepEqual(l.items, ["CancelledError@5"]);
  });
});
