import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { TRACE, TYPE_NAMES, VirtualHost, dumpLines, now, runOn, sleepMs, spawn, type Gen, type TraceRecord } from "../firmware/sched/index";
import { Event } from "../firmware/sync/index";
import { MemoryLineIO, createConsole } from "../firmware/control/index";
import { labelTraceWaits } from "../firmware/control/commands/trace";
import { dumpToTraceEvents, parseDump } from "../host/trace-events";

/** The records kept, as "type lane-name arg @ms". */
function records(): string[] {
  const out: string[] = [];
  const r: TraceRecord = { seq: 0, t: 0, type: 0, lane: 0, arg: 0 };
  for (let s = TRACE.first; s < TRACE.seq; s++) {
    if (!TRACE.read(s, r)) continue;
    out.push(`${TYPE_NAMES[r.type]} ${TRACE.lanes[r.lane]} ${r.arg.toString(16)} @${r.t}`);
  }
  return out;
}

function* pair(): Gen<void> {
  const ev = new Event();
  const a = spawn("setter", function* (): Gen<void> {
    yield* sleepMs(10);
    ev.set();
  });
  const b = spawn("waiter", function* (): Gen<void> {
    yield* ev.wait();
  });
  yield* b.join();
  yield* a.join();
}

describe("task trace (firmware/sched/trace)", () => {
  afterEach(() => TRACE.stop());

  it("records switches, parks with what they wait on, wakes, timers and ends, in order on virtual time", async () => {
    labelTraceWaits();
    await vrun(function* main(): Gen<void> {
      TRACE.start(now, { records: 64 });
      yield* pair();
      TRACE.stop();
    });
    assert.deepEqual(records(), [
      "spawn setter 0 @0",
      "spawn waiter 0 @0",
      "park main 10002 @0", // join waiter (0x10000 | lane of waiter)
      "out main 4 @0", // 4: waiting
      "in setter 0 @0",
      "park setter 1 @0", // label 1: sleep
      "out setter 4 @0",
      "in waiter 0 @0",
      "park waiter 2 @0", // label 2: event
      "out waiter 4 @0",
      "timer setter 0 @10",
      "wake setter 0 @10", // by the timer
      "in setter 0 @10",
      "wake waiter 1 @10", // by lane 1, setter
      "out setter 3 @10", // returned
      "done setter 1 @10",
      "in waiter 0 @10",
      "out waiter 3 @10",
      "done waiter 1 @10",
      "wake main 2 @10", // the finishing waiter wakes its joiner
      "in main 0 @10",
    ]);
    assert.deepEqual(TRACE.labels.slice(0, 3), ["wait", "sleep", "event"]);
  });

  it("records nothing while off, and keeps the newest records when the ring wraps", async () => {
    TRACE.start(() => 0, { records: 16 });
    TRACE.stop();
    await vrun(pair);
    assert.equal(TRACE.seq, 0);
    await vrun(function* (): Gen<void> {
      TRACE.start(now, { records: 16 });
      for (let i = 0; i < 10; i++) yield* sleepMs(1);
      TRACE.stop();
    });
    assert.equal(TRACE.seq, 5 * 10); // per sleep: park, out, timer, wake, in
    assert.equal(TRACE.first, TRACE.seq - 16);
    assert.deepEqual(records().slice(-5), ["park main 1 @9", "out main 4 @9", "timer main 0 @10", "wake main 0 @10", "in main 0 @10"]);
  });

  it("records a step longer than stallMs as a stall of that length", async () => {
    const host = new VirtualHost();
    await runOn(host, function* (): Gen<void> {
      TRACE.start(now, { records: 32, stallMs: 20 });
      spawn("hog", function* (): Gen<void> {
        host.charge(25);
        yield* sleepMs(1);
      });
      yield* sleepMs(50);
      TRACE.stop();
    });
    assert.ok(records().includes("stall hog 61a8 @25"), records().join("\n")); // 0x61a8 µs = 25 ms
  });

  it("the step that starts the trace is no stall, however long ago it began", async () => {
    const host = new VirtualHost();
    await runOn(host, function* (): Gen<void> {
      yield* sleepMs(1000);
      host.charge(5);
      TRACE.start(now, { records: 32, stallMs: 1 });
      yield* sleepMs(1);
      TRACE.stop();
    });
    assert.deepEqual(records(), ["park main 1 @1005", "out main 4 @1005", "timer main 0 @1006", "wake main 0 @1006", "in main 0 @1006"]);
  });

  it("refuses a bad ring size or stall threshold and keeps what it had", () => {
    TRACE.start(() => 0, { records: 32 });
    TRACE.stop();
    assert.throws(() => TRACE.start(() => 0, { records: 8 }), /trace records: a whole number from 16 to 65536, got 8/);
    assert.throws(() => TRACE.start(() => 0, { records: 100.5 }), /got 100.5/);
    assert.throws(() => TRACE.start(() => 0, { stallMs: -1 }), /trace stallMs: a finite number > 0, got -1/);
    assert.equal(TRACE.on, false);
    assert.equal(TRACE.size, 32);
  });

  it("trace start|stop|dump on the console; the dump reads back into trace events per task", async () => {
    let text = "";
    await vrun(function* (): Gen<void> {
      const io = new MemoryLineIO();
      const con = createConsole(io, { prompt: "> " });
      spawn("console", con.run);
      yield* sleepMs(1);
      io.take();
      const ask = function* (line: string): Gen<string> {
        io.feed(line + "\n");
        yield* sleepMs(1);
        return io.take();
      };
      assert.equal(yield* ask("trace start 5"), "error: trace records: a whole number from 16 to 65536, got 5\n> ");
      assert.equal(yield* ask("trace frob"), "error: usage: trace start [RECORDS] [STALL_MS] | trace stop | trace dump | trace stats\n> ");
      assert.match(yield* ask("trace start 256"), /^trace on: 0 records written, 0 kept \(ring of 256 x 16 bytes\), 0 lanes, stall 50 ms\n> $/);
      yield* pair();
      const stop = yield* ask("trace stop");
      assert.match(stop, /^trace off: \d+ records written/);
      text = yield* ask("trace dump");
      assert.match(text, /^trace v1 records \d+ first 0 size 256 t0 \d+ bytes 16\nlane 1 console\/trace\n/);
      assert.match(text, /\nend \d+\ntrace dumped\n> $/);
    });
    // as saved from a terminal: a prompt, escape sequences, CRLF
    const dump = parseDump("noise before\r\n> \x1b[2K\r" + text.replace(/\n/g, "\r\n"));
    assert.equal(dump.records.length, parseDump(text).records.length);
    const json = dumpToTraceEvents(dump);
    const lanes = new Set(json.traceEvents.filter((e) => e.ph === "X").map((e) => e.name));
    for (const name of ["setter", "waiter", "console"]) assert.ok(lanes.has(name), `a slice for ${name} in ${[...lanes].join(", ")}`);
    const waiter = json.traceEvents.find((e) => e.ph === "X" && e.name === "waiter" && (e.args as { then: string }).then === "waits on event");
    assert.ok(waiter !== undefined, "the waiter's first slice says it waits on the event");
    assert.ok(json.traceEvents.some((e) => e.ph === "M" && e.name === "thread_name" && (e.args as { name: string }).name === "setter"));
  });

  it("the reader names what is wrong with a file that is no dump", () => {
    assert.throws(() => parseDump("hello\nworld\n"), /no trace dump found/);
    assert.throws(() => parseDump("trace v1 records 1 first 0 size 16 t0 0 bytes 16\nr 0 99 1 0\n"), /line 2: unknown trace record type 153/);
    assert.throws(() => parseDump("trace v1 records 1 first 0 size 16 t0 0 bytes 16\nr 0 2 zz\n"), /line 2: malformed trace record/);
  });

  it("dumpLines writes deltas in µs, so times survive the text round trip", () => {
    TRACE.start(() => 1000.25, { records: 16 });
    TRACE.stop();
    const lines = [...dumpLines()];
    assert.equal(lines[0], "trace v1 records 0 first 0 size 16 t0 1000.25 bytes 16");
    assert.equal(lines[lines.length - 1], "end 0");
  });
});
