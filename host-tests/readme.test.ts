// The README's first program, run on the virtual clock: keeps the README true.
import { assert } from "./lib/assert";
import { runOn, spawn, sleepMs, failAfter, moveOnAfter, VirtualHost, type Gen } from "../firmware/sched/index";
import { Queue } from "../firmware/sync/index";

describe("README example", () => {
  it("producer and consumer exchange items every 100 ms; the consumer times out when the producer stops", async () => {
    const out: string[] = [];
    const trace = (s: string): void => void out.push(s);

    function* producer(q: Queue<number>): Gen<void> {
      for (let i = 0; i < 3; i++) { yield* q.put(i); yield* sleepMs(100); }
    }
    async function consumer(q: Queue<number>): Promise<void> {
      for (;;) {
        const n = await failAfter(500, () => q.get());
        trace(`got ${n}\n`);
      }
    }
    const host = new VirtualHost();
    await runOn(host, function* () {
      const q = new Queue<number>(10);
      spawn("producer", producer, q);
      spawn("consumer", consumer, q);
      yield* moveOnAfter(2000, function* () { yield* sleepMs(Infinity); });
    });
    assert.deepEqual(out, ["got 0\n", "got 1\n", "got 2\n"]);
    assert.equal(host.lines.length, 1);
    assert.match(host.lines[0]!, /^task consumer: unhandled error in a task nobody awaits: TimeoutError: timed out after 500 ms/);
  });
});
