import { run, spawn, sleepMs, failAfter, type Gen } from "xs-async";
import { Queue } from "xs-async/sync";

function* producer(q: Queue<number>): Gen<void> {
  for (let i = 0; ; i++) { yield* q.put(i); yield* sleepMs(100); }
}

async function consumer(q: Queue<number>): Promise<void> {
  for (;;) {
    const n = await failAfter(500, () => q.get());   // TimeoutError if nothing comes for 500 ms
    trace(`got ${n}\n`);
  }
}

run(function* () {
  const q = new Queue<number>(10);
  spawn("producer", producer, q);
  spawn("consumer", consumer, q);
  yield* sleepMs(Infinity);
});
