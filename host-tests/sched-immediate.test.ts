// An async task may complete any number of operations in a row at once, through every primitive and
// stream that can complete at once (the async bridge used to fail a task after ~100 such awaits).
import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { now, spawn, sleepMs } from "../firmware/sched/index";
import { Barrier, Condition, Event, Lock, Message, Queue, RingbufQueue, Semaphore } from "../firmware/sync/index";
import { Uart } from "../drivers/uart/index";
import { SimSerialPort } from "../sim/serial";

/** Operations in a row that complete at once, per primitive (the bridge used to fail a task after ~100). */
const IN_A_ROW = 100_000;

/** Run `body` as an async main task; returns the virtual time it ended at. */
async function asyncMain(body: () => Promise<void>): Promise<number> {
  return vrun(async () => {
    await body();
    return now();
  });
}

describe("an async task may complete any number of operations in a row at once", function () {
  this.timeout(300_000); // XS runs about 10,000 awaits a second
  it("Queue put into room and get of a queued item", async () => {
    let sum = 0;
    const end = await asyncMain(async () => {
      const q = new Queue<number>(IN_A_ROW);
      for (let i = 0; i < IN_A_ROW; i++) await q.put(i);
      for (let i = 0; i < IN_A_ROW; i++) sum += await q.get();
    });
    assert.equal(sum, (IN_A_ROW * (IN_A_ROW - 1)) / 2);
    assert.equal(end, 0);
  });

  it("RingbufQueue get of a buffered item", async () => {
    let got = 0;
    const end = await asyncMain(async () => {
      const q = new RingbufQueue<number>(IN_A_ROW);
      for (let i = 0; i < IN_A_ROW; i++) q.put(i);
      for (let i = 0; i < IN_A_ROW; i++) if ((await q.get()) === i) got++;
    });
    assert.equal(got, IN_A_ROW);
    assert.equal(end, 0);
  });

  /** `IN_A_ROW` turns of `step`, an operation that completes at once, in an async main task. */
  function inARow(name: string, setUp: () => () => PromiseLike<unknown>): void {
    it(name, async () => {
      let turns = 0;
      const end = await asyncMain(async () => {
        const step = setUp();
        for (let i = 0; i < IN_A_ROW; i++) { await step(); turns++; }
      });
      assert.deepEqual([turns, end], [IN_A_ROW, 0]);
    });
  }

  inARow("Event wait when set", () => { const ev = new Event(); ev.set(); return () => ev.wait(); });
  inARow("Message wait when set", () => { const msg = new Message<number>(); msg.set(7); return () => msg.wait(); });
  inARow("Lock acquire when free (released between)", () => {
    const lock = new Lock();
    return async () => { await lock.acquire(); lock.release(); };
  });
  inARow("Semaphore acquire with a count left (released between)", () => {
    const sem = new Semaphore(1);
    return async () => { await sem.acquire(); sem.release(); };
  });
  inARow("Barrier wait of one party", () => { const barrier = new Barrier(1); return () => barrier.wait(); });
  inARow("Condition waitFor a true predicate, lock held", () => {
    const cond = new Condition();
    let held = false;
    return async () => {
      if (!held) { await cond.acquire(); held = true; }
      await cond.waitFor(() => true);
    };
  });

  it("join() of finished tasks", async () => {
    let sum = 0;
    await asyncMain(async () => {
      const done = spawn(function* () { return 2; });
      await sleepMs(1);
      for (let i = 0; i < IN_A_ROW; i++) sum += await done.join();
    });
    assert.equal(sum, 2 * IN_A_ROW);
  });

  it("readLine of lines a UART reader has buffered", async () => {
    const batches = 50;
    const perBatch = IN_A_ROW / batches;
    let lines = 0;
    let wrong = 0;
    await asyncMain(async () => {
      const uart = new Uart(SimSerialPort, { baud: 1_000_000, receiveBufferSize: 4 * perBatch }, { bufferSize: 4 * perBatch });
      const port = uart.serial as SimSerialPort;
      for (let b = 0; b < batches; b++) {
        port.peer.send("ok\n".repeat(perBatch));
        await sleepMs(100); // every line is buffered
        for (let i = 0; i < perBatch; i++) {
          if ((await uart.reader.readLine()) === "ok\n") lines++;
          else wrong++;
        }
      }
      uart.close();
    });
    assert.deepEqual([lines, wrong], [IN_A_ROW, 0]);
  });
});

